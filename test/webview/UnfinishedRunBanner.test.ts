// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { WebviewMessageSchema } from '../../extension/protocol/dashboardProtocol';
import { defaultUiState } from '../../webview/lib/uiState';
import RunTab from '../../webview/components/RunTab.svelte';
import UnfinishedRunBanner from '../../webview/components/UnfinishedRunBanner.svelte';
import { aRun, aState } from './fixtures/dashboardBuilders';

function renderTab(run: ReturnType<typeof aRun>, request = vi.fn().mockResolvedValue({ ok: true })) {
  render(RunTab, { state: aState({ run }), ui: defaultUiState(), onUi: vi.fn(), request, loadArtifact: vi.fn() });
  return request;
}

describe('UnfinishedRunBanner', () => {
  it('shows a run read from disk that was cut off as Interrupted, and Resume and Discard send their requests for that run, each valid in the protocol', async () => {
    const request = renderTab(aRun({ runId: 'run-7', live: false, unfinished: { kind: 'stopped' } }));
    expect(screen.getByTestId('unfinished-title').textContent).toBe('Interrupted.');
    await fireEvent.click(screen.getByTestId('unfinished-resume'));
    expect(request).toHaveBeenLastCalledWith({ type: 'run/resumeUnfinished', runId: 'run-7' });
    await fireEvent.click(screen.getByTestId('unfinished-discard'));
    expect(request).toHaveBeenLastCalledWith({ type: 'run/discard', runId: 'run-7' });
    for (const [message] of request.mock.calls) expect(WebviewMessageSchema.safeParse({ ...message, requestId: 'r1' }).success).toBe(true);
  });

  it('says Paused for a paused run', () => {
    render(UnfinishedRunBanner, { runId: 'run-1', kind: 'paused', request: vi.fn() });
    expect(screen.getByTestId('unfinished-title').textContent).toBe('Paused.');
  });

  it("shows the extension's refusal in the banner", async () => {
    const request = vi.fn().mockResolvedValue({ ok: false, error: 'Run run-1 is running (run, pid 42); cancel it there instead of discarding it.' });
    render(UnfinishedRunBanner, { runId: 'run-1', kind: 'interrupted', request });
    await fireEvent.click(screen.getByTestId('unfinished-discard'));
    expect((await screen.findByTestId('unfinished-error')).textContent).toContain('cancel it there');
  });

  it('is not shown for a live run, nor for a finished run read from disk', () => {
    renderTab(aRun({ live: true, unfinished: { kind: 'paused' } }));
    expect(screen.queryByTestId('unfinished-banner')).toBeNull();
    renderTab(aRun({ live: false, phase: 'COMPLETED' }));
    expect(screen.queryByTestId('unfinished-banner')).toBeNull();
  });

  it('the protocol refuses a run id that would leave the runs folder', () => {
    expect(WebviewMessageSchema.safeParse({ type: 'run/discard', requestId: 'r1', runId: '..' }).success).toBe(false);
    expect(WebviewMessageSchema.safeParse({ type: 'run/resumeUnfinished', requestId: 'r1', runId: '../x' }).success).toBe(false);
  });
});
