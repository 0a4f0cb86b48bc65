/*
 * One live orchestrated task in this window, on the host side: the run, its Kilo runtime, its
 * checkpoints and the dashboard model it feeds. Implements the dashboard's run controls. No
 * `vscode` import: the controller (runController.ts) turns its events into status bar items,
 * context keys and notifications.
 */
import type { AgentRecord } from '../engine/agents/agentSchema';
import type { ProviderLimits } from '../engine/agents/providerScheduler';
import type { AgentBackend } from '../engine/backends/agentBackend';
import type { RoleDefinition } from '../engine/roles/roleSchema';
import type { RoleResolution } from '../engine/roles/roleValidation';
import { modelName } from '../engine/roles/kiloDefault';
import type { Budgets } from '../engine/run/budget';
import { Checkpoints, rollBackCounts, type Checkpoint, type RollBackResult } from '../engine/run/checkpoints';
import { checkpointRun, type RunCheckpointing } from '../engine/run/runCheckpoints';
import { recordCostEstimate } from '../engine/run/costEstimate';
import { rollBackRecord, writeRollBackRecord } from '../engine/run/rollBackRecord';
import { summariseRun, writeRunSummary, type RunSummary } from '../engine/run/runSummary';
import { startEstimate } from '../config/runEstimate';
import { OrchestrationRun } from '../engine/run/orchestrationRun';
import { newRunId } from '../engine/run/runServices';
import { WorkspaceLock } from '../engine/run/workspaceLock';
import type { RunReport } from '../engine/run/runReport';
import type { RunSnapshot } from '../engine/run/runStateStore';
import type { Disposable } from '../engine/util/disposable';
import { OrchestraError, describeError } from '../engine/util/errors';
import { TypedEmitter } from '../engine/util/typedEvents';
import { OrganiserActionSchema, TERMINAL_PHASES } from '../engine/workflow/workflowTypes';
import type { AttachInfo } from '../dashboard/dashboardModel';
import type { DashboardRunControls } from '../dashboard/dashboardDeps';
import type { KiloEndpoint } from '../kilo/kiloHttp';
import type { RolledBackView } from '../protocol/runSummaryView';
import type { ChatMessage, TranscriptEntry } from '../protocol/viewModel';
import { phaseInWords } from '../protocol/vocabulary';
import type { RunLog, ScopedLog } from './runLog';
import { SessionChat } from './sessionChat';
import { chooseWindowChecker, type LanguageFeatures } from './languageDiagnostics';
import { describeGate, projectChecker } from '../engine/diagnostics/projectChecker';
import { resolveWorkflow } from '../protocol/workflowDefinition';
import { serveRunMailbox } from '../engine/run/chatMailbox';

/** What the session needs of the dashboard model (DashboardModel in the extension). */
export interface RunModel {
  attach(run: OrchestrationRun, info: AttachInfo): Disposable;
  recordChat(message: ChatMessage): void;
  appendTranscript(agentId: string, entry: TranscriptEntry): void;
  setCanRollBack(canRollBack: boolean): void;
  setSummary?(summary: RunSummary): void;
  setRolledBack?(rolledBack: RolledBackView): void;
}

/** The agents' runtime for this run (the Kilo server and its session backend, or a simulated one). */
export interface RunRuntime {
  backend: AgentBackend;
  description: string;
  /** The Kilo server's address while it is up (model discovery asks it instead of starting another). */
  connection?: () => KiloEndpoint | undefined;
  dispose(): Promise<void>;
}

export interface RunSessionOptions {
  workspace: string;
  task: string;
  roles: RoleResolution;
  runtime: RunRuntime;
  model: RunModel;
  log: RunLog;
  maxActive?: number;
  /** Tests: a shorter retry delay. */
  workflow?: { retryBaseMs?: number };
  /** `kiloOrchestra.providerLimits`: caps on model traffic per provider. */
  providerLimits?: ProviderLimits;
  /** The user's budgets as set now; read at the start and again on every resume (the user may have raised them). */
  budgets?: () => Budgets;
  /** `kiloOrchestra.allowControlFiles`: control files agents may write when the plan names them. */
  allowControlFiles?: readonly string[];
  /** Continue this saved run (its id, state and spending) instead of starting a new one. */
  restoreFrom?: RunSnapshot;
  /**
   * VS Code's language features, the diagnostics gate's checker in the window (a `diagnostics.command`
   * in the roles file is preferred when set). Without them the gate uses the project's own checker.
   */
  languageFeatures?: LanguageFeatures;
  now?: () => number;
}

