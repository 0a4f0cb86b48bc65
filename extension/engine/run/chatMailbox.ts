import type { Disposable } from '../util/disposable';
import type { OrchestrationRun } from './orchestrationRun';
import type { ChatOutcome } from './runChat';
import { serveMailbox, type MailboxAnswer, type MailboxMessage } from './runMailbox';

/** What the mailbox needs of a run: its chat and proposals (OrchestrationRun has them). */
export interface ChattingRun {
  chat(message: string): Promise<ChatOutcome>;
  applyProposal(id: string): Promise<{ applied: boolean; said: string; detail?: string }>;
  dismissProposal(id: string): boolean;
}

/** Answers a mailbox message (`kilo-orchestra say`) with the run's chat: the Organiser's words and what it did. */
export function chatMailboxHandler(run: ChattingRun): (message: MailboxMessage) => Promise<MailboxAnswer> {
  return async (message) => {
    if (message.kind === 'say') return mailboxAnswerOf(await run.chat(message.text));
    if (!message.apply) {
      const dismissed = run.dismissProposal(message.proposalId);
      return { ok: dismissed, text: dismissed ? `Proposal ${message.proposalId} dismissed.` : `There is no proposal ${message.proposalId} to dismiss.`, actions: [] };
    }
    const result = await run.applyProposal(message.proposalId);
    return { ok: result.applied, text: result.applied ? `Done: ${result.said}.` : `Not done: ${result.said}. ${result.detail ?? ''}`.trim(), actions: [] };
  };
}

/** A chat outcome as the mailbox answers it: the Organiser's words and a line per action. */
export function mailboxAnswerOf(outcome: ChatOutcome): MailboxAnswer {
  return {
    ok: true,
    text: outcome.text,
    actions: [
      ...outcome.applied.map((note) => ({ status: 'applied' as const, said: note.said, ...(note.detail !== undefined ? { detail: note.detail } : {}) })),
      ...outcome.proposals.map((proposal) => ({ status: 'proposed' as const, said: proposal.said, proposalId: proposal.id })),
      ...outcome.refused.map((note) => ({ status: 'refused' as const, said: note.said, ...(note.detail !== undefined ? { detail: note.detail } : {}) })),
      ...outcome.dropped.map((why) => ({ status: 'refused' as const, said: 'an action that could not be read', detail: why })),
    ],
  };
}

/**
 * Serves the run's mailbox with `handle` from the run's first event on (a resumed run is PAUSED
 * until then, and messages left while it was paused are answered once it goes on), until disposed.
 */
export function serveRunMailbox(run: OrchestrationRun, handle: (message: MailboxMessage) => Promise<MailboxAnswer>, log: (line: string) => void): Disposable {
  let served: Disposable | undefined;
  const started = run.events.on('workflow:changed', () => {
    started.dispose();
    served = serveMailbox(run.runDir, handle, log);
  });
  return {
    dispose: () => {
      started.dispose();
      served?.dispose();
    },
  };
}
