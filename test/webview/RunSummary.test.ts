// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { WebviewMessageSchema } from '../../extension/protocol/dashboardProtocol';
import type { RunSummaryView } from '../../extension/protocol/runSummaryView';
import { RunViewSchema } from '../../extension/protocol/viewModel';
import RunSummary from '../../webview/components/RunSummary.svelte';
import RunTab from '../../webview/components/RunTab.svelte';
import { defaultUiState } from '../../webview/lib/uiState';
import { aRun, aState } from './fixtures/dashboardBuilders';

function aSummary(overrides: Partial<RunSummaryView> = {}): RunSummaryView {
  return {
    runId: 'run-1',
    status: 'COMPLETED',
    checkpoint: { index: 1, label: 'before the run', commit: 'a'.repeat(40) },
    files: {
      changed: [
        { path: 'src/a.js', change: 'modified', additions: 110, deletions: 8 },
        { path: 'src/new.js', change: 'added', additions: 10, deletions: 0 },
        { path: 'src/old.js', change: 'deleted', additions: 0, deletions: 0 },
      ],
      total: 3,
      additions: 120,
      deletions: 8,
    },
    tests: { result: 'passed', passed: 12, failed: 0, reportId: 'test-report-1' },
    cost: { actualUsd: 0.41, estimatedUsd: 0.5, unpricedModels: [] },
    findings: { total: 2, byKind: [{ kind: 'stalled', count: 2 }] },
    ...overrides,
  };
}

const ok = () => vi.fn().mockResolvedValue({ ok: true });

describe('RunSummary', () => {
  it('shows the changed files with their line counts, the tests, cost against the estimate and the findings', () => {
    render(RunSummary, { summary: aSummary(), canRollBack: true, request: ok(), onKeep: vi.fn() });
    expect(screen.getByTestId('summary-files-line').textContent?.replace(/\s+/g, ' ').trim()).toBe('3 files +120 −8');
    expect(screen.getAllByTestId('summary-file').map((row) => row.textContent?.replace(/\s+/g, ' ').trim())).toEqual(['M src/a.js +110 −8', 'A src/new.js +10 −0', 'D src/old.js +0 −0']);
    expect(screen.getByTestId('summary-tests').textContent).toBe('12 passed');
    expect(screen.getByTestId('summary-cost').textContent?.trim()).toBe('$0.41 (estimated $0.50)');
    expect(screen.getByTestId('summary-findings').textContent?.trim()).toBe('2: stalled ×2');
  });

  it("opens one file's diff on click, rolls back to the checkpoint before the run and opens all changes, each request valid in the protocol", async () => {
    const request = ok();
    render(RunSummary, { summary: aSummary(), canRollBack: true, request, onKeep: vi.fn() });
    await fireEvent.click(screen.getAllByTestId('summary-file')[1]!);
    expect(request).toHaveBeenLastCalledWith({ type: 'summary/openDiff', path: 'src/new.js' });
    await fireEvent.click(screen.getByTestId('summary-rollback'));
    expect(request).toHaveBeenLastCalledWith({ type: 'checkpoint/rollBack', index: 1 });
    await fireEvent.click(screen.getByTestId('summary-open-changes'));
    expect(request).toHaveBeenLastCalledWith({ type: 'summary/openChanges' });
    for (const [message] of request.mock.calls) expect(WebviewMessageSchema.safeParse({ ...message, requestId: 'r1' }).success).toBe(true);
  });

  it('says tests that were not run, a missing estimate and unpriced models in words', () => {
    render(RunSummary, {
      summary: aSummary({ tests: { result: 'not-run', passed: 0, failed: 0, note: 'Tests were not run: no test script.' }, cost: { actualUsd: 0, unpricedModels: ['local/qwen'] } }),
      canRollBack: true,
      request: ok(),
      onKeep: vi.fn(),
    });
    expect(screen.getByTestId('summary-tests').textContent).toBe('Not run: Tests were not run: no test script.');
    expect(screen.getByTestId('summary-cost').textContent).toContain('no estimate was recorded');
    expect(screen.getByTestId('summary-cost').textContent).toContain('unpriced, counted as $0: local/qwen');
  });

  it('offers no roll back once rolled back, and says what the roll back did', async () => {
    const request = ok();
    render(RunSummary, { summary: aSummary(), rolledBack: { checkpointIndex: 1, label: 'before the run', restored: 2, removed: 1 }, canRollBack: true, request, onKeep: vi.fn() });
    expect(screen.getByTestId('summary-rolled-back').textContent?.replace(/\s+/g, ' ').trim()).toBe('Rolled back to checkpoint 1 (before the run): 2 files restored, 1 created file removed.');
    await fireEvent.click(screen.getByTestId('summary-rollback'));
    expect(request).not.toHaveBeenCalled();
  });

  it("shows the host's refusal on the card", async () => {
    const request = vi.fn().mockResolvedValue({ ok: false, error: 'src/x.js is not a file this run changed, so no diff was opened.' });
    render(RunSummary, { summary: aSummary(), canRollBack: true, request, onKeep: vi.fn() });
    await fireEvent.click(screen.getAllByTestId('summary-file')[0]!);
    expect((await screen.findByTestId('summary-error')).textContent).toContain('not a file this run changed');
  });

  it('appears on the run tab once the run has a summary, Keep dismisses it for that run, and the header says Rolled back instead of Completed', async () => {
    const onUi = vi.fn();
    const run = aRun({ phase: 'COMPLETED', summary: aSummary(), canRollBack: true });
    expect(RunViewSchema.safeParse(run).success).toBe(true);
    const { unmount } = render(RunTab, { state: aState({ run }), ui: defaultUiState(), onUi, request: ok(), loadArtifact: vi.fn() });
    expect(screen.getByTestId('run-summary')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('summary-keep'));
    expect(onUi).toHaveBeenCalledWith({ keptSummary: 'run-1' });
    unmount();
    render(RunTab, { state: aState({ run: { ...run, rolledBack: { checkpointIndex: 1, label: 'before the run', restored: 3, removed: 1 } } }), ui: { ...defaultUiState(), keptSummary: 'run-1' }, onUi, request: ok(), loadArtifact: vi.fn() });
    expect(screen.queryByTestId('run-summary')).toBeNull();
    expect(screen.getByTestId('phase-badge').textContent).toBe('Rolled back');
  });

  it('is not shown while the run has no summary', () => {
    render(RunTab, { state: aState({ run: aRun({ phase: 'COMPLETED' }) }), ui: defaultUiState(), onUi: vi.fn(), request: ok(), loadArtifact: vi.fn() });
    expect(screen.queryByTestId('run-summary')).toBeNull();
    expect(screen.getByTestId('phase-badge').textContent).not.toBe('Rolled back');
  });
});
