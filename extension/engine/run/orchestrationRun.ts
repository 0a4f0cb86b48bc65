import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AgentPool } from '../agents/agentPool';
import { ProviderScheduler } from '../agents/providerScheduler';
import type { AgentRecord } from '../agents/agentSchema';
import { ArtifactStore } from '../artifacts/artifactStore';
import type { ArtifactRecord } from '../artifacts/artifactSchema';
import type { AgentReply, ArtifactInput, Usage, WorkRequest } from '../backends/agentBackend';
import { Organiser } from '../organiser/organiser';
import type { OrganiserSnapshot } from '../organiser/organiserContext';
import { workflowInstances } from '../roles/roleValidation';
import { MessageRouter } from '../routing/messageRouter';
import { ORGANISER_ADDRESS, type RouterMessage } from '../routing/messageSchema';
import { OrchestraError, describeError, isOrchestraError } from '../util/errors';
import { STORE_DIR_NAME } from '../util/paths';
import { TypedEmitter } from '../util/typedEvents';
import { deriveTodoList } from '../workflow/todoList';
import { initialWorkflowState, restore, transition } from '../workflow/workflowMachine';
import {
  DEFAULT_WORKFLOW_CONFIG,
  TERMINAL_PHASES,
  type Attention,
  type DecisionRequest,
  type Effect,
  type OrganiserAction,
  type WorkItem,
  type WorkflowConfig,
  type WorkflowEvent,
  type WorkflowState,
} from '../workflow/workflowTypes';
import { readAnswer, talkProblem, talkRequest } from './agentChat';
import { EventLog } from './eventLog';
import type { BudgetStop, Budgets } from './budget';
import { RunJournal } from './runJournal';
import { buildRunReport, type RunReport } from './runReport';
import { RunStateStore, currentGrants, type PhaseTransition, type RunSnapshot } from './runStateStore';
import { OrganiserInbox, errorFromStatus } from './organiserInbox';
import { RunSpending } from './runSpending';
import { WorkRecorder, type RecordedFinding } from './workRecorder';
import { breakerAnswered, breakerOpened, movedProfile } from './breakerFindings';
import type { OrchestrationRunOptions, RunEvents } from './runTypes';
import { describeWork, workPrompt } from './workPrompts';
import { checkTaskSize } from '../util/limits';

export type { AgentMessageEvent, OrchestrationRunOptions, RunEvents } from './runTypes';

const ORGANISER_ROLE = 'organiser';

/**
 * One orchestrated task: builds the run's services in order, feeds events to the pure workflow
 * machine one at a time, persists the state after every transition and performs the machine's
 * effects (dispatching work through the router, asking the Organiser, aborting on pause).
 */
export class OrchestrationRun {
  readonly events = new TypedEmitter<RunEvents>();
  private state: WorkflowState = initialWorkflowState();
  private readonly transitions: PhaseTransition[] = [];
  private readonly findings: RecordedFinding[] = [];
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private eventChain: Promise<void> = Promise.resolve();
  private ruleFallbacks = 0;
  private startedAt = 0;
  private finished?: (report: RunReport) => void;
  private talks = 0;
  private readonly spending: RunSpending;
  /** Headless: a budget stopped the run, which ends PAUSED once nothing is in flight. */
  private suspending = false;

  private constructor(
    private readonly options: Required<Pick<OrchestrationRunOptions, 'workspace' | 'task' | 'roles' | 'backend' | 'maxActive' | 'onAttention' | 'clock'>> &
      OrchestrationRunOptions,
    readonly runId: string,
    readonly runDir: string,
    private readonly store: ArtifactStore,
    private readonly journal: RunJournal,
    private readonly router: MessageRouter,
    private readonly pool: AgentPool,
    private readonly inbox: OrganiserInbox,
    private readonly organiser: Organiser,
    private readonly recorder: WorkRecorder,
    private readonly stateStore: RunStateStore,
  ) {
    const saved = options.restoreFrom;
    this.spending = new RunSpending({ budgets: options.budgets ?? {}, roles: options.roles, live: () => pool.list(), carried: saved?.agents });
    if (saved) {
      this.state = restore(saved.workflow);
      this.transitions.push(...saved.transitions);
      this.findings.push(...saved.findings);
    }
  }

