// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import AgentView from '../../webview/components/AgentView.svelte';
import { anAgent } from './fixtures/dashboardBuilders';

const transcript = [
  { atMs: 1000, direction: 'to-agent' as const, counterpart: 'organiser', text: 'Write src/login.ts' },
  { atMs: 61_000, direction: 'from-agent' as const, counterpart: 'organiser', text: 'Done: login form' },
];

function renderAgent(overrides: Partial<{ request: ReturnType<typeof vi.fn>; draft: string; onClose: () => void; status: 'paused' | 'done'; canChat: boolean }> = {}) {
  const request = overrides.request ?? vi.fn().mockResolvedValue({ ok: true });
  const onClose = overrides.onClose ?? vi.fn();
  render(AgentView, {
    agent: anAgent({ currentStep: 'Writing tests', lastError: 'Timed out once', tokens: { input: 25_000, output: 800 }, ...(overrides.status ? { status: overrides.status } : {}) }),
    ...(overrides.canChat !== undefined ? { canChat: overrides.canChat } : {}),
    transcript,
    request,
    draft: overrides.draft ?? '',
    onDraft: vi.fn(),
    onClose,
  });
  return { request, onClose };
}

describe('AgentView', () => {
  it('shows the agent status, step, model, tokens, cost and last error', () => {
    renderAgent();
    const view = screen.getByTestId('agent-view');
    expect(screen.getByTestId('agent-view-status').textContent).toContain('Working');
    for (const text of ['Writing tests', 'anthropic/claude-sonnet', '25.0k in / 800 out', '$0.12', 'Timed out once']) expect(view.textContent).toContain(text);
  });

  it('shows the transcript in order with who talked to whom', () => {
    renderAgent();
    const lines = screen.getByTestId('agent-transcript').querySelectorAll('li');
    expect(lines[0]?.textContent).toContain('Organiser → Coder 1');
    expect(lines[0]?.textContent).toContain('Write src/login.ts');
    expect(lines[1]?.textContent).toContain('Coder 1 → Organiser · +1m 01s');
  });

  it('sends a message to this agent by its id', async () => {
    const { request } = renderAgent({ draft: 'Please add a test' });
    await fireEvent.click(screen.getByTestId('chat-send-secondary-coder-1'));
    expect(request).toHaveBeenCalledWith({ type: 'chat/send', to: 'secondary-coder-1', text: 'Please add a test' });
  });

  it('closes on request', async () => {
    const { onClose } = renderAgent();
    await fireEvent.click(screen.getByTestId('agent-view-close'));
    expect(onClose).toHaveBeenCalled();
  });

  it('pauses a working agent and resumes a paused one, by its id', async () => {
    const { request } = renderAgent();
    await fireEvent.click(screen.getByTestId('agent-view-pause'));
    expect(request).toHaveBeenCalledWith({ type: 'agent/pause', agentId: 'secondary-coder-1' });
  });

  it('offers Resume for a paused agent and shows why it failed', async () => {
    const request = vi.fn().mockResolvedValue({ ok: false, error: 'No orchestrated task is running in this window.' });
    renderAgent({ status: 'paused', request });
    await fireEvent.click(screen.getByTestId('agent-view-resume'));
    expect(request).toHaveBeenCalledWith({ type: 'agent/resume', agentId: 'secondary-coder-1' });
    expect((await screen.findByRole('alert')).textContent).toContain('No orchestrated task is running');
  });

  it('offers neither for an agent that is done, or without a live run', () => {
    renderAgent({ status: 'done' });
    expect(screen.queryByTestId('agent-view-pause')).toBeNull();
    expect(screen.queryByTestId('agent-view-resume')).toBeNull();
  });
});
