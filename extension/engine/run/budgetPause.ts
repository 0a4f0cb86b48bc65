import type { AgentReply, WorkRequest } from '../backends/agentBackend';
import { OrchestraError } from '../util/errors';
import { agentIdOf } from '../workflow/workflowRoles';
import type { WorkItem, WorkflowEvent, WorkflowState } from '../workflow/workflowTypes';
import type { BudgetStop } from './budget';
import { ORGANISER_ROLE } from './organiserInbox';
import type { RunJournal } from './runJournal';
import type { RunSpending } from './runSpending';
import type { RecordedFinding } from './workRecorder';

export interface BudgetPauseOptions {
  spending: Pick<RunSpending, 'admit' | 'release' | 'stopped'>;
  journal: Pick<RunJournal, 'note'>;
  reportFinding: (finding: RecordedFinding) => void;
  /** Hands an event to the workflow machine (in order, after those before it). */
  feed: (event: WorkflowEvent) => Promise<void>;
  /** Asks the Organiser agent, once its turn is admitted. */
  ask: (request: WorkRequest) => Promise<AgentReply>;
}

/**
 * What happens when a turn would pass a budget: it is not sent, and the run pauses like the user's
 * Pause (work in flight aborted and held) with the budget as its attention. A headless run then
 * ends PAUSED, resumable, once nothing is in flight, instead of failing for want of a person.
 */
export class BudgetPause {
  /** Headless: a budget stopped the run, which ends PAUSED once nothing is in flight. */
  private suspending = false;

  constructor(private readonly options: BudgetPauseOptions) {}

  /** Stops for `stop`; `work` is the turn refused, if it was role work (not a decision). */
  async stop(stop: BudgetStop, work?: WorkItem): Promise<void> {
    const { spending, journal } = this.options;
    journal.note({ kind: 'run', correlationId: work?.id, data: { event: 'budget', ...stop } });
    if (spending.stopped === undefined) {
      spending.stopped = stop;
      this.options.reportFinding({ kind: 'budget', message: stop.reason, ...(work ? { workId: work.id, agentId: agentIdOf(work.role, work.instance) } : {}) });
      void this.options.feed({ type: 'PAUSE', reason: stop.reason });
    }
    // Never sent: handed back to the machine, which holds it until RESUME.
    if (work) await this.options.feed({ type: 'WORK_ABORTED', workId: work.id });
  }

  /** The Organiser's decisions are turns like any other and count against the budgets too. */
  async askOrganiser(request: WorkRequest): Promise<AgentReply> {
    if (request.kind !== 'decide') return this.options.ask(request);
    const key = `${request.workId}-decide`;
    const stop = this.options.spending.admit(key, ORGANISER_ROLE, request);
    if (stop) {
      await this.stop(stop);
      // The decision stays open; the machine asks it again on resume.
      throw new OrchestraError('aborted', stop.reason);
    }
    try {
      return await this.options.ask(request);
    } finally {
      this.options.spending.release(key);
    }
  }

  /**
   * A headless run needs a person: true when a budget stopped it, which then ends PAUSED (see
   * `mayEnd`) rather than failing.
   */
  suspendIfStopped(): boolean {
    if (this.options.spending.stopped === undefined) return false;
    this.suspending = true;
    return true;
  }

  /** True when a headless run a budget stopped may end now: paused, with nothing in flight. */
  mayEnd(state: WorkflowState): boolean {
    return this.suspending && state.phase === 'PAUSED' && Object.keys(state.inFlight).length === 0;
  }

  /** The run left PAUSED: a later refusal pauses it again. */
  resumed(): void {
    this.options.spending.stopped = undefined;
  }

  /** The run ended: nothing is left to suspend. */
  ended(): void {
    this.suspending = false;
  }
}