  static async create(input: OrchestrationRunOptions): Promise<OrchestrationRun> {
    // Whatever the front end, a task past the limit is refused before anything is created.
    checkTaskSize(input.task);
    const options = { maxActive: 4, onAttention: 'wait' as const, clock: Date.now, ...input };
    const runId = options.restoreFrom?.runId ?? options.runId ?? newRunId(options.clock());
    const runDir = path.join(options.workspace, STORE_DIR_NAME, 'runs', runId);
    const store = await ArtifactStore.open(path.join(runDir, 'artifacts'));
    const journal = new RunJournal(await EventLog.open(path.join(runDir, 'events.jsonl')), runId);
    const router = new MessageRouter();
    const pool = new AgentPool({
      backend: options.backend,
      router,
      workspace: options.workspace,
      maxActive: options.maxActive,
      resolveRole: (roleId) => options.roles.resolve(roleId),
      resolveProfile: (profileId) => options.roles.profiles.find((profile) => profile.id === profileId),
      // Simulated traffic reaches no provider: only limits the caller set apply to it.
      scheduler: new ProviderScheduler({
        limits: options.providerLimits ?? {},
        useDefaults: options.backend.kind === 'kilo',
        backoff: { baseMs: options.workflow?.retryBaseMs ?? DEFAULT_WORKFLOW_CONFIG.retryBaseMs, maxMs: 60_000 },
      }),
      now: options.clock,
    });
    let run: OrchestrationRun | undefined;
    const inbox = new OrganiserInbox({
      router,
      pool,
      onWorkMessage: (message) => void run!.onWorkMessage(message),
      onFailure: (error) => run!.crash(error),
    });
    const organiser = new Organiser({
      ask: (request) => run!.askOrganiser(request),
      snapshot: () => run!.organiserSnapshot(),
      budgetTokens: options.organiserBudgetTokens ?? 2000,
      log: (entry) => journal.note({ kind: 'decision', agentId: `${ORGANISER_ROLE}-1`, role: ORGANISER_ROLE, data: entry }),
    });
    const recorder = new WorkRecorder({ store, workspace: options.workspace, onFinding: (finding) => run!.reportFinding(finding), allowControlFiles: options.allowControlFiles });
    run = new OrchestrationRun(options, runId, runDir, store, journal, router, pool, inbox, organiser, recorder, new RunStateStore(runDir));
    run.wire();
    return run;
  }

  /**
   * Starts the run (or continues the saved one) and resolves with its report once it reaches
   * COMPLETED, CANCELLED or FAILED, or PAUSED when a budget stops a headless run.
   */
  async start(): Promise<RunReport> {
    const saved = this.options.restoreFrom;
    this.startedAt = saved ? Date.parse(saved.startedAt) : this.options.clock();
    const done = new Promise<RunReport>((resolve) => (this.finished = resolve));
    this.inbox.start();
    if (saved) {
      // What was approved stays approved; work held at the pause is sent again by RESUME.
      this.journal.note({ kind: 'run', data: { event: 'resumed', from: this.state.pausedFrom, budgets: this.spending.guard.limits, spentUsd: this.spending.guard.spentUsd() } });
      await this.feed({ type: 'RESUME' });
      return done;
    }
    const config: WorkflowConfig = {
      ...DEFAULT_WORKFLOW_CONFIG,
      ...this.options.workflow,
      instances: workflowInstances(this.options.roles),
    };
    this.journal.note({ kind: 'run', data: { event: 'started', task: this.options.task, backend: this.options.backend.kind, config } });
    await this.feed({ type: 'START', task: this.options.task, config });
    return done;
  }

  pause(): Promise<void> {
    return this.feed({ type: 'PAUSE' });
  }

  resume(action?: OrganiserAction): Promise<void> {
    const stop = this.state.phase === 'PAUSED' ? this.state.attention?.decision : undefined;
    return this.feed(action ? { type: 'RESUME', action } : { type: 'RESUME' }).then(() => {
      const finding = this.state.attention?.decision === stop ? undefined : breakerAnswered(stop, action);
      if (finding) this.reportFinding(finding);
    });
  }

