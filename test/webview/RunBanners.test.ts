// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import InvalidMessagesBanner from '../../webview/components/InvalidMessagesBanner.svelte';
import RunBanners from '../../webview/components/RunBanners.svelte';
import { aRun } from './fixtures/dashboardBuilders';

describe('RunBanners', () => {
  it('shows why the run needs the user and a button for each way on', () => {
    render(RunBanners, { run: aRun({ attention: { reason: 'The review failed three times.', options: ['fix_file', 'accept_file'] } }), request: vi.fn() });
    const banner = screen.getByTestId('attention-banner');
    expect(banner.textContent).toContain('The review failed three times.');
    expect(screen.getByTestId('attention-option-fix_file').textContent).toBe('Fix file');
    expect(screen.getByTestId('attention-option-accept_file').textContent).toBe('Accept file');
  });

  it('answers the decision with the chosen action, and plain resume and cancel with their own requests', async () => {
    const request = vi.fn().mockResolvedValue({ ok: true });
    const { unmount } = render(RunBanners, { run: aRun({ attention: { reason: 'Loop limit.', options: ['accept_file'] } }), request });
    await fireEvent.click(screen.getByTestId('attention-option-accept_file'));
    expect(request).toHaveBeenLastCalledWith({ type: 'workflow/resume', action: 'accept_file' });
    unmount();
    render(RunBanners, { run: aRun({ attention: { reason: 'Work failed three times.', options: ['resume', 'cancel'] } }), request });
    await fireEvent.click(screen.getByTestId('attention-option-resume'));
    expect(request).toHaveBeenLastCalledWith({ type: 'workflow/resume' });
    await fireEvent.click(screen.getByTestId('attention-option-cancel'));
    expect(request).toHaveBeenLastCalledWith({ type: 'workflow/cancel' });
  });

  it('at a circuit breaker offers retry, skip and one "Reassign to" button per offered profile, each answer carrying its profile', async () => {
    const request = vi.fn().mockResolvedValue({ ok: true });
    const attention = {
      reason: 'implement of src/a.ts by secondary-coder-1 failed 3 times; last error: HTTP 503',
      options: ['retry_work', 'reassign_work', 'skip_work'],
      reassignTo: [
        { id: 'spare', label: 'openai/gpt-x' },
        { id: 'local', label: 'local/qwen' },
      ],
    };
    render(RunBanners, { run: aRun({ attention }), request });
    expect(screen.getByTestId('attention-option-retry_work').textContent).toBe('Retry');
    expect(screen.getByTestId('attention-option-skip_work').textContent).toBe('Skip this step');
    expect(screen.queryByTestId('attention-option-reassign_work')).toBeNull();
    expect(screen.getByTestId('attention-reassign-local').textContent).toBe('Reassign to local/qwen');
    await fireEvent.click(screen.getByTestId('attention-reassign-spare'));
    expect(request).toHaveBeenLastCalledWith({ type: 'workflow/resume', action: 'reassign_work', profileId: 'spare' });
    await fireEvent.click(screen.getByTestId('attention-option-skip_work'));
    expect(request).toHaveBeenLastCalledWith({ type: 'workflow/resume', action: 'skip_work' });
  });

  it('shows the reason when the run refuses the answer', async () => {
    const request = vi.fn().mockResolvedValue({ ok: false, error: '"fix_file" is not an answer to this stop: choose one of: accept_file.' });
    render(RunBanners, { run: aRun({ attention: { reason: 'Loop limit.', options: ['fix_file'] } }), request });
    await fireEvent.click(screen.getByTestId('attention-option-fix_file'));
    expect((await screen.findByTestId('attention-error')).textContent).toContain('choose one of: accept_file');
  });

  it('offers no answers for a run read back from disk', () => {
    render(RunBanners, { run: aRun({ live: false, attention: { reason: 'Loop limit.', options: ['fix_file'] } }), request: vi.fn() });
    expect(screen.getByTestId('attention-banner').textContent).toContain('Loop limit.');
    expect(screen.queryByTestId('attention-option-fix_file')).toBeNull();
  });

  it('shows no banner for a run that is going well', () => {
    render(RunBanners, { run: aRun(), request: vi.fn() });
    expect(screen.queryByTestId('attention-banner')).toBeNull();
    expect(screen.queryByTestId('outcome-banner')).toBeNull();
  });

  it.each([
    ['FAILED', 'The run failed'],
    ['CANCELLED', 'The run was cancelled'],
  ] as const)('shows how a %s run ended, with the reason', (phase, words) => {
    render(RunBanners, { run: aRun({ phase, outcome: 'Budget of $2.00 reached.' }), request: vi.fn() });
    const banner = screen.getByTestId('outcome-banner');
    expect(banner.textContent).toContain(words);
    expect(banner.textContent).toContain('Budget of $2.00 reached.');
  });

  it('offers a roll-back when a checkpoint exists and sends it', async () => {
    const request = vi.fn().mockResolvedValue({ ok: false, error: 'Git is not available.' });
    render(RunBanners, { run: aRun({ phase: 'FAILED', canRollBack: true }), request });
    await fireEvent.click(screen.getByTestId('rollback-button'));
    expect(request).toHaveBeenCalledWith({ type: 'checkpoint/rollBack' });
    expect((await screen.findByRole('alert')).textContent).toBe('Git is not available.');
  });

  it('offers no roll-back without a checkpoint', () => {
    render(RunBanners, { run: aRun({ phase: 'CANCELLED', canRollBack: false }), request: vi.fn() });
    expect(screen.queryByTestId('rollback-button')).toBeNull();
  });
});

describe('InvalidMessagesBanner', () => {
  it('says how many messages were ignored and can be dismissed', async () => {
    const onDismiss = vi.fn();
    render(InvalidMessagesBanner, { count: 2, lastProblem: 'message agents/didChange: agents.0.id: expected string', onDismiss });
    expect(screen.getByTestId('invalid-messages-banner').textContent).toContain('ignored 2 messages');
    await fireEvent.click(screen.getByTestId('invalid-messages-dismiss'));
    expect(onDismiss).toHaveBeenCalled();
  });

  it('is absent when nothing was ignored', () => {
    render(InvalidMessagesBanner, { count: 0, onDismiss: vi.fn() });
    expect(screen.queryByTestId('invalid-messages-banner')).toBeNull();
  });
});
