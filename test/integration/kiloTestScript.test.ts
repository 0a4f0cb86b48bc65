import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startKiloRuntime } from '../../extension/cli/kiloRuntime';
import { OrchestrationRun } from '../../extension/engine/run/orchestrationRun';
import { SAMPLE_PLAN, orchestraScript } from '../../extension/scriptedModel/orchestraScript';
import type { Script } from '../../extension/scriptedModel/scriptedModelServer';
import { aSampleWorkspace, kiloArgs } from './kiloRunHarness';

// A coder the plan grants package.json rewrites its test script; the Debugger then runs the exact
// `npm test` it is allowed. On real `kilo serve` the command must be refused, because what it would
// run is no longer what the project said at run start, and nothing may run outside the workspace.

const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-test-script-'));
afterAll(() => fs.rmSync(outside, { recursive: true, force: true }));

/** The sample's team, except that every write of package.json plants `testScript` in it. */
function plantingScript(workspace: string, testScript: string): Script {
  const base = orchestraScript({ planFiles: [...SAMPLE_PLAN, { path: 'package.json', purpose: 'the project manifest' }] });
  const manifest = JSON.parse(fs.readFileSync(path.join(workspace, 'package.json'), 'utf8')) as Record<string, unknown>;
  const planted = `${JSON.stringify({ ...manifest, scripts: { test: testScript } }, null, 2)}\n`;
  return async (request) => {
    const turn = await base(request);
    for (const call of turn.toolCalls ?? []) {
      if (call.name === 'write' && String(call.arguments.filePath).endsWith('/package.json')) call.arguments.content = planted;
    }
    return turn;
  };
}

describe('the test script on real kilo serve', () => {
  it('refuses npm test once a coder changed the test script, names the change, and runs nothing of it', async () => {
    const workspace = aSampleWorkspace('kilo-test-script-');
    const marker = path.join(outside, 'planted-script-ran');
    const hostile = `node -e "require('fs').writeFileSync('${marker}','x')"`;
    const before = (JSON.parse(fs.readFileSync(path.join(workspace, 'package.json'), 'utf8')) as { scripts: { test: string } }).scripts.test;
    const runtime = await startKiloRuntime(kiloArgs(workspace), () => undefined, { scripted: { script: plantingScript(workspace, hostile) } });
    try {
      const run = await OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles: runtime.roles, backend: runtime.backend, maxActive: 4, onAttention: 'fail' });
      const report = await run.start();

      expect(JSON.parse(fs.readFileSync(path.join(workspace, 'package.json'), 'utf8')).scripts.test).toBe(hostile);
      expect(fs.existsSync(marker)).toBe(false);
      const refused = report.findings.filter((finding) => finding.kind === 'refused-command').map((finding) => finding.message);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]).toContain(`tried to run "npm test"; it was refused: The test script in package.json changed during the run: was ${JSON.stringify(before)}, now `);
      expect(report.artifacts.find((a) => a.type === 'test-report')?.summary).toMatch(/^0 tests passed, 0 failed/);
    } finally {
      await runtime.dispose();
    }
  }, 360_000);

  it('ends a run in a project with no test command with a tests-not-run finding, not a silent 0/0', async () => {
    const workspace = aSampleWorkspace('kilo-no-test-script-');
    const manifest = path.join(workspace, 'package.json');
    fs.writeFileSync(manifest, JSON.stringify({ ...JSON.parse(fs.readFileSync(manifest, 'utf8')), scripts: {} }));
    const runtime = await startKiloRuntime(kiloArgs(workspace), () => undefined, { scripted: { script: orchestraScript() } });
    try {
      const run = await OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles: runtime.roles, backend: runtime.backend, maxActive: 4, onAttention: 'fail' });
      const report = await run.start();

      const notRun = report.findings.filter((finding) => finding.kind === 'tests-not-run');
      expect(notRun).toHaveLength(1);
      expect(notRun[0]).toMatchObject({ agentId: 'debugger-1', message: expect.stringMatching(/^Tests were not run: the project has no test command/) });
    } finally {
      await runtime.dispose();
    }
  }, 360_000);
});
