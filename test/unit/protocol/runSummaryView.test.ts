import { describe, expect, it } from 'vitest';
import { FILE_CHANGE_KINDS } from '../../../extension/engine/run/changedFiles';
import { buildRunSummary, MAX_SUMMARY_FILES, TEST_RESULTS } from '../../../extension/engine/run/runSummary';
import { FileChangeViewSchema, RunSummaryViewSchema } from '../../../extension/protocol/runSummaryView';

describe('the run summary in the protocol', () => {
  it("restates the engine's lists: change kinds, test results and the cap on listed files", () => {
    expect(FileChangeViewSchema.shape.change.options).toEqual([...FILE_CHANGE_KINDS]);
    expect(RunSummaryViewSchema.shape.tests.shape.result.options).toEqual([...TEST_RESULTS]);
    const many = Array.from({ length: MAX_SUMMARY_FILES + 1 }, (_, i) => ({ path: `f${i}`, change: 'added' as const, additions: 1, deletions: 0 }));
    expect(RunSummaryViewSchema.safeParse({ ...buildRunSummary({ report: { runId: 'r', status: 'COMPLETED', costUsd: 0, findings: [] } }), files: { changed: many, total: many.length, additions: many.length, deletions: 0 } }).success).toBe(false);
  });

  it('takes every summary the engine builds as it is', () => {
    const summary = buildRunSummary({
      report: { runId: 'run-1', status: 'FAILED', costUsd: 1.5, unpricedModels: ['local/m'], findings: [{ kind: 'grant-violation', message: 'x' }] },
      checkpoint: { index: 1, label: 'before the run', commit: 'b'.repeat(40) },
      changes: [{ path: 'a.png', change: 'added', additions: 0, deletions: 0, binary: true }],
      tests: { reportId: 't-1', passed: 1, failed: 2 },
      estimate: { totalUsd: 0.9 },
    });
    expect(RunSummaryViewSchema.parse(summary)).toEqual(summary);
  });
});
