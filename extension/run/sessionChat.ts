import type { OrchestrationRun } from '../engine/run/orchestrationRun';
import type { ChatOutcome } from '../engine/run/runChat';
import { mailboxAnswerOf } from '../engine/run/chatMailbox';
import type { MailboxAnswer, MailboxMessage } from '../engine/run/runMailbox';
import { describeError } from '../engine/util/errors';
import type { ChatActionView, ChatMessage, TranscriptEntry } from '../protocol/viewModel';
import type { ScopedLog } from './runLog';

export interface SessionChatOptions {
  run: OrchestrationRun;
  model: { recordChat(message: ChatMessage): void; appendTranscript(agentId: string, entry: TranscriptEntry): void };
  log: ScopedLog;
  sinceStart: () => number;
}

/**
 * The window's chat with the run: the question, a pending answer, then the answer (or the error)
 * go into the dashboard's chat; the Organiser's actions are shown under its answer, proposals with
 * Apply and Dismiss, and an agent's answer also goes into its transcript.
 */
export class SessionChat {
  private chats = 0;
  /** Proposal id → the chat message that shows it, to update when the user answers it. */
  private readonly proposalMessages = new Map<string, ChatMessage>();

  constructor(private readonly options: SessionChatOptions) {}

  /**
   * Answers a message from the run's mailbox (`kilo-orchestra say` in a terminal) as if it had been
   * typed into the dashboard's chat, so the window shows it too.
   */
  async answerMailbox(message: MailboxMessage): Promise<MailboxAnswer> {
    if (message.kind === 'say') {
      const { outcome } = await this.converse('organiser', message.text);
      return mailboxAnswerOf(outcome!);
    }
    try {
      await this.answerProposal(message.proposalId, message.apply);
      return { ok: true, text: `Proposal ${message.proposalId} ${message.apply ? 'applied' : 'dismissed'}.`, actions: [] };
    } catch (error) {
      return { ok: false, text: describeError(error), actions: [] };
    }
  }

  async ask(to: string, text: string): Promise<string> {
    return (await this.converse(to, text)).text;
  }

  /** One exchange, shown in the chat; for the Organiser also what it did (its outcome). */
  private async converse(to: string, text: string): Promise<{ text: string; outcome?: ChatOutcome }> {
    const { run, model, log, sinceStart } = this.options;
    const id = `chat-${run.runId}-${++this.chats}`;
    const toOrganiser = to === 'organiser';
    model.recordChat({ id: `${id}-q`, from: 'user', text: toOrganiser ? text : `@${to} ${text}`, atMs: sinceStart() });
    model.recordChat({ id: `${id}-a`, from: to, text: '', atMs: sinceStart(), pending: true });
    log.info(`User → ${to}: ${text}`);
    try {
      if (toOrganiser) {
        const outcome = await run.chat(text);
        this.showOutcome(`${id}-a`, outcome);
        return { text: outcome.text, outcome };
      }
      const answer = (await run.talkTo(to, text)).text;
      model.recordChat({ id: `${id}-a`, from: to, text: answer, atMs: sinceStart() });
      model.appendTranscript(to, { atMs: sinceStart(), direction: 'from-agent', counterpart: 'user', text: answer });
      log.info(`${to} → user: ${answer}`, this.agentContext(to));
      return { text: answer };
    } catch (error) {
      const message = describeError(error);
      model.recordChat({ id: `${id}-a`, from: to, text: '', atMs: sinceStart(), error: message });
      log.warn(`No answer from ${to}: ${message}`, this.agentContext(to));
      throw error;
    }
  }

  /** Applies or dismisses a proposal; its line in the chat says what became of it. */
  async answerProposal(proposalId: string, apply: boolean): Promise<void> {
    const { run, log } = this.options;
    const message = this.proposalMessages.get(proposalId);
    if (!apply) {
      run.dismissProposal(proposalId);
      log.info(`Proposal ${proposalId} dismissed`);
      this.mark(message, proposalId, { status: 'dismissed' });
      return;
    }
    const result = await run.applyProposal(proposalId);
    log.info(`Proposal ${proposalId} ${result.applied ? 'applied' : 'refused'}: ${result.said}${result.detail ? ` (${result.detail})` : ''}`);
    this.mark(message, proposalId, { status: result.applied ? 'applied' : 'refused', ...(result.detail !== undefined ? { detail: result.detail } : {}) });
    if (!result.applied) throw new Error(`Could not ${result.said}: ${result.detail ?? 'refused'}`);
  }

  private showOutcome(messageId: string, outcome: ChatOutcome): void {
    const { model, log, sinceStart } = this.options;
    const actions: ChatActionView[] = [
      ...outcome.applied.map((note): ChatActionView => ({ said: note.said, status: 'applied', ...(note.detail !== undefined ? { detail: note.detail } : {}) })),
      ...outcome.proposals.map((proposal): ChatActionView => ({ said: proposal.said, status: 'proposed', proposalId: proposal.id })),
      ...outcome.refused.map((note): ChatActionView => ({ said: note.said, status: 'refused', ...(note.detail !== undefined ? { detail: note.detail } : {}) })),
      ...outcome.dropped.map((why): ChatActionView => ({ said: 'an action that could not be read', status: 'refused', detail: why })),
    ].slice(0, 10);
    const message: ChatMessage = { id: messageId, from: 'organiser', text: outcome.text, atMs: sinceStart(), ...(actions.length > 0 ? { actions } : {}) };
    model.recordChat(message);
    for (const proposal of outcome.proposals) this.proposalMessages.set(proposal.id, message);
    log.info(`organiser → user: ${outcome.text}${actions.length > 0 ? ` [${actions.map((action) => `${action.status}: ${action.said}`).join('; ')}]` : ''}`);
  }

  private mark(message: ChatMessage | undefined, proposalId: string, change: Pick<ChatActionView, 'status' | 'detail'>): void {
    if (!message) return;
    const actions = (message.actions ?? []).map((action) => (action.proposalId === proposalId ? { said: action.said, ...change } : action));
    const updated: ChatMessage = { ...message, actions };
    this.proposalMessages.delete(proposalId);
    for (const [id, shown] of this.proposalMessages) if (shown.id === message.id) this.proposalMessages.set(id, updated);
    this.options.model.recordChat(updated);
  }

  private agentContext(agentId: string): { agentId: string; role?: string } {
    const role = this.options.run.agents().find((agent) => agent.id === agentId)?.role;
    return role ? { agentId, role } : { agentId };
  }
}
