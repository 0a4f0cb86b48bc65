import type { AgentPool } from '../agents/agentPool';
import type { AgentRecord } from '../agents/agentSchema';
import type { MessageRouter } from '../routing/messageRouter';
import { ORGANISER_ADDRESS, type RouterMessage } from '../routing/messageSchema';
import { describeError } from '../util/errors';
import type { EventLog } from './eventLog';
import type { EventLogInput, EventNote } from './eventLogSchema';

/**
 * The run's side of the event log: every entry carries the run id, and every router message and
 * agent status change is recorded as it happens, for debugging and replay.
 */
export class RunJournal {
  constructor(
    private readonly log: EventLog,
    private readonly runId: string,
  ) {}

  /**
   * Appends without waiting; `entry` is typed per kind, so a new kind needs its schema first. A failed write is kept by the log and surfaces at `close`, where it
   * becomes a finding in the report instead of an unhandled rejection.
   */
  note(entry: EventNote): void {
    this.log.append({ ...entry, runId: this.runId } as EventLogInput).catch(() => undefined);
  }

  watch(router: MessageRouter, pool: AgentPool): void {
    router.events.on('message:sent', (message: RouterMessage) => {
      const { id, from, to, messageType, payload } = message;
      this.note({
        kind: 'message',
        agentId: from === ORGANISER_ADDRESS ? to : from,
        correlationId: message.correlationId,
        data: { id, from, to, messageType, content: payload.content.slice(0, 200) },
      });
    });
    pool.events.on('agent:statusChanged', (agent: AgentRecord) => {
      this.note({ kind: 'agent', agentId: agent.id, role: agent.role, correlationId: agent.currentWorkId, data: { status: agent.status, step: agent.currentStep } });
    });
  }

  /** Waits for every pending write; resolves with what went wrong, if anything did. */
  async close(): Promise<string | undefined> {
    try {
      await this.log.flush();
      return undefined;
    } catch (error) {
      return `The event log is incomplete: ${describeError(error)}`;
    }
  }
}