export type RunSessionEvents = {
  /** Anything the status bar or the context keys show changed (phase, agents, cost, checkpoints). */
  changed: () => void;
  finished: (report: RunReport) => void;
  /** The run stopped for a person. */
  attention: (reason: string) => void;
};

/** How long `dispose` waits for a cancelled run to wind down before the runtime is stopped anyway (VS Code gives deactivate a few seconds). */
const DISPOSE_GRACE_MS = 2000;
const EXPLAIN_QUESTION = "Explain in plain words what is happening now and what comes next.";

export class RunSession implements DashboardRunControls {
  readonly events = new TypedEmitter<RunSessionEvents>({ onListenerError: (error, event) => this.log.error(`A listener of ${event} failed: ${describeError(error)}`) });
  /** Resolves with the report when the run reaches COMPLETED, CANCELLED or FAILED. */
  readonly finished: Promise<RunReport>;
  private readonly subscriptions: Disposable[] = [];
  private readonly startedAt: number;
  private readonly now: () => number;
  private readonly log: ScopedLog;
  private report: RunReport | undefined;
  private readonly chat: SessionChat;
  private rollingBack = false;
  private runtimeStopped: Promise<void> | undefined;
  /** The workspace's run lock, released when the run finishes or the session is disposed. */
  private lock: WorkspaceLock | undefined;