  /** New spending limits, e.g. raised by the user before resuming a run a budget paused. */
  setBudgets(budgets: Budgets): void {
    this.spending.setBudgets(budgets);
  }

  cancel(reason = 'Cancelled by the user.'): Promise<void> {
    return this.feed({ type: 'CANCEL', reason });
  }

  /** The user's conversation with the Organiser: each answer is built from a fresh minimal context. */
  chat(message: string): Promise<{ text: string; contextTokens: number }> {
    return this.organiser.answer(message);
  }

  /** The Organiser's plain-words summary of what is happening now and what comes next. */
  explain(): Promise<{ text: string; contextTokens: number }> {
    return this.organiser.explain();
  }

  /**
   * The user's message to one agent, answered in that agent's own session after the work it is
   * doing now. Rejects with `unknown-recipient` / `recipient-terminated` for an agent that cannot
   * answer, and `aborted` when a pause, cancel or the end of the run stops it.
   */
  async talkTo(agentId: string, text: string): Promise<{ text: string; usage: Usage }> {
    const agent = this.pool.get(agentId);
    const problem = talkProblem(agentId, agent, TERMINAL_PHASES.includes(this.state.phase));
    if (problem || !agent) throw problem;
    const reply = await this.inbox.askAgent(agentId, talkRequest(agent, text, ++this.talks), { step: 'answering the user', content: `Message from the user: ${text}` });
    return { text: readAnswer(reply.output), usage: reply.usage };
  }

  get workflow(): WorkflowState {
    return this.state;
  }

  /** Every agent of the run, with cost and turns summed over earlier processes of a resumed run. */
  agents(): AgentRecord[] {
    return this.spending.agents();
  }

  artifacts(): ArtifactRecord[] {
    return this.store.list();
  }

  private wire(): void {
    this.journal.watch(this.router, this.pool);
    this.pool.events.on('agent:statusChanged', (agent: AgentRecord) => this.events.emit('agent:statusChanged', agent));
    this.pool.events.on('agent:stalled', (agent, stall) => this.reportFinding({ kind: 'stalled', message: `${stall.message} (${stall.workId}).`, workId: stall.workId, agentId: agent.id }));
    this.router.events.on('message:sent', (message) =>
      this.events.emit('agent:message', {
        from: message.from,
        to: message.to,
        messageType: message.messageType,
        content: message.payload.content,
        correlationId: message.correlationId,
        atMs: this.startedAt === 0 ? 0 : Math.max(0, this.options.clock() - this.startedAt),
      }),
    );
  }

  /** Events reach the machine strictly one at a time, in arrival order. */
  private feed(event: WorkflowEvent): Promise<void> {
    // The chain never rejects: a failure while applying an event fails the run (see crash).
    this.eventChain = this.eventChain.then(() => this.apply(event)).catch((error: unknown) => this.crash(error));
    return this.eventChain;
  }

  private async apply(event: WorkflowEvent): Promise<void> {
    const before = this.state;
    const result = transition(before, event);
    if (result.rejected) {
      this.journal.note({ kind: 'error', correlationId: 'workId' in event ? event.workId : undefined, data: { rejectedEvent: event.type, why: result.rejected } });
      return;
    }
    this.state = result.state;
    if (before.phase !== this.state.phase) {
      const change: PhaseTransition = { from: before.phase, to: this.state.phase, atMs: this.options.clock() - this.startedAt };
      this.transitions.push(change);
      this.journal.note({ kind: 'transition', data: { ...change, event: event.type } });
      this.events.emit('workflow:transitioned', change, this.state);
      // Pause and resume cascade to every agent, including ones with nothing in flight.
      if (this.state.phase === 'PAUSED') this.pool.pauseAll();
      else if (before.phase === 'PAUSED' && !TERMINAL_PHASES.includes(this.state.phase)) this.pool.resumeAll();
      if (before.phase === 'PAUSED') this.spending.stopped = undefined;
    }
    await this.stateStore.save(this.snapshot());
    this.events.emit('workflow:changed', this.state);
    for (const effect of result.effects) await this.perform(effect);
    if (this.suspending && this.state.phase === 'PAUSED' && Object.keys(this.state.inFlight).length === 0) await this.finish('PAUSED', this.state.attention?.reason);
  }

