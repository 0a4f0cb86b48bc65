import type { AgentPool } from '../agents/agentPool';
import type { AgentReply, WorkRequest } from '../backends/agentBackend';
import { readAnswer } from '../routing/messagePayloads';
import type { MessageRouter } from '../routing/messageRouter';
import { ORGANISER_ADDRESS, type RouterMessage } from '../routing/messageSchema';
import { OrchestraError, isOrchestraError } from '../util/errors';

/** The Organiser's role id; its one agent is `organiser-1`. */
export const ORGANISER_ROLE = 'organiser';

export interface OrganiserInboxOptions {
  router: MessageRouter;
  pool: AgentPool;
  /**
   * A reply or status about dispatched work (everything that is not an answer to `ask`); the next
   * message is read once the promise it returns settles (see read).
   */
  onWorkMessage: (message: RouterMessage) => void | Promise<void>;
  /** The inbox failed for a reason other than being closed. */
  onFailure: (error: unknown) => Promise<void>;
}

/**
 * The Organiser's address on the router. Results of dispatched work arrive here, and so do the
 * Organiser agent's own answers, which are matched to the question that asked for them.
 */
export class OrganiserInbox {
  private readonly pending = new Map<string, { resolve: (reply: AgentReply) => void; reject: (error: unknown) => void }>();
  private readonly closing = new AbortController();
  private asked = 0;

  constructor(private readonly options: OrganiserInboxOptions) {
    options.router.register(ORGANISER_ADDRESS);
  }

  start(): void {
    void this.read();
  }

  /** Asks the Organiser agent one question through the router, like any other agent's work. */
  async ask(request: WorkRequest): Promise<AgentReply> {
    const agent = await this.options.pool.ensureAgent(ORGANISER_ROLE, 1);
    return this.askAgent(agent.id, { ...request, freshConversation: true }, { step: request.kind === 'decide' ? 'deciding' : 'answering', content: request.kind });
  }

  /**
   * Sends `request` to an existing agent and resolves with its reply. The request joins the agent's
   * mailbox like any work, so it is answered after whatever the agent is doing now.
   */
  askAgent(agentId: string, request: WorkRequest, describe: { step: string; content: string }): Promise<AgentReply> {
    if (this.closing.signal.aborted) return Promise.reject(new OrchestraError('aborted', 'The run has ended.'));
    const correlationId = `${request.workId}-ask${++this.asked}`;
    const reply = new Promise<AgentReply>((resolve, reject) => this.pending.set(correlationId, { resolve, reject }));
    try {
      this.options.router.send({
        from: ORGANISER_ADDRESS,
        to: agentId,
        messageType: 'request',
        correlationId,
        payload: { content: describe.content, metadata: { work: { ...request, workId: correlationId }, step: describe.step, kind: request.kind } },
      });
    } catch (error) {
      this.pending.delete(correlationId);
      return Promise.reject(error);
    }
    return reply;
  }

  /** Stops reading; every question still waiting is answered `aborted`. */
  close(): void {
    this.closing.abort();
    for (const ask of this.pending.values()) ask.reject(new OrchestraError('aborted', 'The run has ended.'));
    this.pending.clear();
  }

  private async read(): Promise<void> {
    for (;;) {
      let message: RouterMessage;
      try {
        message = await this.options.router.next(ORGANISER_ADDRESS, this.closing.signal);
      } catch (error) {
        // Closing is the one expected way out; anything else must not go unseen.
        if (!isOrchestraError(error, 'aborted')) await this.options.onFailure(error);
        return;
      }
      // One message at a time, each handed on before the next is read: answers reach the workflow
      // machine in the order they landed, whatever a result's storing waits for on disk, so the
      // events are the same in a replay that lands the same answers in the same order.
      const ask = this.pending.get(message.correlationId);
      if (!ask) {
        await this.options.onWorkMessage(message);
        continue;
      }
      this.pending.delete(message.correlationId);
      const answer = readAnswer(message);
      if (answer.kind === 'reply') ask.resolve(answer.reply);
      else ask.reject(answer.kind === 'aborted' ? new OrchestraError('aborted', `${message.from} was stopped.`) : answer.error);
      // The asker (the Organiser's decision) hands its answer on in promise callbacks only; they
      // all run before an immediate, so its event is in line before the next message's.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
