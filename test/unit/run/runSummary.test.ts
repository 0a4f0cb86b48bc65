import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { summaryLines } from '../../../extension/cli/summaryLines';
import { ArtifactStore } from '../../../extension/engine/artifacts/artifactStore';
import { changesBetween, checkpointFileContent } from '../../../extension/engine/run/changedFiles';
import { Checkpoints } from '../../../extension/engine/run/checkpoints';
import { readCostEstimate, recordCostEstimate } from '../../../extension/engine/run/costEstimate';
import { buildRunSummary, MAX_SUMMARY_FILES, summariseRun, type ReportFacts } from '../../../extension/engine/run/runSummary';
import type { RecordedFinding } from '../../../extension/engine/run/findings';

/** A real repository in a temp folder with one commit. */
function aRepo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-summary-'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  for (const [file, content] of Object.entries(files)) write(dir, file, content);
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', 'commit', '-q', '-m', 'initial'], { cwd: dir });
  return dir;
}

function write(dir: string, file: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), content);
}

function aReport(dir: string, overrides: Partial<ReportFacts> = {}): ReportFacts & { workspace: string; runDir: string } {
  return { runId: 'run-1', status: 'COMPLETED', costUsd: 0.41, findings: [], workspace: dir, runDir: path.join(dir, '.kilo-orchestra', 'runs', 'run-1'), ...overrides };
}

const finding = (kind: RecordedFinding['kind']): RecordedFinding => ({ kind, message: `a ${kind}` });