  private async perform(effect: Effect): Promise<void> {
    switch (effect.type) {
      case 'dispatch':
        return this.scheduleDispatch(effect.work, effect.delayMs ?? 0);
      case 'abort':
        return this.abort(effect.workIds);
      case 'decide':
        void this.decide(effect.request);
        return;
      case 'spawn':
        await this.pool.ensureAgent(effect.role, effect.instance);
        return;
      case 'attention':
        return this.needsAttention(effect.attention);
      case 'artifactStatus':
        return this.setArtifactStatus(effect);
      case 'finish':
        return this.finish(effect.phase, effect.reason);
    }
  }

  private scheduleDispatch(work: WorkItem, delayMs: number): void {
    if (delayMs <= 0) {
      void this.dispatch(work);
      return;
    }
    this.timers.set(
      work.id,
      setTimeout(() => {
        this.timers.delete(work.id);
        void this.dispatch(work);
      }, delayMs),
    );
  }

  private async dispatch(work: WorkItem): Promise<void> {
    try {
      const agent = await this.pool.ensureAgent(work.role, work.instance, movedProfile(this.state, work));
      // Checked on disk now, not only at planning: a link out may have been made since.
      const grants = await this.recorder.grantable(work, agent.id);
      const refused = work.grants.filter((grant) => !grants.includes(grant));
      if (work.file !== undefined && refused.includes(work.file)) return await this.skipRefused(work, agent.id, refused);
      // The agent is told only of the files it may still write.
      const sent: WorkItem = refused.length === 0 ? work : { ...work, grants, ...(work.files ? { files: work.files.filter((file) => !refused.includes(file)) } : {}) };
      const inputs = await Promise.all(work.inputs.map((id) => this.loadInput(id)));
      const request: WorkRequest = {
        workId: work.id,
        kind: work.kind,
        prompt: workPrompt(this.options.task, sent),
        grants,
        inputs,
        detail: { file: work.file, files: sent.files, attempt: work.attempt, note: work.note },
      };
      // Paused while the agent and inputs were prepared (the pause's abort missed it): hand it back to be held.
      if (this.state.phase === 'PAUSED') return await this.feed({ type: 'WORK_ABORTED', workId: work.id });
      const stop = this.spending.admit(work.id, work.role, request);
      if (stop) return await this.stopForBudget(stop, work);
      this.router.send({
        from: ORGANISER_ADDRESS,
        to: agent.id,
        messageType: 'request',
        correlationId: work.id,
        payload: { content: describeWork(work), metadata: { work: request, step: describeWork(work), kind: work.kind } },
      });
    } catch (error) {
      this.spending.release(work.id);
      await this.feed({ type: 'WORK_FAILED', workId: work.id, message: describeError(error), retryable: isOrchestraError(error) && error.retryable });
    }
  }

  /** The Organiser's decisions are turns like any other and count against the budgets too. */
  private async askOrganiser(request: WorkRequest): Promise<AgentReply> {
    if (request.kind !== 'decide') return this.inbox.ask(request);
    const key = `${request.workId}-decide`;
    const stop = this.spending.admit(key, ORGANISER_ROLE, request);
    if (stop) {
      await this.stopForBudget(stop);
      // The decision stays open; the machine asks it again on resume.
      throw new OrchestraError('aborted', stop.reason);
    }
    try {
      return await this.inbox.ask(request);
    } finally {
      this.spending.release(key);
    }
  }

  /**
   * A turn would pass a budget: it is not sent, and the run pauses like the user's Pause (work in
   * flight aborted and held) with the budget as its attention; a headless run then ends PAUSED.
   */
  private async stopForBudget(stop: BudgetStop, work?: WorkItem): Promise<void> {
    this.journal.note({ kind: 'run', correlationId: work?.id, data: { event: 'budget', ...stop } });
    if (this.spending.stopped === undefined) {
      this.spending.stopped = stop;
      this.reportFinding({ kind: 'budget', message: stop.reason, ...(work ? { workId: work.id, agentId: `${work.role}-${work.instance}` } : {}) });
      void this.feed({ type: 'PAUSE', reason: stop.reason });
    }
    // Never sent: handed back to the machine, which holds it until RESUME.
    if (work) await this.feed({ type: 'WORK_ABORTED', workId: work.id });
  }

