// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { emptyDashboardState } from '../../extension/protocol/viewModel';
import RunTab from '../../webview/components/RunTab.svelte';
import { defaultUiState, type UiState } from '../../webview/lib/uiState';
import { anAgent, anArtifact, aRun, aState } from './fixtures/dashboardBuilders';

function renderTab(state = aState(), ui: Partial<UiState> = {}) {
  const onUi = vi.fn();
  const loadArtifact = vi.fn().mockResolvedValue({ ok: true, artifact: { artifactId: 'plan-1', version: 1, content: '# Plan' } });
  const request = vi.fn().mockResolvedValue({ ok: true });
  render(RunTab, { state, ui: { ...defaultUiState(), ...ui }, onUi, request, loadArtifact });
  return { onUi, loadArtifact, request };
}

describe('RunTab', () => {
  it('shows the empty state with the command to run when there is no run', () => {
    renderTab(emptyDashboardState());
    expect(screen.getByTestId('empty-state').textContent).toContain('Kilo Orchestra: Start Orchestrated Task');
    expect(screen.queryByTestId('run-header')).toBeNull();
  });

  it('opens the selected artifact right under its entry in the list', async () => {
    renderTab(aState({ artifacts: [anArtifact({ id: 'plan-1', type: 'plan' }), anArtifact({ id: 'code-1' })] }), { selectedArtifactId: 'plan-1' });
    const item = screen.getByTestId('artifact-plan-1').closest('li')!;
    expect(item.querySelector('[data-testid="artifact-viewer"]')).not.toBeNull();
    expect((await screen.findByTestId('artifact-content')).textContent).toBe('# Plan');
    expect(screen.getAllByTestId('artifact-viewer')).toHaveLength(1);
  });

  it('reports selecting an agent, and unselecting it with a second click', async () => {
    const { onUi } = renderTab(aState({ agents: [anAgent({ id: 'architect' })] }), { selectedAgentId: 'architect' });
    await fireEvent.click(screen.getByTestId('agent-card-architect'));
    expect(onUi).toHaveBeenCalledWith({ selectedAgentId: undefined });
  });

  it('turns chat off once the run has finished, saying why', () => {
    renderTab(aState({ run: aRun({ phase: 'COMPLETED' }) }));
    expect((screen.getByTestId('chat-input-organiser') as HTMLTextAreaElement).disabled).toBe(true);
  });

  it('turns chat off for a run read back from disk', () => {
    renderTab(aState({ run: aRun({ live: false }) }));
    expect((screen.getByTestId('chat-input-organiser') as HTMLTextAreaElement).disabled).toBe(true);
  });

  it('keeps a draft per recipient and drops one that was emptied', async () => {
    const { onUi } = renderTab(aState(), { drafts: { organiser: 'old', architect: 'note' } });
    await fireEvent.input(screen.getByTestId('chat-input-organiser'), { target: { value: '' } });
    expect(onUi).toHaveBeenCalledWith({ drafts: { architect: 'note' } });
  });
});