  private constructor(
    private readonly options: RunSessionOptions,
    readonly run: OrchestrationRun,
    private readonly checkpoints: Checkpoints,
    /** The checkpoints being taken, so the run is reported finished only after its last one. */
    private readonly checkpointing: RunCheckpointing,
  ) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.log = options.log.scoped({ runId: run.runId });
    this.chat = new SessionChat({ run, model: options.model, log: this.log, sinceStart: () => this.sinceStart() });
    this.subscriptions.push(
      options.model.attach(run, { roles: options.roles, canRollBack: () => this.canRollBack, backend: options.runtime.backend.kind }),
      ...this.followRun(),
      checkpointing,
      // `kilo-orchestra say` in a terminal reaches this run too, and shows in the dashboard's chat.
      serveRunMailbox(run, (message) => this.chat.answerMailbox(message), (line) => this.log.info(line)),
    );
    this.finished = run.start().then((report) => this.onFinished(report));
  }

  /**
   * Creates the run, takes the "before the run" checkpoint and starts it. A failure to checkpoint
   * is logged and the run goes on without roll back; any other failure stops the runtime and is thrown.
   */
  static async start(options: RunSessionOptions): Promise<RunSession> {
    // One run per workspace: refused before anything is created when another run (CLI or window) is live.
    const runId = options.restoreFrom?.runId ?? newRunId((options.now ?? Date.now)());
    const lock = await WorkspaceLock.acquire(options.workspace, { runId, by: 'vscode' }).catch(async (error: unknown) => {
      await options.runtime.dispose();
      throw error;
    });
    const workflow = options.roles.workflow;
    const diagnostics = options.languageFeatures ? chooseWindowChecker({ workspace: options.workspace, workflow, features: options.languageFeatures }) : projectChecker({ workspace: options.workspace, workflow });
    let run: OrchestrationRun;
    try {
      run = await OrchestrationRun.create({
        runId,
        workspace: options.workspace,
        task: options.task,
        roles: options.roles,
        backend: options.runtime.backend,
        onAttention: 'wait',
        ...(options.maxActive !== undefined ? { maxActive: options.maxActive } : {}),
        ...(options.workflow ? { workflow: options.workflow } : {}),
        ...(options.providerLimits ? { providerLimits: options.providerLimits } : {}),
        ...(options.budgets ? { budgets: options.budgets() } : {}),
        ...(options.allowControlFiles?.length ? { allowControlFiles: options.allowControlFiles } : {}),
        ...(options.restoreFrom ? { restoreFrom: options.restoreFrom } : {}),
        ...(diagnostics ? { diagnostics } : {}),
      });
    } catch (error) {
      await lock.release();
      await options.runtime.dispose();
      throw error;
    }
    const log = options.log.scoped({ runId: run.runId });
    if (lock.tookOver) log.warn(`Took over the workspace lock of run ${lock.tookOver.runId} (pid ${lock.tookOver.pid}, since ${lock.tookOver.startedAt}), whose process is gone.`);
    if (options.restoreFrom) log.info(`Resuming from ${options.restoreFrom.workflow.phase}${options.restoreFrom.workflow.pausedFrom ? ` (in ${options.restoreFrom.workflow.pausedFrom})` : ''}, $${options.restoreFrom.spent.totalUsd.toFixed(4)} spent so far`);
    log.info(`Task: ${options.task}`);
    log.info(`Agents run on ${options.runtime.description}`);
    const gateLine = describeGate(diagnostics, options.restoreFrom ? options.restoreFrom.workflow.config.rules?.diagnosticsRounds : resolveWorkflow(workflow).diagnostics.maxRounds);
    if (gateLine) log.info(gateLine);
    // Before any turn, so the ending compares the cost with what was expected (a resumed run keeps its first).
    await recordCostEstimate(run.runDir, () => startEstimate(options.roles)).catch((error: unknown) => log.warn(`No cost estimate recorded: ${describeError(error)}`));
    const checkpoints = new Checkpoints({ workspace: options.workspace, runId: run.runId });
    // A resumed run numbers on from the checkpoints it took before it stopped.
    const firstLabel = options.restoreFrom ? 'before the resume' : 'before the run';
    let session: RunSession | undefined;
    const checkpointing = await checkpointRun(run, checkpoints, {
      taken: (checkpoint) => {
        log.info(`Checkpoint ${checkpoint.index} (${checkpoint.label}) at ${checkpoint.ref}`);
        session?.checkpointTaken();
      },
      failed: (label, error) => log.warn(label === firstLabel ? `No checkpoint, so no roll back for this run: ${describeError(error)}` : `Checkpoint ${label} failed: ${describeError(error)}`),
    }, firstLabel);
    session = new RunSession(options, run, checkpoints, checkpointing);
    session.lock = lock;
    return session;
  }

  get runId(): string {
    return this.run.runId;
  }

  get live(): boolean {
    return !TERMINAL_PHASES.includes(this.run.workflow.phase);
  }

  get paused(): boolean {
    return this.run.workflow.phase === 'PAUSED';
  }

  get canRollBack(): boolean {
    return !this.rollingBack && this.checkpoints.list().length > 0;
  }

  /** The final report, once the run has finished. */
  get finalReport(): RunReport | undefined {
    return this.report;
  }

  agents(): AgentRecord[] {
    return this.run.agents();
  }

  /** The live run's Kilo server, if it runs on one and is up. */
  kiloConnection(): KiloEndpoint | undefined {
    return this.live ? this.options.runtime.connection?.() : undefined;
  }

  /** Agents the user can talk to now. */
  talkableAgents(): AgentRecord[] {
    // The Organiser is asked through `ask('organiser', …)`, from a fresh context, never its session.
    return this.live ? this.run.agents().filter((agent) => agent.role !== 'organiser' && agent.status !== 'terminated' && agent.status !== 'done') : [];
  }

  costUsd(): number {
    return this.run.agents().reduce((sum, agent) => sum + agent.costUsd, 0);
  }

  checkpointList(): Checkpoint[] {
    return this.checkpoints.list();
  }

  /** The run's roles, for naming its agents (protocol/vocabulary.ts `agentDisplayName`). */
  get roleNaming(): readonly RoleDefinition[] {
    return this.options.roles.roles;
  }

  /** "provider/model" of an agent's role ("Kilo default (provider/model)" for the fallback). */
  modelOf(agent: AgentRecord): string | undefined {
    const profile = this.options.roles.profiles.find((candidate) => candidate.id === agent.profileId);
    return profile ? modelName(profile) : undefined;
  }

  pause(): Promise<void> {
    this.log.info('Pause requested');
    return this.run.pause();
  }

  /**
   * Resumes the run; `action` answers the decision it stopped for. An action the decision does not
   * offer is refused here with the choices, since the machine would only drop it silently.
   */
  resume(action?: string, profileId?: string): Promise<void> {
    if (this.options.budgets) this.run.setBudgets(this.options.budgets());
    if (action === undefined) {
      this.log.info('Resume requested');
      return this.run.resume();
    }
    const offered: string[] = this.run.workflow.attention?.decision?.options.filter((option) => option !== 'escalate') ?? [];
    const chosen = OrganiserActionSchema.shape.action.safeParse(action);
    if (!chosen.success || !offered.includes(chosen.data)) {
      const choices = offered.length > 0 ? `choose one of: ${offered.join(', ')}` : 'the run is not waiting for a decision; use Resume';
      return Promise.reject(new OrchestraError('invalid-input', `"${action}" is not an answer to this stop: ${choices}.`));
    }
    // Reassigning names one of the user's own profiles; any other id is refused here, in words.
    const profile = chosen.data === 'reassign_work' ? this.options.roles.profiles.find((candidate) => candidate.id === profileId) : undefined;
    if (chosen.data === 'reassign_work' && !profile) {
      const known = this.options.roles.profiles.map((candidate) => candidate.id).join(', ');
      return Promise.reject(new OrchestraError('invalid-input', `Reassigning needs one of your profiles (${known}), not "${profileId ?? ''}".`));
    }
    this.log.info(`Resume requested with the user's answer: ${chosen.data}${profile ? ` (to ${profile.id})` : ''}`);
    return this.run.resume({ action: chosen.data, reason: 'Chosen by the user on the dashboard.', ...(profile ? { profileId: profile.id } : {}) });
  }

  cancel(): Promise<void> {
    this.log.info('Cancel requested');
    return this.run.cancel();
  }

  /** The Organiser's plain-words account of the run now; question and answer also go into the chat. */
  explain(): Promise<string> {
    return this.ask('organiser', `${EXPLAIN_QUESTION} (Asked while ${phaseInWords(this.run.workflow.phase).toLowerCase()}.)`);
  }

  /**
   * A message to the Organiser (`to === 'organiser'`) or one agent. The question, a pending answer
   * and then the answer (or the error) go into the chat; for an agent also into its transcript.
   * Resolves with the answer; rejects with the error after recording it.
   */
  async send(to: string, text: string): Promise<void> {
    await this.ask(to, text);
  }

  ask(to: string, text: string): Promise<string> {
    return this.chat.ask(to, text);
  }

  /** Pauses one agent; the rest of the team goes on (see OrchestrationRun.pauseAgent). */
  pauseAgent(agentId: string): Promise<void> {
    this.log.info(`Pause of ${agentId} requested`);
    return this.run.pauseAgent(agentId);
  }

  resumeAgent(agentId: string): Promise<void> {
    this.log.info(`Resume of ${agentId} requested`);
    return this.run.resumeAgent(agentId);
  }

  /** Applies or dismisses one of the Organiser's proposals (the chat's Apply / Dismiss). */
  answerProposal(proposalId: string, apply: boolean): Promise<void> {
    return this.chat.answerProposal(proposalId, apply);
  }

  /** Restores the workspace to the newest checkpoint (the dashboard's "Roll back"). */
  async rollBack(): Promise<void> {
    const latest = this.checkpoints.latest();
    if (!latest) throw new Error('This run has no checkpoint to roll back to.');
    await this.rollBackTo(latest);
  }

  /** Cancels the run if it is still going (agents must not write while files are restored), then restores `checkpoint`. */
  async rollBackTo(checkpoint: Checkpoint): Promise<RollBackResult> {
    if (this.live) {
      this.log.info(`Cancelling the run to roll back to checkpoint ${checkpoint.index}`);
      await this.run.cancel('Cancelled to roll back to a checkpoint.');
      await this.finished;
    }
    this.rollingBack = true;
    this.changed();
    try {
      const result = await this.checkpoints.rollBack(checkpoint);
      const record = rollBackRecord(checkpoint, result);
      this.options.model.setRolledBack?.({ checkpointIndex: record.checkpointIndex, label: record.label, restored: record.restored, removed: record.removed });
      await writeRollBackRecord(this.run.runDir, record).catch((error: unknown) => this.log.warn(`The roll back was not noted in the run's folder: ${describeError(error)}`));
      this.log.info(`Rolled back to checkpoint ${checkpoint.index} (${checkpoint.label}): ${rollBackCounts(result)}${result.removed.length ? ` (${result.removed.slice(0, 10).join(', ')}${result.removed.length > 10 ? ' …' : ''})` : ''}`);
      return result;
    } finally {
      this.rollingBack = false;
      this.changed();
    }
  }

  /** Cancels a live run, waits briefly for it to wind down, and stops the runtime (the Kilo server). */
  async dispose(): Promise<void> {
    if (this.live) {
      void this.run.cancel('The window was closed.');
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, DISPOSE_GRACE_MS)))]);
      clearTimeout(timer);
    }
    await this.stopRuntime();
    await this.lock?.release();
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
  }

  private followRun(): Disposable[] {
    const events = this.run.events;
    return [
      events.on('workflow:transitioned', (change) => {
        this.log.info(`Phase ${change.from} → ${change.to}`);
        this.changed();
      }),
      events.on('agent:statusChanged', (agent) => {
        const detail = agent.status === 'needs-attention' && agent.lastError ? `: ${agent.lastError}` : agent.currentStep ? ` — ${agent.currentStep}` : '';
        this.log[agent.status === 'needs-attention' ? 'warn' : 'debug'](`${agent.status}${detail}`, { agentId: agent.id, role: agent.role });
        this.changed();
      }),
      events.on('decision:made', (request, decision) =>
        this.log.info(`Decision at ${request.point}${request.file ? ` (${request.file})` : ''}: ${decision.action.action} — ${decision.action.reason}${decision.source === 'rule' ? ' [built-in rule]' : ''}`, { agentId: 'organiser-1', role: 'organiser' }),
      ),
      events.on('artifact:recorded', (artifact) => this.log.info(`Artifact ${artifact.id} v${artifact.metadata.version} (${artifact.type}): ${artifact.summary}`, { agentId: artifact.producer, role: artifact.role })),
      events.on('run:finding', (finding) => this.log.warn(`${finding.kind}: ${finding.message}`, finding.agentId ? { agentId: finding.agentId } : undefined)),
      events.on('run:attention', (attention) => {
        this.log.warn(`The run needs you: ${attention.reason}`);
        this.events.emit('attention', attention.reason);
        this.changed();
      }),
    ];
  }

  private checkpointTaken(): void {
    this.options.model.setCanRollBack(this.canRollBack);
    this.changed();
  }

  private async onFinished(report: RunReport): Promise<RunReport> {
    this.report = report;
    await this.checkpointing.settled();
    // The newest checkpoint is now the workspace as the run left it: the summary counts up to it.
    report.summary = await summariseRun({ report, checkpoints: this.checkpoints.list(), onProblem: (problem) => this.log.warn(problem) });
    this.options.model.setSummary?.(report.summary);
    await writeRunSummary(this.run.runDir, report.summary).catch((error: unknown) => this.log.warn(`The run's summary was not kept in its folder: ${describeError(error)}`));
    this.log.info(`Run ${report.status}${report.reason ? `: ${report.reason}` : ''} — ${report.files.approved}/${report.files.planned} files approved, $${report.costUsd.toFixed(4)}`);
    // Agents are terminated with the run: the server has nothing left to do.
    await this.stopRuntime();
    await this.lock?.release();
    this.options.model.setCanRollBack(this.canRollBack);
    this.changed();
    this.events.emit('finished', report);
    return report;
  }

  private stopRuntime(): Promise<void> {
    this.runtimeStopped ??= this.options.runtime.dispose().catch((error: unknown) => this.log.warn(`Stopping the agents' runtime failed: ${describeError(error)}`));
    return this.runtimeStopped;
  }

  private sinceStart(): number {
    return Math.max(0, this.now() - this.startedAt);
  }

  private changed(): void {
    this.events.emit('changed');
  }
}
