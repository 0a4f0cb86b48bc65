import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CostEstimateSchema } from '../../extension/engine/run/costEstimate';
import { RollBackRecordSchema } from '../../extension/engine/run/rollBackRecord';
import { RunSummarySchema } from '../../extension/engine/run/runSummary';
import { aSampleCopy, requireBuiltCli, runCli } from './builtCli';

/** The sample project as a git repository with one commit, as a user's clone is. */
function aSampleRepository(): string {
  const workspace = aSampleCopy('cli-run-summary-');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', ...args], { cwd: workspace });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return workspace;
}

describe('the CLI ending', () => {
  beforeAll(requireBuiltCli);

  it('ends a simulated run with its summary in the last lines, in report.json and beside state.json, counted from checkpoint 1 against the estimate recorded at the start', () => {
    const workspace = aSampleRepository();
    const result = runCli(['run', '--workspace', workspace, '--backend', 'simulated', '--task', 'Add overdue-loan tracking', '--quiet']);
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    const reportPath = lines.find((line) => line.startsWith('report: '))!.slice('report: '.length);
    const report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
    const summary = RunSummarySchema.parse(report.summary);
    const estimate = CostEstimateSchema.parse(JSON.parse(fs.readFileSync(path.join(report.runDir, 'cost-estimate.json'), 'utf8')));
    expect(RunSummarySchema.parse(JSON.parse(fs.readFileSync(path.join(report.runDir, 'summary.json'), 'utf8')))).toEqual(summary);

    expect(summary.checkpoint).toMatchObject({ index: 1, label: 'before the run' });
    expect(summary.files!.total).toBeGreaterThan(0);
    for (const file of summary.files!.changed) if (file.change !== 'deleted') expect(fs.existsSync(path.join(workspace, file.path)), file.path).toBe(true);
    expect(summary.cost).toMatchObject({ actualUsd: report.costUsd, estimatedUsd: estimate.totalUsd });
    expect(summary.tests.result).toBe('passed');

    expect(lines).toContain(`Cost: $${report.costUsd.toFixed(2)} (estimated $${estimate.totalUsd.toFixed(2)})`);
    expect(lines.find((line) => line.startsWith('Changed '))).toMatch(new RegExp(`^Changed ${summary.files!.total} files \\(\\+${summary.files!.additions} −${summary.files!.deletions}\\): `));
    expect(lines).toContain(`Tests: ${summary.tests.passed} passed`);
    const rollBack = lines.find((line) => line.startsWith('Roll back these changes with: '))!;
    expect(rollBack).toBe(`Roll back these changes with: kilo-orchestra rollback --workspace ${workspace} --run ${report.runId} --to 1`);

    // The command it prints puts the workspace back as it was.
    const undo = runCli(['rollback', '--workspace', workspace, '--run', report.runId, '--to', '1']);
    expect(undo.status, undo.stderr).toBe(0);
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: workspace, encoding: 'utf8' })).toBe('');
    // The run's folder notes it, so the editor's dashboard says rolled back for this run.
    const added = summary.files!.changed.filter((file) => file.change === 'added').length;
    expect(RollBackRecordSchema.parse(JSON.parse(fs.readFileSync(path.join(report.runDir, 'rolled-back.json'), 'utf8')))).toMatchObject({ checkpointIndex: 1, label: 'before the run', removed: added });
  });
});
