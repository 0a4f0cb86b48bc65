import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedBackend, type SimulatedBackendOptions } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { OrchestrationRun } from '../../../extension/engine/run/orchestrationRun';
import type { RecordedFinding } from '../../../extension/engine/run/workRecorder';
import type { Phase } from '../../../extension/engine/workflow/workflowTypes';

// Whole runs on the simulated backend with hostile workspaces and plans: links out, control files, wildcards.

interface Layout {
  workspace: string;
  outsideDir: string;
  outsideFile: string;
  /** Every outside file's bytes before the run. */
  before: Map<string, Buffer>;
}

function aLayout(): Layout {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'symlink-run-'));
  const workspace = path.join(parent, 'workspace');
  const outsideDir = path.join(parent, 'outside');
  fs.mkdirSync(path.join(workspace, 'src'), { recursive: true });
  fs.mkdirSync(outsideDir);
  const outsideFile = path.join(parent, 'outside.txt');
  fs.writeFileSync(outsideFile, 'the user’s own file, outside the workspace\n');
  fs.writeFileSync(path.join(outsideDir, 'keep.js'), 'export const keep = 1;\n');
  const before = new Map([outsideFile, path.join(outsideDir, 'keep.js')].map((file) => [file, fs.readFileSync(file)]));
  return { workspace, outsideDir, outsideFile, before };
}

function expectOutsideUntouched(layout: Layout): void {
  for (const [file, bytes] of layout.before) expect(fs.readFileSync(file).equals(bytes), file).toBe(true);
  expect(fs.readdirSync(layout.outsideDir)).toEqual(['keep.js']);
}

async function aRun(layout: Layout, backend: SimulatedBackendOptions, maxPlanRevisions = 3): Promise<OrchestrationRun> {
  return OrchestrationRun.create({
    workspace: layout.workspace,
    task: 'Add overdue-loan tracking',
    roles: resolveRoles(simulatedRolesConfig()),
    backend: new SimulatedBackend({ rejectEveryNthFile: 0, rejectFirstPlan: false, ...backend }),
    onAttention: 'fail',
    workflow: { retryBaseMs: 1, maxPlanRevisions },
  });
}

function storedText(folder: string): string {
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8'))
    .join('\n');
}

function messages(findings: RecordedFinding[], kind: RecordedFinding['kind']): string[] {
  return findings.filter((f) => f.kind === kind).map((f) => f.message);
}

describe('a run with symlinks out of the workspace', () => {
  it('leaves a linked file and a linked folder in the plan untouched outside, names both links and completes', async () => {
    const layout = aLayout();
    fs.symlinkSync(layout.outsideFile, path.join(layout.workspace, 'src', 'fines.js'));
    fs.symlinkSync(layout.outsideDir, path.join(layout.workspace, 'vendor'));
    const run = await aRun(layout, { planFiles: ['src/loans.js', 'src/fines.js', 'vendor/overdue.js'] });
    const report = await run.start();

    expect(report.status, report.reason).toBe('COMPLETED');
    expectOutsideUntouched(layout);
    const links = messages(report.findings, 'symlink');
    expect(links.some((m) => m.includes('src/fines.js is a symbolic link to'))).toBe(true);
    expect(links.some((m) => m.includes('vendor is a symbolic link to'))).toBe(true);
    // Sent back to the Architect as often as allowed, then built with the one usable file.
    expect(report.states).toContain('PLAN_REVISION');
    expect(report.files).toEqual({ planned: 1, approved: 1 });
    expect(fs.readFileSync(path.join(layout.workspace, 'src', 'loans.js'), 'utf8')).toContain('runLoans');
    // Nothing the run stored (artifacts, event log, state) holds the outside file's content.
    expect(storedText(run.runDir)).not.toContain('the user’s own file');
    expect(storedText(run.runDir)).toContain('src/loans.js');
  });

  it('refuses a link made after planning at dispatch, records the file as not written and still completes', async () => {
    const layout = aLayout();
    const run = await aRun(layout, { planFiles: ['src/loans.js', 'src/fines.js'] });
    const onStructure = (change: { to: Phase }) => {
      // Synchronous, so the link exists before the structure work is dispatched.
      if (change.to === 'STRUCTURE_CREATION') fs.symlinkSync(layout.outsideFile, path.join(layout.workspace, 'src', 'fines.js'));
    };
    run.events.on('workflow:transitioned', onStructure);
    const report = await run.start();

    expect(report.status, report.reason).toBe('COMPLETED');
    expectOutsideUntouched(layout);
    expect(fs.lstatSync(path.join(layout.workspace, 'src', 'fines.js')).isSymbolicLink()).toBe(true);
    expect(messages(report.findings, 'symlink').some((m) => m.includes('was not granted src/fines.js: src/fines.js is a symbolic link'))).toBe(true);
    // The agents were never asked to write it, so none tried.
    expect(messages(report.findings, 'grant-violation')).toEqual([]);
    const code = run.artifacts().filter((a) => a.type === 'code' && a.metadata.files.includes('src/fines.js'));
    expect(code.length).toBeGreaterThan(0);
  });

  it('keeps control files out of the plan with a finding', async () => {
    const layout = aLayout();
    const run = await aRun(layout, { planFiles: ['src/loans.js', 'kilo.json', '.kilo/agent/code.md'] }, 0);
    const report = await run.start();

    expect(report.status, report.reason).toBe('COMPLETED');
    expect(fs.existsSync(path.join(layout.workspace, 'kilo.json'))).toBe(false);
    expect(fs.existsSync(path.join(layout.workspace, '.kilo'))).toBe(false);
    expect(messages(report.findings, 'control-file')).toHaveLength(2);
  });
});

describe('a run whose plan has a wildcard', () => {
  it('sends the plan back to the Architect and completes with the revised plan', async () => {
    const layout = aLayout();
    const run = await aRun(layout, { firstPlanFiles: ['src/*'], planFiles: ['src/loans.js', 'src/overdue.js'] });
    const report = await run.start();

    expect(report.status, report.reason).toBe('COMPLETED');
    expect(report.states).toContain('PLAN_REVISION');
    expect(messages(report.findings, 'plan-problem').some((m) => m.includes('"src/*" is a pattern'))).toBe(true);
    expect(report.files).toEqual({ planned: 2, approved: 2 });
  });

  it('fails headless with the reason, not a crash, when no revision ever names a file', async () => {
    const layout = aLayout();
    const run = await aRun(layout, { planFiles: ['src/*'] }, 1);
    const report = await run.start();

    expect(report.status).toBe('FAILED');
    expect(report.reason).toMatch(/no file that can be written after 1 revision/);
    expect(report.reason).not.toMatch(/Internal error/);
  });
});
