import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startKiloRuntime } from '../../extension/cli/kiloRuntime';
import { OrchestrationRun } from '../../extension/engine/run/orchestrationRun';
import type { Phase } from '../../extension/engine/workflow/workflowTypes';
import { SAMPLE_PLAN, orchestraScript } from '../../extension/scriptedModel/orchestraScript';
import type { Script } from '../../extension/scriptedModel/scriptedModelServer';
import { detectWork } from '../../extension/engine/roles/roleMarker';
import { SAMPLE_TASK, aSampleWorkspace, kiloArgs } from './kiloRunHarness';

// Grants that hold on real `kilo serve`: the Architect plans a file that is a symlink out of the
// workspace, a file in a folder that links out, and a wildcard; a third link appears after planning.

describe('symlinks and wildcards on real kilo serve', () => {
  it('leaves every outside target untouched, names each link in the findings and completes', async () => {
    const workspace = aSampleWorkspace('kilo-symlinks-');
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-symlinks-outside-'));
    const outsideFile = path.join(outside, 'fines-of-another-project.js');
    const lateTarget = path.join(outside, 'overdue-of-another-project.js');
    const outsideDir = path.join(outside, 'lib');
    fs.writeFileSync(outsideFile, '// not yours\n');
    fs.writeFileSync(lateTarget, '// not yours either\n');
    fs.mkdirSync(outsideDir);
    fs.writeFileSync(path.join(outsideDir, 'keep.js'), '// keep\n');
    const before = new Map([outsideFile, lateTarget, path.join(outsideDir, 'keep.js')].map((file) => [file, fs.readFileSync(file)]));
    fs.symlinkSync(outsideFile, path.join(workspace, 'src', 'fines.js'));
    fs.symlinkSync(outsideDir, path.join(workspace, 'lib'));

    // The default plan names src/fines.js; lib/extra.js goes through the folder link; src/* is a pattern.
    const planFiles = [...SAMPLE_PLAN, { path: 'lib/extra.js', purpose: 'helpers' }, { path: 'src/*', purpose: 'everything else' }];
    const team = orchestraScript({ planFiles });
    // Every request the models received, whole, and the kinds of work they were for.
    const seen: string[] = [];
    const kinds: string[] = [];
    // The Architect first tries to read the linked file, as a model exploring the repository would.
    let readAnswer: string | undefined;
    const script: Script = (request) => {
      seen.push(JSON.stringify(request.messages));
      const kind = detectWork(request.lastUser)?.kind ?? '';
      kinds.push(kind);
      if (request.role === 'architect' && kind === 'plan') {
        if (readAnswer === undefined && request.messages.at(-1)?.role !== 'tool') {
          readAnswer = '';
          return { toolCalls: [{ name: 'read', arguments: { filePath: path.join(workspace, 'src', 'fines.js') } }] };
        }
        if (readAnswer === '') readAnswer = request.toolResults[0]?.content ?? '(no tool result)';
      }
      return team(request);
    };
    const runtime = await startKiloRuntime(kiloArgs(workspace, { simLatencyMs: 50 }), () => undefined, { scripted: { script } });
    try {
      const run = await OrchestrationRun.create({ workspace, task: SAMPLE_TASK, roles: runtime.roles, backend: runtime.backend, maxActive: 4, onAttention: 'fail', workflow: { maxPlanRevisions: 1 } });
      // Made after the plan was accepted, before the first file work is sent: caught at dispatch.
      run.events.on('workflow:transitioned', (change: { to: Phase }) => {
        if (change.to === 'STRUCTURE_CREATION') fs.symlinkSync(lateTarget, path.join(workspace, 'src', 'overdue.js'));
      });
      const report = await run.start();

      expect(report.status, report.reason).toBe('COMPLETED');
      for (const [file, bytes] of before) expect(fs.readFileSync(file).equals(bytes), file).toBe(true);
      expect(fs.readdirSync(outside).sort()).toEqual(['fines-of-another-project.js', 'lib', 'overdue-of-another-project.js']);
      expect(fs.readdirSync(outsideDir)).toEqual(['keep.js']);

      const symlinks = report.findings.filter((f) => f.kind === 'symlink').map((f) => f.message);
      expect(symlinks.some((m) => m.includes(`src/fines.js is a symbolic link to ${outsideFile}`))).toBe(true);
      expect(symlinks.some((m) => m.includes(`lib is a symbolic link to ${outsideDir}`))).toBe(true);
      expect(symlinks.some((m) => m.includes('was not granted src/overdue.js: src/overdue.js is a symbolic link'))).toBe(true);
      expect(report.findings.some((f) => f.kind === 'plan-problem' && f.message.includes('"src/*" is a pattern'))).toBe(true);
      // The refused files were taken out of the prompts too, so no agent tried to write them.
      expect(report.findings.filter((f) => f.kind === 'grant-violation')).toEqual([]);

      // The plan went back to the Architect once (the bound), then the usable files were built.
      expect(report.states).toContain('PLAN_REVISION');
      expect(kinds).toContain('revise-plan');
      expect(report.files.planned).toBe(3);
      expect(fs.readFileSync(path.join(workspace, 'src', 'loans.js'), 'utf8')).toContain('export function loans');
      // No agent's model ever saw the outside files' content.
      expect(seen.length).toBeGreaterThan(10);
      // Kilo refused the read: its read tool checks the link's real path against the rules (external_directory, read ../*).
      expect(readAnswer).toBeTruthy();
      expect(readAnswer).not.toContain('not yours');
      for (const messages of seen) expect(messages).not.toContain('not yours');
    } finally {
      await runtime.dispose();
    }
  }, 240_000);
});
