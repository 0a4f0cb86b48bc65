// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { PhaseView } from '../../extension/protocol/viewModel';
import RunHeader from '../../webview/components/RunHeader.svelte';
import { aCost, aRun } from './fixtures/dashboardBuilders';

const enabled = (id: string) => !screen.getByTestId(id).hasAttribute('disabled');

describe('RunHeader', () => {
  it('shows the task, the phase and the cost against the budget', () => {
    render(RunHeader, { run: aRun({ phase: 'CODE_REVIEW' }), cost: aCost({ totalUsd: 1.2, budgetUsd: 5 }), request: vi.fn() });
    expect(screen.getByRole('heading').textContent).toBe('Add a login page');
    expect(screen.getByTestId('phase-badge').textContent).toBe('Reviewing the code');
    expect(screen.getByTestId('header-cost').textContent).toBe('$1.20 / $5.00');
  });

  it.each<[PhaseView, boolean, boolean, boolean]>([
    ['PLANNING', true, false, true],
    ['CODE_IMPLEMENTATION', true, false, true],
    ['PAUSED', false, true, true],
    ['IDLE', false, false, false],
    ['COMPLETED', false, false, false],
    ['FAILED', false, false, false],
    ['CANCELLED', false, false, false],
  ])('in %s enables pause=%s resume=%s cancel=%s', (phase, pause, resume, cancel) => {
    render(RunHeader, { run: aRun({ phase }), cost: aCost(), request: vi.fn() });
    expect([enabled('pause-button'), enabled('resume-button'), enabled('cancel-button')]).toEqual([pause, resume, cancel]);
  });

  it('disables every control for a run read back from disk', () => {
    render(RunHeader, { run: aRun({ live: false }), cost: aCost(), request: vi.fn() });
    expect([enabled('pause-button'), enabled('resume-button'), enabled('cancel-button')]).toEqual([false, false, false]);
    expect(screen.getByTestId('not-live-badge')).toBeTruthy();
  });

  it('shows which phase a paused run stopped in', () => {
    render(RunHeader, { run: aRun({ phase: 'PAUSED', pausedFrom: 'CODE_FIXING' }), cost: aCost(), request: vi.fn() });
    expect(screen.getByTestId('phase-badge').textContent).toBe('Paused (while fixing the code)');
  });

  it('sends pause, and not resume, from a running phase', async () => {
    const request = vi.fn().mockResolvedValue({ ok: true });
    render(RunHeader, { run: aRun(), cost: aCost(), request });
    await fireEvent.click(screen.getByTestId('resume-button'));
    await fireEvent.click(screen.getByTestId('pause-button'));
    expect(request.mock.calls).toEqual([[{ type: 'workflow/pause' }]]);
  });

  it('sends resume and cancel from a paused run', async () => {
    const request = vi.fn().mockResolvedValue({ ok: true });
    render(RunHeader, { run: aRun({ phase: 'PAUSED' }), cost: aCost(), request });
    await fireEvent.click(screen.getByTestId('resume-button'));
    await vi.waitFor(() => expect(enabled('cancel-button')).toBe(true));
    await fireEvent.click(screen.getByTestId('cancel-button'));
    expect(request.mock.calls).toEqual([[{ type: 'workflow/resume' }], [{ type: 'workflow/cancel' }]]);
  });

  it('shows the host error when an action fails', async () => {
    render(RunHeader, { run: aRun(), cost: aCost(), request: vi.fn().mockResolvedValue({ ok: false, error: 'The run is already pausing.' }) });
    await fireEvent.click(screen.getByTestId('pause-button'));
    expect((await screen.findByTestId('run-action-error')).textContent).toBe('The run is already pausing.');
  });
});
