import type { AgentPool } from '../agents/agentPool';
import type { ArtifactType } from '../artifacts/artifactSchema';
import type { ArtifactStore } from '../artifacts/artifactStore';
import type { ArtifactInput, WorkRequest } from '../backends/agentBackend';
import type { MessageRouter } from '../routing/messageRouter';
import { ORGANISER_ADDRESS } from '../routing/messageSchema';
import { OrchestraError, describeError, isOrchestraError } from '../util/errors';
import type { WorkItem, WorkResult, WorkflowEvent, WorkflowState } from '../workflow/workflowTypes';
import type { BudgetStop } from './budget';
import { movedProfile } from './breakerFindings';
import { planExcerpt, planReviewPart, readsWholePlan } from './planExcerpt';
import type { RunSpending } from './runSpending';
import type { DiagnosticChecks } from './diagnosticChecks';
import type { WorkRecorder } from './workRecorder';
import { describeWork, workPrompt } from './workPrompts';
import { instancesOf } from '../workflow/workflowRoles';

export interface WorkDispatchOptions {
  task: string;
  pool: Pick<AgentPool, 'ensureAgent' | 'abortWork'> & Partial<Pick<AgentPool, 'warm'>>;
  recorder: Pick<WorkRecorder, 'grantable' | 'recordRefused'>;
  store: Pick<ArtifactStore, 'get' | 'loadContent' | 'list'>;
  router: Pick<MessageRouter, 'send'>;
  spending: Pick<RunSpending, 'admit' | 'release'>;
  /** The machine's state now: it may have paused, or moved an agent, while the work waited. */
  state: () => WorkflowState;
  /** Hands an event to the workflow machine (in order, after those before it). */
  feed: (event: WorkflowEvent) => Promise<void>;
  /** The turn would pass a budget: it is not sent (see BudgetPause). */
  stopForBudget: (stop: BudgetStop, work: WorkItem) => Promise<void>;
  /** Artifacts recorded without a turn (a refused file's), to be announced. */
  recorded: (result: WorkResult) => void;
  /** A custom role's input artifact types (its `inputArtifacts`): its `step` also receives the latest of each. */
  stepInputTypes?: (role: string) => readonly ArtifactType[];
  /** Performs `check` work (the diagnostics gate); the machine only asks for checks when the run has a checker. */
  checks?: Pick<DiagnosticChecks, 'run' | 'abort'>;
}

/** The roles whose work follows each kind of work: their agents are started while it runs. */
const NEXT_ROLES: Partial<Record<WorkItem['kind'], readonly string[]>> = {
  plan: ['organiser', 'code-sceptic'],
  'review-plan': ['primary-coder'],
  'revise-plan': ['code-sceptic'],
  structure: ['secondary-coder', 'code-sceptic'],
  implement: ['documentation-writer', 'debugger'],
};

/** The most artifacts of one type a custom step receives beside the plan and the code. */
const STEP_INPUTS_PER_TYPE = 10;

/** What a piece of work needs before it is sent: its agent, the grants still valid and its inputs. */
interface Prepared {
  agentId: string;
  grants: string[];
  refused: string[];
  inputs: ArtifactInput[];
}

/**
 * Gets the machine's work to its agent: after its retry delay, with its grants checked on disk
 * again, its inputs loaded and its turn admitted by the budget. Results come back through the
 * Organiser's inbox (see workResults.ts).
 */
export class WorkDispatch {
  /** Work waiting for its retry delay, by work id. */
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The last work handed on; the next waits for it (see dispatch). Never rejects. */
  private inOrder: Promise<void> = Promise.resolve();

  constructor(private readonly options: WorkDispatchOptions) {}

  schedule(work: WorkItem, delayMs: number): void {
    if (delayMs <= 0) {
      this.dispatch(work);
      return;
    }
    this.timers.set(
      work.id,
      setTimeout(() => {
        this.timers.delete(work.id);
        this.dispatch(work);
      }, delayMs),
    );
  }

  async abort(workIds: string[]): Promise<void> {
    for (const id of workIds) {
      const timer = this.timers.get(id);
      if (timer === undefined) continue;
      // Work still waiting for its retry delay never reached an agent: abort it here.
      clearTimeout(timer);
      this.timers.delete(id);
      void this.options.feed({ type: 'WORK_ABORTED', workId: id });
    }
    this.options.checks?.abort(workIds);
    this.options.pool.abortWork(workIds);
  }

  /** The run ended: work waiting for its retry delay is never sent. */
  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /**
   * Work is prepared at once (its agent, grants and inputs, which wait on disk and on session
   * starts) but reaches the agents in the order the machine asked for it: an agent's queue, and so
   * the order its turns run and land, then follows the machine's events rather than which file
   * read finished first, and a replay of the same events reproduces it.
   */
  private dispatch(work: WorkItem): void {
    if (work.kind === 'check') return this.check(work);
    this.warmNext(work);
    const prepared = this.prepare(work).then(
      (ready) => ({ ready }),
      (error: unknown) => ({ error }),
    );
    this.inOrder = this.inOrder
      .then(async () => {
        const outcome = await prepared;
        if ('error' in outcome) this.failed(work, outcome.error);
        else await this.send(work, outcome.ready);
      })
      // send catches its own failures; this keeps the line moving should one slip through.
      .catch((error: unknown) => this.failed(work, error));
  }

