import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileChangeView, RunSummaryView } from '../../extension/protocol/runSummaryView';
import { RunViewSchema } from '../../extension/protocol/viewModel';
import { SCREENSHOTS, useBrowserHarness } from './browserHarness';
import { openDashboard, screenshotWholePage } from './dashboardPage';
import { asPosted, finalState, readRecording } from './recording';

// The summary card in the built dashboard in real Chromium: the recorded run, then its ending as
// the host sends it (a run/didChange whose run carries the summary), then a roll back.

const recorded = readRecording('recordedRun');
const { state: finished } = finalState(recorded);

/** A summary of the recorded run's files, as the engine computes one (the recording predates summaries). */
function summaryOfRecording(): RunSummaryView {
  const changed: FileChangeView[] = finished.files.map((file, i) => ({ path: file.path, change: 'added', additions: 20 + i * 7, deletions: 0 }));
  changed.push({ path: 'README.md', change: 'modified', additions: 6, deletions: 2 });
  return {
    runId: finished.run!.runId,
    status: 'COMPLETED',
    checkpoint: { index: 1, label: 'before the run', commit: '0123456789abcdef0123456789abcdef01234567' },
    files: { changed, total: changed.length, additions: changed.reduce((sum, c) => sum + c.additions, 0), deletions: 2 },
    tests: { result: 'passed', passed: 12, failed: 0, reportId: 'test-report-1' },
    cost: { actualUsd: finished.cost.totalUsd, estimatedUsd: 0.5, unpricedModels: [] },
    findings: { total: 1, byKind: [{ kind: 'stalled', count: 1 }] },
  };
}

const harness = useBrowserHarness();

describe('the run summary card', () => {
  it('shows the ending of a finished run, opens a file diff and the roll back from it, and says Rolled back after one', async () => {
    const { browser, server } = harness();
    const dashboard = await openDashboard(browser, server, 'dark');
    try {
      const { page } = dashboard;
      await dashboard.send(asPosted(recorded));
      const summary = summaryOfRecording();
      const run = RunViewSchema.parse({ ...finished.run!, canRollBack: true, live: true, summary });
      await dashboard.send([{ type: 'run/didChange', run }]);
      const card = page.getByTestId('run-summary');
      await card.waitFor();
      expect(await page.getByTestId('summary-file').count()).toBe(summary.files!.total);
      expect(await page.getByTestId('summary-cost').textContent()).toContain('(estimated $0.50)');
      await screenshotWholePage(page, path.join(SCREENSHOTS, 'run-summary.png'));
      await card.screenshot({ path: path.join(SCREENSHOTS, 'run-summary-card.png') });

      await page.getByTestId('summary-file').filter({ hasText: 'README.md' }).click();
      await page.getByTestId('summary-rollback').click();
      await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((message) => message.type === 'checkpoint/rollBack'));
      const posted = await dashboard.posted();
      expect(posted.find((message) => message.type === 'summary/openDiff')).toMatchObject({ path: 'README.md' });
      expect(posted.find((message) => message.type === 'checkpoint/rollBack')).toMatchObject({ index: 1 });

      await dashboard.send([{ type: 'run/didChange', run: { ...run, rolledBack: { checkpointIndex: 1, label: 'before the run', restored: 1, removed: summary.files!.total - 1 } } }]);
      await page.getByTestId('summary-rolled-back').waitFor();
      expect(await page.getByTestId('phase-badge').textContent()).toBe('Rolled back');
      await card.screenshot({ path: path.join(SCREENSHOTS, 'run-summary-rolled-back.png') });

      await page.setViewportSize({ width: 375, height: 900 });
      // The card reads at phone width: nothing of it runs past the panel's edge.
      const box = await card.boundingBox();
      expect(box && box.x + box.width).toBeLessThanOrEqual(375);
      await screenshotWholePage(page, path.join(SCREENSHOTS, 'run-summary-narrow.png'));
      expect(dashboard.pageErrors).toEqual([]);
      expect(await dashboard.cspViolations()).toEqual([]);
    } finally {
      await dashboard.close();
    }
  }, 60_000);
});
