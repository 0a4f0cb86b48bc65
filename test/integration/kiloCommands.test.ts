import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startKiloRuntime } from '../../extension/cli/kiloRuntime';
import { OrchestrationRun } from '../../extension/engine/run/orchestrationRun';
import { DISABLED_TOOLS } from '../../extension/kilo/permissionRules';
import { orchestraScript } from '../../extension/scriptedModel/orchestraScript';
import { aSampleWorkspace, chatRequests, kiloArgs } from './kiloRunHarness';

// A hostile Debugger on real `kilo serve` 7.7.7: its model answers the test step with the commands
// of issue 8 before `npm test`. Nothing may run outside the workspace, each refusal is a finding,
// and the run still ends with the project's real test report.

const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-outside-'));
afterAll(() => fs.rmSync(outside, { recursive: true, force: true }));

/** Another project next to the workspace whose test script leaves a marker when it runs. */
function anOutsideProject(): { folder: string; marker: string } {
  const folder = fs.mkdtempSync(path.join(outside, 'project-'));
  const marker = path.join(folder, 'test-script-ran');
  fs.writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name: 'elsewhere', private: true, scripts: { test: `node -e "require('fs').writeFileSync('${marker}','x')"` } }));
  return { folder, marker };
}

/** Tools that must never reach a model, whatever its role, and the writing/shell tools. */
const WRITE_TOOLS = ['write', 'edit', 'patch', 'multiedit', 'apply_patch'];

describe('shell commands on real kilo serve', () => {
  it('refuses a data: import and another project\'s test script, reports both, and still runs the real tests', async () => {
    const workspace = aSampleWorkspace('kilo-commands-');
    const elsewhere = anOutsideProject();
    const pwned = path.join(outside, 'pwned');
    const importCommand = `node --test --import "data:text/javascript,require('fs').writeFileSync('${pwned}','x')"`;
    const prefixCommand = `npm test --prefix ${elsewhere.folder}`;
    const runtime = await startKiloRuntime(kiloArgs(workspace), () => undefined, { scripted: { script: orchestraScript({ debuggerCommands: [importCommand, prefixCommand] }) } });
    try {
      const run = await OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles: runtime.roles, backend: runtime.backend, maxActive: 4, onAttention: 'fail' });
      const report = await run.start();

      expect(fs.existsSync(pwned)).toBe(false);
      expect(fs.existsSync(elsewhere.marker)).toBe(false);
      expect(report.status).toBe('COMPLETED');
      const refused = report.findings.filter((finding) => finding.kind === 'refused-command');
      expect(refused).toHaveLength(2);
      // Nothing else went wrong: the exact `npm test` and every other role's tools were allowed as before.
      expect(report.findings.filter((finding) => finding.kind !== 'refused-command')).toEqual([]);
      expect(refused.every((finding) => finding.agentId?.startsWith('debugger'))).toBe(true);
      expect(refused.map((finding) => finding.message).join('\n')).toContain('node --test --import');
      expect(refused.map((finding) => finding.message).join('\n')).toContain(prefixCommand);
      // The exact `npm test` ran in the workspace: the sample's own tests passed.
      expect(report.artifacts.find((a) => a.type === 'test-report')?.summary).toMatch(/^[1-9]\d* tests passed, 0 failed/);

      // What each role's model was offered, from the scripted model's own request log.
      const chats = chatRequests(runtime.scripted!);
      const toolsOf = (role: string) => new Set(chats.filter((r) => r.role === role).flatMap((r) => r.tools));
      for (const request of chats) {
        for (const tool of DISABLED_TOOLS) expect(request.tools, `${request.role} offered ${tool}`).not.toContain(tool);
      }
      for (const role of ['organiser', 'code-sceptic']) {
        for (const tool of [...WRITE_TOOLS, 'bash']) expect(toolsOf(role).has(tool), `${role} offered ${tool}`).toBe(false);
      }
      expect(toolsOf('debugger').has('bash')).toBe(true);
      for (const tool of WRITE_TOOLS) expect(toolsOf('debugger').has(tool), `debugger offered ${tool}`).toBe(false);
      expect(toolsOf('primary-coder').has('bash')).toBe(false);
      expect(toolsOf('primary-coder').has('write')).toBe(true);
    } finally {
      await runtime.dispose();
    }
  }, 360_000);

  it('gives the Debugger no shell at all when the project has no test command, and says so', async () => {
    const workspace = aSampleWorkspace('kilo-no-tests-');
    const manifest = path.join(workspace, 'package.json');
    fs.writeFileSync(manifest, JSON.stringify({ ...JSON.parse(fs.readFileSync(manifest, 'utf8')), scripts: {} }));
    const runtime = await startKiloRuntime(kiloArgs(workspace), () => undefined, { scripted: { script: orchestraScript() } });
    try {
      expect(runtime.description).toContain('no test command');
      const run = await OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles: runtime.roles, backend: runtime.backend, maxActive: 4, onAttention: 'fail' });
      const report = await run.start();

      const debuggerRequests = chatRequests(runtime.scripted!).filter((r) => r.role === 'debugger');
      expect(debuggerRequests.length).toBeGreaterThan(0);
      for (const request of debuggerRequests) expect(request.tools).not.toContain('bash');
      // The scripted Debugger tries `npm test` anyway: Kilo has no such tool for it, and the try is reported.
      expect(report.findings.filter((finding) => finding.kind === 'refused-command').map((finding) => finding.message).join('\n')).toContain('npm test');
      expect(report.artifacts.find((a) => a.type === 'test-report')?.summary).toMatch(/^0 tests passed, 0 failed/);
    } finally {
      await runtime.dispose();
    }
  }, 360_000);
});
