import { resolveWorkflow } from '../../protocol/workflowDefinition';
import { workflowRules } from '../workflow/workflowRules';
import { DiagnosticChecks } from './diagnosticChecks';
import type { AgentPool } from '../agents/agentPool';
import type { AgentRecord } from '../agents/agentSchema';
import type { ArtifactStore } from '../artifacts/artifactStore';
import type { ArtifactRecord } from '../artifacts/artifactSchema';
import type { Usage } from '../backends/agentBackend';
import type { Organiser } from '../organiser/organiser';
import type { OrganiserSnapshot } from '../organiser/organiserContext';
import { workflowInstances } from '../roles/roleValidation';
import type { MessageRouter } from '../routing/messageRouter';
import { describeError, isOrchestraError } from '../util/errors';
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
  type WorkResult,
  type WorkflowConfig,
  type WorkflowEvent,
  type WorkflowState,
} from '../workflow/workflowTypes';
import { readAnswer, talkProblem, talkRequest } from './agentChat';
import { phaseInWords } from '../../protocol/vocabulary';
import type { Budgets } from './budget';
import { BudgetPause } from './budgetPause';
import type { RunJournal } from './runJournal';
import type { RunReport } from './runReport';
import { reportOf, snapshotOf, type RunRecords } from './runRecords';
import { openRunServices, type RunServices } from './runServices';
import type { PhaseTransition, RunStateStore } from './runStateStore';
import type { OrganiserInbox } from './organiserInbox';
import { RunChat, grantablePathIn, type ChatOutcome } from './runChat';
import { RunSpending } from './runSpending';
import { WorkDispatch } from './workDispatch';
import type { RecordedFinding } from './workRecorder';
import { WorkResults } from './workResults';
import { breakerAnswered, breakerOpened } from './breakerFindings';
import type { OrchestrationRunOptions, ResolvedRunOptions, RunEvents } from './runTypes';
import { checkTaskSize } from '../util/limits';

export type { AgentMessageEvent, OrchestrationRunOptions, RunEvents } from './runTypes';

/**
 * One orchestrated task: feeds events to the pure workflow machine one at a time, persists the
 * state after every transition and performs the machine's effects. Its services are built by
 * runServices.ts; getting work to agents is workDispatch.ts, taking results back workResults.ts,
 * a budget's stop budgetPause.ts, and state.json and the report are built by runRecords.ts.
 */
export class OrchestrationRun {
  readonly events = new TypedEmitter<RunEvents>();
  readonly runId: string;
  readonly runDir: string;
  private state: WorkflowState = initialWorkflowState();
  private readonly transitions: PhaseTransition[] = [];
  private readonly findings: RecordedFinding[] = [];
  private eventChain: Promise<void> = Promise.resolve();
  private ruleFallbacks = 0;
  private startedAt = 0;
  private finished?: (report: RunReport) => void;
  private talks = 0;
  /** Set when a signal ends this process's part of the run (see interrupt). */
  private interrupted: { at: string; signal: string } | undefined;
  private readonly spending: RunSpending;
  private readonly budgetPause: BudgetPause;
  private readonly dispatch: WorkDispatch;
  private readonly results: WorkResults;
  private readonly store: ArtifactStore;
  private readonly journal: RunJournal;
  private readonly router: MessageRouter;
  private readonly pool: AgentPool;
  private readonly inbox: OrganiserInbox;
  private readonly organiser: Organiser;
  private readonly stateStore: RunStateStore;
  private readonly chatting: RunChat;

