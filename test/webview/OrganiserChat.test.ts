// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import OrganiserChat from '../../webview/components/OrganiserChat.svelte';
import type { RequestOutcome } from '../../webview/lib/request';
import { aChatMessage } from './fixtures/dashboardBuilders';

const agentName = (id: string) => (id === 'architect' ? 'Architect' : id);

function renderChat(props: Partial<{ draft: string; request: ReturnType<typeof vi.fn>; canChat: boolean; messages: ReturnType<typeof aChatMessage>[] }> = {}) {
  const onDraft = vi.fn();
  const request = props.request ?? vi.fn().mockResolvedValue({ ok: true });
  render(OrganiserChat, { messages: props.messages ?? [], request, draft: props.draft ?? '', onDraft, agentName, canChat: props.canChat ?? true });
  return { onDraft, request };
}

describe('OrganiserChat', () => {
  it('shows who said what, a pending answer and a failed one', () => {
    renderChat({
      messages: [
        aChatMessage({ id: 'q', from: 'user', text: 'Status?' }),
        aChatMessage({ id: 'a', from: 'organiser', text: '', pending: true }),
        aChatMessage({ id: 'b', from: 'organiser', text: 'Sorry', error: 'The model is rate-limited; try again in a minute.' }),
      ],
    });
    expect(screen.getByTestId('chat-message-q').textContent).toContain('You');
    expect(screen.getByTestId('chat-message-a').textContent).toContain('thinking…');
    expect(screen.getByTestId('chat-message-b').textContent).toContain('rate-limited');
  });

  it('sends the draft to the organiser and clears it when the host accepts', async () => {
    const { request, onDraft } = renderChat({ draft: '  Use sessions, not JWT  ' });
    await fireEvent.click(screen.getByTestId('chat-send-organiser'));
    expect(request).toHaveBeenCalledWith({ type: 'chat/send', to: 'organiser', text: 'Use sessions, not JWT' });
    await vi.waitFor(() => expect(onDraft).toHaveBeenCalledWith(''));
  });

  it('sends on Ctrl+Enter', async () => {
    const { request } = renderChat({ draft: 'Go on' });
    await fireEvent.keyDown(screen.getByTestId('chat-input-organiser'), { key: 'Enter', ctrlKey: true });
    expect(request).toHaveBeenCalledWith({ type: 'chat/send', to: 'organiser', text: 'Go on' });
  });

  it('keeps the draft and shows the error when sending fails', async () => {
    const request = vi.fn().mockResolvedValue({ ok: false, error: 'No task is running.' } satisfies RequestOutcome);
    const { onDraft } = renderChat({ draft: 'Hello', request });
    await fireEvent.click(screen.getByTestId('chat-send-organiser'));
    expect((await screen.findByRole('alert')).textContent).toBe('No task is running.');
    expect(onDraft).not.toHaveBeenCalled();
  });

  it('reports typing as the new draft', async () => {
    const { onDraft } = renderChat();
    await fireEvent.input(screen.getByTestId('chat-input-organiser'), { target: { value: 'Hi' } });
    expect(onDraft).toHaveBeenCalledWith('Hi');
  });

  it('does not send an empty draft, and shows the button disabled', async () => {
    const { request } = renderChat({ draft: '   ' });
    const send = screen.getByTestId('chat-send-organiser');
    expect(send.hasAttribute('disabled')).toBe(true);
    await fireEvent.click(send);
    expect(request).not.toHaveBeenCalled();
  });

  it('does not send while no live run can answer, and says why', async () => {
    const { request } = renderChat({ draft: 'Hello', canChat: false });
    expect(screen.getByTestId('organiser-chat').textContent).toContain('while a task runs in this window');
    await fireEvent.click(screen.getByTestId('chat-send-organiser'));
    expect(request).not.toHaveBeenCalled();
  });

  it("shows the Organiser's actions under its answer, with Apply and Dismiss for a proposal", async () => {
    const { request } = renderChat({
      messages: [
        aChatMessage({
          id: 'a',
          from: 'organiser',
          text: 'Adding the report.',
          actions: [
            { said: 'add src/report.js to the plan (overdue loans)', status: 'proposed', proposalId: 'p1' },
            { said: 'leave documentation out of this run', status: 'applied' },
            { said: 'add ../x.js to the plan', status: 'refused', detail: '../x.js is outside the workspace.' },
          ],
        }),
      ],
    });
    const shown = screen.getByTestId('chat-actions-a').textContent ?? '';
    expect(shown).toContain('Proposed:');
    expect(shown).toContain('Done:');
    expect(shown).toContain('Not done:');
    expect(shown).toContain('../x.js is outside the workspace.');

    await fireEvent.click(screen.getByTestId('apply-p1'));
    expect(request).toHaveBeenCalledWith({ type: 'chat/answerProposal', proposalId: 'p1', apply: true });
    await fireEvent.click(screen.getByTestId('dismiss-p1'));
    expect(request).toHaveBeenCalledWith({ type: 'chat/answerProposal', proposalId: 'p1', apply: false });
  });
});