  /** Per-file work whose file was refused: no turn; its artifact says why, and the machine moves on. */
  private async skipRefused(work: WorkItem, agentId: string, refused: string[]): Promise<void> {
    const result = await this.recorder.recordRefused(work, agentId, refused);
    for (const id of result.artifactIds) {
      const record = this.store.get(id);
      if (record) this.events.emit('artifact:recorded', record);
    }
    await this.feed({ type: 'WORK_DONE', workId: work.id, result });
  }

  private async loadInput(id: string): Promise<ArtifactInput> {
    const record = this.store.get(id);
    if (!record) throw new OrchestraError('not-found', `Input artifact ${id} is not in the store.`);
    return { id, type: record.type, summary: record.summary, files: record.metadata.files, content: await this.store.loadContent(id) };
  }

  private async abort(workIds: string[]): Promise<void> {
    for (const id of workIds) {
      const timer = this.timers.get(id);
      if (timer === undefined) continue;
      // Work still waiting for its retry delay never reached an agent: abort it here.
      clearTimeout(timer);
      this.timers.delete(id);
      void this.feed({ type: 'WORK_ABORTED', workId: id });
    }
    this.pool.abortWork(workIds);
  }

  private async decide(request: DecisionRequest): Promise<void> {
    try {
      const decision = await this.organiser.decide(request);
      if (decision.source === 'rule') this.ruleFallbacks += 1;
      this.events.emit('decision:made', request, decision);
      await this.feed({ type: 'DECIDE', decisionId: request.id, action: decision.action });
    } catch (error) {
      // A pause or cancel aborted the question; the machine asks again on resume.
      if (isOrchestraError(error, 'aborted')) return;
      this.journal.note({ kind: 'error', data: { decision: request.id, error: describeError(error) } });
    }
  }

  private async needsAttention(attention: Attention): Promise<void> {
    const broken = breakerOpened(attention);
    if (broken && !this.findings.some((finding) => finding.kind === broken.kind && finding.workId === broken.workId && finding.message === broken.message)) this.reportFinding(broken);
    this.events.emit('run:attention', attention);
    this.journal.note({ kind: 'run', data: { event: 'attention', reason: attention.reason } });
    if (this.options.onAttention === 'fail') {
      if (this.spending.stopped) {
        this.suspending = true;
        return;
      }
      void this.feed({ type: 'FAIL', reason: `The run needs a decision and no one is there to make it: ${attention.reason}` });
    }
  }

  private async setArtifactStatus(effect: Extract<Effect, { type: 'artifactStatus' }>): Promise<void> {
    const record = this.store.get(effect.artifactId);
    if (!record) return;
    const approvalStatus = effect.status === 'approved' ? 'approved' : effect.status === 'needs-revision' ? 'rejected' : record.metadata.approvalStatus;
    const revised = await this.store.revise(effect.artifactId, record.metadata.version, {
      status: effect.status,
      approvalStatus,
      ...(effect.reviewedBy ? { reviewedBy: effect.reviewedBy } : {}),
    });
    this.events.emit('artifact:statusChanged', revised);
  }

  private async onWorkMessage(message: RouterMessage): Promise<void> {
    const workId = message.correlationId;
    this.spending.release(workId);
    const work = findWork(this.state, workId);
    const meta = message.payload.metadata;
    if (meta.aborted === true) return this.feed({ type: 'WORK_ABORTED', workId });
    const reply = meta.reply as AgentReply | undefined;
    if (!reply || !work) {
      const error = errorFromStatus(message);
      return this.feed({ type: 'WORK_FAILED', workId, message: error.message, retryable: error.retryable });
    }
    try {
      const result = await this.recorder.record(work, message.from, reply);
      for (const id of result.artifactIds) {
        const record = this.store.get(id);
        if (record) this.events.emit('artifact:recorded', record);
        if (record) this.journal.note({ kind: 'artifact', agentId: message.from, role: work.role, correlationId: workId, data: { id, type: record.type, version: record.metadata.version, summary: record.summary } });
      }
      await this.feed({ type: 'WORK_DONE', workId, result });
    } catch (error) {
      this.journal.note({ kind: 'error', agentId: message.from, role: work.role, correlationId: workId, data: { error: describeError(error) } });
      await this.feed({ type: 'WORK_FAILED', workId, message: describeError(error), retryable: !isOrchestraError(error) || error.retryable });
    }
  }