  private constructor(private readonly options: ResolvedRunOptions, services: RunServices) {
    const { store, journal, router, pool, inbox, recorder } = services;
    this.runId = services.runId;
    this.runDir = services.runDir;
    this.store = store;
    this.journal = journal;
    this.router = router;
    this.pool = pool;
    this.inbox = inbox;
    this.organiser = services.organiser;
    this.stateStore = services.stateStore;
    const saved = options.restoreFrom;
    this.spending = new RunSpending({ budgets: options.budgets ?? {}, roles: options.roles, live: () => pool.list(), carried: saved?.agents });
    const feed = (event: WorkflowEvent) => this.feed(event);
    const state = () => this.state;
    this.budgetPause = new BudgetPause({ spending: this.spending, journal, reportFinding: (finding) => this.reportFinding(finding), feed, ask: (request) => inbox.ask(request) });
    this.dispatch = new WorkDispatch({
      task: options.task,
      pool,
      recorder,
      store,
      router,
      spending: this.spending,
      state,
      feed,
      stopForBudget: (stop, work) => this.budgetPause.stop(stop, work),
      recorded: (result) => this.announce(result),
      stepInputTypes: (roleId) => options.roles.roles.find((role) => role.id === roleId)?.inputArtifacts ?? [],
      ...(options.diagnostics ? { checks: new DiagnosticChecks({ checker: options.diagnostics, feed, reportFinding: (finding) => this.reportFinding(finding), noteChecked: (checked) => {
          journal.note({ kind: 'run', data: { event: 'checked', ...checked } });
          this.events.emit('file:checked', checked);
        }, }) } : {}),
    });
    this.chatting = new RunChat({
      answer: (message) => this.organiser.answer(message),
      change: (change) => this.feedChecked({ type: 'USER_CHANGE', change }),
      grantablePath: (path) => grantablePathIn(options.workspace, path, options.allowControlFiles ?? []),
      hasProfile: (profileId) => options.roles.profiles.some((profile) => profile.id === profileId),
      runBudgetUsd: () => this.spending.guard.limits.runUsd,
      setRunBudget: (usd) => {
        const { runUsd: _old, ...rest } = this.spending.guard.limits;
        this.setBudgets(usd === undefined ? rest : { ...rest, runUsd: usd });
      },
      tellAgent: async (agentId, message) => (await this.talkTo(agentId, message)).text,
      pauseAgent: (agentId) => this.pauseAgent(agentId),
      resumeAgent: (agentId) => this.resumeAgent(agentId),
    });
    this.results = new WorkResults({ recorder, spending: this.spending, journal, state, feed, recorded: (result, by) => this.announce(result, by) });
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
    // The services are built first and call the run back through these.
    let run: OrchestrationRun | undefined;
    const services = await openRunServices(options, {
      onWorkMessage: (message) => run!.results.receive(message),
      onFailure: (error) => run!.crash(error),
      askOrganiser: (request) => run!.budgetPause.askOrganiser(request),
      organiserSnapshot: () => run!.organiserSnapshot(),
      reportFinding: (finding) => run!.reportFinding(finding),
    });
    run = new OrchestrationRun(options, services);
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
    const definition = this.options.roles.workflow;
    const limits = resolveWorkflow(definition);
    const config: WorkflowConfig = {
      ...DEFAULT_WORKFLOW_CONFIG,
      maxPlanRevisions: limits.maxPlanRevisions,
      maxFixRounds: limits.maxFixRounds,
      maxTestCycles: limits.maxTestCycles,
      ...this.options.workflow,
      instances: workflowInstances(this.options.roles, this.options.providerLimits),
      rules: workflowRules(this.options.roles.roles, definition, this.options.diagnostics !== undefined),
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

  /**
   * Pauses one agent while the rest of the team goes on: its running turn stops and, with the rest of
   * its queue, waits for resumeAgent. Rejects with `unknown-recipient` for an agent the run does not have.
   */
  async pauseAgent(agentId: string): Promise<void> {
    this.liveAgent(agentId);
    this.journal.note({ kind: 'run', data: { event: 'agent-paused', agentId } });
    this.pool.pauseAgent(agentId);
  }

  async resumeAgent(agentId: string): Promise<void> {
    this.liveAgent(agentId);
    this.journal.note({ kind: 'run', data: { event: 'agent-resumed', agentId } });
    this.pool.resumeAgent(agentId);
  }

  private liveAgent(agentId: string): AgentRecord {
    const agent = this.pool.get(agentId);
    const problem = talkProblem(agentId, agent, TERMINAL_PHASES.includes(this.state.phase));
    if (problem || !agent) throw problem;
    return agent;
  }

  /** New spending limits, e.g. raised by the user before resuming a run a budget paused. */
  setBudgets(budgets: Budgets): void {
    this.spending.setBudgets(budgets);
  }

  cancel(reason = 'Cancelled by the user.'): Promise<void> {
    return this.feed({ type: 'CANCEL', reason });
  }

  /**
   * This process is going away (a signal it caught): work in flight is aborted and held through the
   * machine, as by Pause, state.json says interrupted, and the run ends PAUSED, resumable.
   */
  async interrupt(signal: string): Promise<void> {
    if (TERMINAL_PHASES.includes(this.state.phase) || this.interrupted) return;
    this.interrupted = { at: new Date(this.options.clock()).toISOString(), signal };
    await this.feed({ type: 'PAUSE' });
    await (this.eventChain = this.eventChain.then(() => this.finish('PAUSED', `Interrupted by ${signal}.`)));
  }

  /**
   * The user's conversation with the Organiser: each answer is built from a fresh minimal context,
   * and the actions it takes are checked and applied (or proposed) by runChat.ts.
   */
  chat(message: string): Promise<ChatOutcome> {
    return this.chatting.say(message);
  }

  /** Applies one of the chat's proposals (checked again first); see runChat.ts. */
  applyProposal(id: string): ReturnType<RunChat['applyProposal']> {
    return this.chatting.applyProposal(id);
  }

  dismissProposal(id: string): boolean {
    return this.chatting.dismissProposal(id);
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
    const instance = Number(/-(\d+)$/.exec(agentId)?.[1]);
    const files = agent.role === 'secondary-coder' ? this.state.files.filter((file) => file.coder === instance).map((file) => file.path) : [];
    const context = { phase: phaseInWords(this.state.phase), task: this.state.task || this.options.task, files };
    const reply = await this.inbox.askAgent(agentId, talkRequest(agent, text, ++this.talks, context), { step: 'answering the user', content: `Message from the user: ${text}` });
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
    this.pool.events.on('agent:part', (agentId, line) => this.events.emit('agent:part', agentId, line));
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
    return this.feedChecked(event).then(() => undefined);
  }

  /** As feed, resolving with the machine's reason when it refused the event. */
  private feedChecked(event: WorkflowEvent): Promise<string | undefined> {
    let rejected: string | undefined;
    // The chain never rejects: a failure while applying an event fails the run (see crash).
    this.eventChain = this.eventChain
      .then(async () => {
        rejected = await this.apply(event);
      })
      .catch((error: unknown) => this.crash(error));
    return this.eventChain.then(() => rejected);
  }

  private async apply(event: WorkflowEvent): Promise<string | undefined> {
    const before = this.state;
    const result = transition(before, event);
    if (result.rejected) {
      this.journal.note({ kind: 'error', correlationId: 'workId' in event ? event.workId : undefined, data: { rejectedEvent: event.type, why: result.rejected } });
      return result.rejected;
    }
    if (event.type === 'USER_CHANGE') this.journal.note({ kind: 'run', data: { event: 'changed', change: event.change } });
    this.state = result.state;
    if (before.phase !== this.state.phase) {
      const change: PhaseTransition = { from: before.phase, to: this.state.phase, atMs: this.options.clock() - this.startedAt };
      this.transitions.push(change);
      this.journal.note({ kind: 'transition', data: { ...change, event: event.type } });
      this.events.emit('workflow:transitioned', change, this.state);
      // Pause and resume cascade to every agent, including ones with nothing in flight.
      if (this.state.phase === 'PAUSED') this.pool.pauseAll();
      else if (before.phase === 'PAUSED' && !TERMINAL_PHASES.includes(this.state.phase)) this.pool.resumeAll();
      if (before.phase === 'PAUSED') this.budgetPause.resumed();
    }
    await this.stateStore.save(snapshotOf(this.records()));
    this.events.emit('workflow:changed', this.state);
    for (const effect of result.effects) await this.perform(effect);
    if (this.budgetPause.mayEnd(this.state)) await this.finish('PAUSED', this.state.attention?.reason);
    return undefined;
  }

  private async perform(effect: Effect): Promise<void> {
    switch (effect.type) {
      case 'dispatch':
        return this.dispatch.schedule(effect.work, effect.delayMs ?? 0);
      case 'abort':
        return this.dispatch.abort(effect.workIds);
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
      if (this.budgetPause.suspendIfStopped()) return;
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

  /** Announces the artifacts a result stored; `by` names the turn that produced them, for the event log. */
  private announce(result: WorkResult, by?: { agentId: string; role: string; workId: string }): void {
    for (const id of result.artifactIds) {
      const record = this.store.get(id);
      if (record) this.events.emit('artifact:recorded', record);
      if (record && by) this.journal.note({ kind: 'artifact', agentId: by.agentId, role: by.role, correlationId: by.workId, data: { id, type: record.type, version: record.metadata.version, summary: record.summary } });
    }
  }

  private records(): RunRecords {
    const { options } = this;
    const forkedFrom = options.forkedFrom ?? options.restoreFrom?.forkedFrom;
    return {
      runId: this.runId,
      runDir: this.runDir,
      task: options.task,
      workspace: options.workspace,
      backend: options.backend.kind,
      roles: options.roles,
      startedAt: this.startedAt,
      now: options.clock(),
      workflow: this.state,
      transitions: this.transitions,
      findings: this.findings,
      spending: this.spending,
      ...(this.interrupted ? { interrupted: this.interrupted } : {}),
      ...(forkedFrom ? { forkedFrom } : {}),
    };
  }

  /** The end of this process's part of the run: terminal, or PAUSED by a budget (resumable from state.json). */
  private async finish(phase: (typeof TERMINAL_PHASES)[number] | 'PAUSED', reason?: string): Promise<void> {
    this.budgetPause.ended();
    this.dispatch.clear();
    this.inbox.close();
    if (phase === 'COMPLETED') for (const agent of this.pool.list()) this.pool.markDone(agent.id);
    const agents = this.spending.agents();
    if (phase === 'PAUSED') await this.stateStore.save(snapshotOf(this.records()));
    await this.pool.terminateAll();
    // A paused run may resume in its sessions; a finished one's are put away (archived in Kilo).
    if (phase !== 'PAUSED') await this.options.backend.endRun?.(this.runId).catch(() => undefined);
    this.journal.note({ kind: 'run', data: { event: 'finished', status: phase, reason } });
    const logProblem = await this.journal.close();
    if (logProblem) this.findings.push({ kind: 'event-log', message: logProblem });
    const report = reportOf(this.records(), {
      status: phase,
      reason,
      agents,
      artifacts: this.store.list(),
      organiser: { ...this.organiser.stats(), ruleFallbacks: this.ruleFallbacks, budgetTokens: this.options.organiserBudgetTokens ?? 2000 },
      concurrency: { maxActiveAgents: this.pool.maxActiveObserved, maxActiveLimit: this.options.maxActive },
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
