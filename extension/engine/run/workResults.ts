import { readAnswer } from '../routing/messagePayloads';
import type { RouterMessage } from '../routing/messageSchema';
import { describeError, isOrchestraError } from '../util/errors';
import type { WorkItem, WorkResult, WorkflowEvent, WorkflowState } from '../workflow/workflowTypes';
import type { RunJournal } from './runJournal';
import type { RunSpending } from './runSpending';
import type { WorkRecorder } from './workRecorder';

export interface WorkResultsOptions {
  recorder: Pick<WorkRecorder, 'record'>;
  spending: Pick<RunSpending, 'release'>;
  journal: Pick<RunJournal, 'note'>;
  /** The machine's state now, to find the work a message answers. */
  state: () => WorkflowState;
  /** Hands an event to the workflow machine (in order, after those before it). */
  feed: (event: WorkflowEvent) => Promise<void>;
  /** The reply's artifacts are stored: announce them, as recorded by `by`. */
  recorded: (result: WorkResult, by: { agentId: string; role: string; workId: string }) => void;
}

/**
 * The way back from an agent: a reply or status for dispatched work becomes stored artifacts and
 * the machine's WORK_DONE, or WORK_FAILED / WORK_ABORTED, and its budget reservation is released.
 */
export class WorkResults {
  constructor(private readonly options: WorkResultsOptions) {}

  async receive(message: RouterMessage): Promise<void> {
    const { feed, journal } = this.options;
    const workId = message.correlationId;
    this.options.spending.release(workId);
    const work = findWork(this.options.state(), workId);
    // The payload is read through its schema: a damaged one is a failed attempt with its reason.
    const answer = readAnswer(message);
    if (answer.kind === 'aborted') return feed({ type: 'WORK_ABORTED', workId });
    if (answer.kind === 'failed' || !work) {
      const error = answer.kind === 'failed' ? answer.error : { message: `${message.from} answered ${workId}, which is no longer in flight.`, retryable: true };
      return feed({ type: 'WORK_FAILED', workId, message: error.message, retryable: error.retryable });
    }
    try {
      const result = await this.options.recorder.record(work, message.from, answer.reply);
      this.options.recorded(result, { agentId: message.from, role: work.role, workId });
      await feed({ type: 'WORK_DONE', workId, result });
    } catch (error) {
      journal.note({ kind: 'error', agentId: message.from, role: work.role, correlationId: workId, data: { error: describeError(error) } });
      await feed({ type: 'WORK_FAILED', workId, message: describeError(error), retryable: !isOrchestraError(error) || error.retryable });
    }
  }
}

/** In flight, or held back by a pause: a result for either is still recorded. */
function findWork(state: WorkflowState, workId: string): WorkItem | undefined {
  const held = state.deferred.find((effect) => effect.type === 'dispatch' && effect.work.id === workId);
  return state.inFlight[workId] ?? (held?.type === 'dispatch' ? held.work : undefined);
}