  private organiserSnapshot(): OrganiserSnapshot {
    return {
      task: this.options.task,
      workflow: this.state,
      todo: deriveTodoList(this.state),
      artifacts: this.store.summaries(),
      agents: this.pool.list(),
      roles: this.options.roles.roles.filter((role) => role.active),
      skills: this.options.skills ?? [],
    };
  }

  private reportFinding(finding: RecordedFinding): void {
    this.findings.push(finding);
    this.events.emit('run:finding', finding);
    this.journal.note({ kind: 'error', agentId: finding.agentId, correlationId: finding.workId, data: finding });
  }

  private snapshot(): Omit<RunSnapshot, 'formatVersion'> {
    return {
      runId: this.runId,
      task: this.options.task,
      workspace: this.options.workspace,
      backend: this.options.backend.kind,
      startedAt: new Date(this.startedAt).toISOString(),
      savedAt: new Date(this.options.clock()).toISOString(),
      workflow: this.state,
      agents: this.spending.agents(),
      todo: deriveTodoList(this.state),
      grants: currentGrants(this.state),
      transitions: this.transitions,
      findings: this.findings,
      profiles: { ...this.options.roles.assignments },
      budgets: this.spending.guard.limits,
      spent: this.spending.spent(),
    };
  }

  /** The end of this process's part of the run: terminal, or PAUSED by a budget (resumable from state.json). */
  private async finish(phase: (typeof TERMINAL_PHASES)[number] | 'PAUSED', reason?: string): Promise<void> {
    this.suspending = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.inbox.close();
    if (phase === 'COMPLETED') for (const agent of this.pool.list()) this.pool.markDone(agent.id);
    const agents = this.spending.agents();
    if (phase === 'PAUSED') await this.stateStore.save(this.snapshot());
    await this.pool.terminateAll();
    this.journal.note({ kind: 'run', data: { event: 'finished', status: phase, reason } });
    const logProblem = await this.journal.close();
    if (logProblem) this.findings.push({ kind: 'event-log', message: logProblem });
    const report = buildRunReport({
      runId: this.runId,
      status: phase,
      reason,
      backend: this.options.backend.kind,
      task: this.options.task,
      workspace: this.options.workspace,
      transitions: this.transitions,
      agents,
      profiles: this.options.roles.profiles,
      artifacts: this.store.list(),
      files: { planned: this.state.files.length, approved: this.state.files.filter((f) => f.stage === 'approved').length },
      organiser: { ...this.organiser.stats(), ruleFallbacks: this.ruleFallbacks, budgetTokens: this.options.organiserBudgetTokens ?? 2000 },
      concurrency: { maxActiveAgents: this.pool.maxActiveObserved, maxActiveLimit: this.options.maxActive },
      findings: this.findings,
      budget: this.spending.report(),
      wallMs: this.options.clock() - this.startedAt,
      runDir: this.runDir,
    });
    this.events.emit('run:finished', report);
    this.finished?.(report);
  }

  private async crash(error: unknown): Promise<void> {
    // A bug or an I/O failure while applying an event: fail the run loudly rather than hang.
    const reason = `Internal error: ${describeError(error)}`;
    this.journal.note({ kind: 'error', data: { fatal: reason } });
    if (!TERMINAL_PHASES.includes(this.state.phase)) {
      this.state = { ...this.state, phase: 'FAILED', outcome: { reason } };
      await this.finish('FAILED', reason);
    }
  }
}

/** In flight, or held back by a pause: a result for either is still recorded. */
function findWork(state: WorkflowState, workId: string): WorkItem | undefined {
  const held = state.deferred.find((effect) => effect.type === 'dispatch' && effect.work.id === workId);
  return state.inFlight[workId] ?? (held?.type === 'dispatch' ? held.work : undefined);
}

function newRunId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\..+$/, '').replace('T', '-');
  return `run-${stamp}-${randomBytes(3).toString('hex')}`;
}