/** A run on a real repository: the checkpoint before it, its edits, the checkpoint after its last phase. */
async function aFinishedRun() {
  const dir = aRepo({ 'src/a.js': 'one\ntwo\nthree\n', 'src/gone.js': 'x\ny\n', 'README.md': 'readme\n' });
  const checkpoints = new Checkpoints({ workspace: dir, runId: 'run-1' });
  await checkpoints.create('before the run');
  write(dir, 'src/a.js', 'one\n2\nthree\nfour\n');
  write(dir, 'src/new.js', 'n1\nn2\nn3\n');
  write(dir, 'logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 0, 3]));
  fs.rmSync(path.join(dir, 'src/gone.js'));
  await checkpoints.create('after CODE_IMPLEMENTATION');
  return { dir, checkpoints };
}

describe('run summary', () => {
  it('counts the files changed since the checkpoint before the run, added, modified and deleted, with their lines, from a real repository', async () => {
    const { dir, checkpoints } = await aFinishedRun();
    const summary = await summariseRun({ report: aReport(dir), checkpoints: checkpoints.list() });
    expect(summary.checkpoint).toMatchObject({ index: 1, label: 'before the run' });
    expect(summary.files).toEqual({
      changed: [
        { path: 'logo.png', change: 'added', additions: 0, deletions: 0, binary: true },
        { path: 'src/a.js', change: 'modified', additions: 2, deletions: 1 },
        { path: 'src/gone.js', change: 'deleted', additions: 0, deletions: 2 },
        { path: 'src/new.js', change: 'added', additions: 3, deletions: 0 },
      ],
      total: 4,
      additions: 5,
      deletions: 3,
    });
  });

  it("counts from 'before the run' for a resumed run, whose own first checkpoint is 'before the resume'", async () => {
    const { dir, checkpoints } = await aFinishedRun();
    write(dir, 'src/later.js', 'l\n');
    await checkpoints.create('before the resume');
    const summary = await summariseRun({ report: aReport(dir), checkpoints: checkpoints.list() });
    expect(summary.checkpoint?.index).toBe(1);
    expect(summary.files?.changed.map((change) => change.path)).toContain('src/later.js');
    expect(summary.files?.total).toBe(5);
  });

  it('reads the newest test report, the estimate recorded at the start and counts the findings by kind', async () => {
    const { dir, checkpoints } = await aFinishedRun();
    const report = aReport(dir, { findings: [finding('stalled'), finding('grant-violation'), finding('stalled')], unpricedModels: ['custom/local'] });
    const store = await ArtifactStore.open(path.join(report.runDir, 'artifacts'));
    await store.create({ type: 'test-report', producer: 'debugger-1', role: 'debugger', content: '# Test report\n\n9 passed, 3 failed\n\nfirst cycle\n' });
    await store.create({ type: 'test-report', producer: 'debugger-1', role: 'debugger', content: '# Test report\n\n12 passed, 0 failed\n\nall green\n' });
    await recordCostEstimate(report.runDir, () => ({ totalUsd: 0.5, unpricedRoles: [] }));
    const summary = await summariseRun({ report, checkpoints: checkpoints.list() });
    expect(summary.tests).toMatchObject({ result: 'passed', passed: 12, failed: 0 });
    expect(summary.cost).toEqual({ actualUsd: 0.41, estimatedUsd: 0.5, unpricedModels: ['custom/local'] });
    expect(summary.findings).toEqual({ total: 3, byKind: [{ kind: 'stalled', count: 2 }, { kind: 'grant-violation', count: 1 }] });
  });

  it('says the tests were not run when the Debugger could not run them, and none when nobody said anything', () => {
    const report = { runId: 'run-1', status: 'COMPLETED' as const, costUsd: 0, findings: [{ kind: 'tests-not-run' as const, message: 'Tests were not run: no test script.' }] };
    expect(buildRunSummary({ report }).tests).toEqual({ result: 'not-run', passed: 0, failed: 0, note: 'Tests were not run: no test script.' });
    expect(buildRunSummary({ report: { ...report, findings: [] } }).tests).toEqual({ result: 'none', passed: 0, failed: 0 });
    expect(buildRunSummary({ report, tests: { reportId: 't-1', passed: 3, failed: 1 } }).tests.result).toBe('failed');
  });

  it('keeps the first estimate of a run: a resume does not record a second one', async () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-summary-estimate-'));
    await recordCostEstimate(runDir, () => ({ totalUsd: 0.5, unpricedRoles: ['debugger'] }));
    await recordCostEstimate(runDir, () => ({ totalUsd: 9, unpricedRoles: [] }));
    expect(await readCostEstimate(runDir)).toMatchObject({ totalUsd: 0.5, unpricedRoles: ['debugger'] });
  });

  it('leaves the files out, not wrong, when the run has no checkpoints, and lists at most the cap while counting all', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-summary-none-'));
    const summary = await summariseRun({ report: aReport(dir), checkpoints: [] });
    expect(summary.files).toBeUndefined();
    const many = Array.from({ length: MAX_SUMMARY_FILES + 5 }, (_, i) => ({ path: `f${i}.js`, change: 'added' as const, additions: 1, deletions: 0 }));
    const capped = buildRunSummary({ report: aReport(dir), changes: many });
    expect(capped.files?.changed).toHaveLength(MAX_SUMMARY_FILES);
    expect(capped.files?.total).toBe(MAX_SUMMARY_FILES + 5);
    expect(capped.files?.additions).toBe(MAX_SUMMARY_FILES + 5);
  });

  it("serves a file's content as the checkpoint holds it, nothing for a file it lacks, and refuses a path that climbs out", async () => {
    const { dir, checkpoints } = await aFinishedRun();
    const before = checkpoints.list()[0]!.commit;
    expect(await checkpointFileContent(dir, before, 'src/a.js')).toBe('one\ntwo\nthree\n');
    expect(await checkpointFileContent(dir, before, 'src/new.js')).toBeUndefined();
    await expect(checkpointFileContent(dir, before, '../etc/passwd')).rejects.toMatchObject({ reason: 'invalid-input' });
    await expect(changesBetween(dir, 'HEAD', before)).rejects.toMatchObject({ reason: 'invalid-input' });
  });

  it('prints a few short lines: changed files with line counts, tests, cost against the estimate, findings and how to roll back', async () => {
    const { dir, checkpoints } = await aFinishedRun();
    const report = aReport(dir, { findings: [finding('stalled')] });
    await recordCostEstimate(report.runDir, () => ({ totalUsd: 0.5, unpricedRoles: [] }));
    const lines = summaryLines(await summariseRun({ report, checkpoints: checkpoints.list() }), dir);
    expect(lines).toEqual([
      'Changed 4 files (+5 −3): logo.png (added), src/a.js, src/gone.js (deleted), src/new.js (added)',
      'Tests: none were run.',
      'Cost: $0.41 (estimated $0.50)',
      'Findings: 1 (stalled ×1)',
      `Roll back these changes with: kilo-orchestra rollback --workspace ${dir} --run run-1 --to 1`,
    ]);
  });

  it('prints a hostile file name on one line', () => {
    const summary = buildRunSummary({ report: aReport('/w'), checkpoint: { index: 1, label: 'before the run', commit: 'a'.repeat(40) }, changes: [{ path: 'evil\nrm -rf /\u0007.js', change: 'modified', additions: 1, deletions: 1 }] });
    expect(summaryLines(summary, '/w')[0]).toBe('Changed 1 file (+1 −1): evil rm -rf /.js');
  });
});