  /**
   * While this work runs, the agents of the step after it open their sessions, so they are ready
   * when their work comes (and all coders start at once). Step by step rather than all at the
   * start: Kilo answers one session start at a time, and the Architect's first turn should not wait
   * behind the whole team's.
   */
  private warmNext(work: WorkItem): void {
    const config = this.options.state().config;
    const team = (NEXT_ROLES[work.kind] ?? []).flatMap((role) => Array.from({ length: instancesOf(config, role) }, (_, i) => ({ role, instance: i + 1 })));
    if (team.length > 0) this.options.pool.warm?.(team);
  }

  private async prepare(work: WorkItem): Promise<Prepared> {
    const { pool, recorder } = this.options;
    const agent = await pool.ensureAgent(work.role, work.instance, movedProfile(this.options.state(), work));
    // Checked on disk now, not only at planning: a link out may have been made since.
    const grants = await recorder.grantable(work, agent.id);
    const refused = work.grants.filter((grant) => !grants.includes(grant));
    if (work.file !== undefined && refused.includes(work.file)) return { agentId: agent.id, grants, refused, inputs: [] };
    const ids = [...work.inputs, ...this.stepInputs(work)];
    const inputs = await Promise.all(ids.map((id) => this.loadInput(id)));
    return { agentId: agent.id, grants, refused, inputs: inputs.map((input) => this.asRead(work, input)) };
  }

  /** A plan as this work reads it: an excerpt about its files unless it judges the whole plan (planExcerpt.ts). */
  private asRead(work: WorkItem, input: ArtifactInput): ArtifactInput {
    if (input.type !== 'plan' || readsWholePlan(work)) return input;
    const own = work.files ?? (work.file === undefined ? [] : [work.file]);
    const excerpt = work.kind === 'review-plan' ? planReviewPart : planExcerpt;
    return { ...input, files: own, content: excerpt(input.content, this.options.state().files, own) };
  }

  /**
   * A custom step gets the plan and the code from the machine; the other artifact types its role
   * takes as input (the documentation, a test report) come from the store: the newest few of each.
   */
  private stepInputs(work: WorkItem): string[] {
    if (work.kind !== 'step' || !this.options.stepInputTypes) return [];
    const types = this.options.stepInputTypes(work.role).filter((type) => type !== 'plan' && type !== 'code');
    const ids = types.flatMap((type) => this.options.store.list({ type }).slice(-STEP_INPUTS_PER_TYPE).map((record) => record.id));
    return ids.filter((id) => !work.inputs.includes(id));
  }

  private async send(work: WorkItem, { agentId, grants, refused, inputs }: Prepared): Promise<void> {
    const { spending, feed } = this.options;
    try {
      if (work.file !== undefined && refused.includes(work.file)) return await this.skipRefused(work, agentId, refused);
      // The agent is told only of the files it may still write.
      const sent: WorkItem = refused.length === 0 ? work : { ...work, grants, ...(work.files ? { files: work.files.filter((file) => !refused.includes(file)) } : {}) };
      const request: WorkRequest = {
        workId: work.id,
        kind: work.kind,
        prompt: workPrompt(this.options.task, sent),
        grants,
        inputs,
        detail: { file: work.file, files: sent.files, attempt: work.attempt, note: work.note },
        // Every piece of work brings its own inputs (a fix gets the code and the findings), so none
        // needs the agent's earlier conversations, which would only grow each prompt (see ItemConversations).
        freshConversation: true,
      };
      // Paused while the agent and inputs were prepared (the pause's abort missed it): hand it back to be held.
      if (this.options.state().phase === 'PAUSED') return void feed({ type: 'WORK_ABORTED', workId: work.id });
      const stop = spending.admit(work.id, work.role, request);
      // Awaited, so the work in line behind it finds the run paused.
      if (stop) return await this.options.stopForBudget(stop, work);
      this.options.router.send({
        from: ORGANISER_ADDRESS,
        to: agentId,
        messageType: 'request',
        correlationId: work.id,
        payload: { content: describeWork(work), metadata: { work: request, step: describeWork(work), kind: work.kind } },
      });
    } catch (error) {
      this.failed(work, error);
    }
  }

  /** A check is the run's own work, in line with the rest so its result lands in the machine's order. */
  private check(work: WorkItem): void {
    const { checks } = this.options;
    this.inOrder = this.inOrder.then(() => {
      if (checks) checks.run(work);
      else void this.options.feed({ type: 'WORK_DONE', workId: work.id, result: { artifactIds: [], diagnostics: [] } });
    });
  }

  private failed(work: WorkItem, error: unknown): void {
    this.options.spending.release(work.id);
    void this.options.feed({ type: 'WORK_FAILED', workId: work.id, message: describeError(error), retryable: isOrchestraError(error) && error.retryable });
  }

  /** Per-file work whose file was refused: no turn; its artifact says why, and the machine moves on. */
  private async skipRefused(work: WorkItem, agentId: string, refused: string[]): Promise<void> {
    const result = await this.options.recorder.recordRefused(work, agentId, refused);
    this.options.recorded(result);
    void this.options.feed({ type: 'WORK_DONE', workId: work.id, result });
  }

  private async loadInput(id: string): Promise<ArtifactInput> {
    const { store } = this.options;
    const record = store.get(id);
    if (!record) throw new OrchestraError('not-found', `Input artifact ${id} is not in the store.`);
    return { id, type: record.type, summary: record.summary, files: record.metadata.files, content: await store.loadContent(id) };
  }
}
