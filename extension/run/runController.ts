/*
 * The window's side of orchestrated tasks: at most one live RunSession, its dashboard model, the
 * status bar and the context keys the commands' `when` clauses read. Commands call in here; the
 * dashboard reads `source()` and `controls()`.
 */
import * as vscode from 'vscode';
import { CONTEXT_KEYS, COMMANDS } from '../commands/commandIds';
import { DashboardModel } from '../dashboard/dashboardModel';
import type { DashboardRunControls, DashboardSource } from '../dashboard/dashboardDeps';
import { latestRunFolder } from '../dashboard/runFolder';
import { readProviderLimits } from '../engine/agents/providerScheduler';
import type { RoleResolution } from '../engine/roles/roleValidation';
import { readBudgets } from '../engine/run/budget';
import type { RunSnapshot } from '../engine/run/runStateStore';
import { mergeBudgets } from '../engine/run/unfinishedRuns';
import type { RunReport } from '../engine/run/runReport';
import type { CommandSettings } from '../engine/shell/commandPolicy';
import { describeError, isOrchestraError } from '../engine/util/errors';
import { TypedEmitter } from '../engine/util/typedEvents';
import { AgentIndicators } from '../statusBar/agentIndicators';
import { RunStatusItem } from '../statusBar/runStatusItem';
import type { StatusItemSnapshot } from '../statusBar/statusItems';
import { agentItems, runItem } from '../statusBar/statusBarText';
import type { KiloEndpoint } from '../kilo/kiloHttp';
import { locateKiloBinary } from '../kilo/kiloBinary';
import { readCommandSettings, type ExtensionCommandSettings } from './commandSettings';
import { startExtensionKiloRuntime } from './kiloRuntime';
import type { RunLog } from './runLog';
import { RunSession, type RunRuntime } from './runSession';
import { vscodeLanguageFeatures } from './languageDiagnostics';
import { showError } from './userErrors';

export const KILO_EXTENSION_ID = 'kilocode.kilo-code';

export interface RunControllerOptions {
  context: vscode.ExtensionContext;
  log: RunLog;
  /** Opens the dashboard (on a tab / agent). */
  showDashboard(focus?: { tab: 'run' | 'roles'; agentId?: string }): void;
  /** Tells an open dashboard that `source()` is now another run. */
  sourceChanged(): void;
  /** Tests: an agents' runtime other than Kilo. */
  runtimeFactory?: (workspace: string, roles: RoleResolution) => Promise<RunRuntime>;
}

/** What `start` needs to continue a saved run instead of starting one. */
export interface ResumeFrom {
  snapshot: RunSnapshot;
  /** The runtime the run ran on when it is not Kilo (a simulated run goes on simulated). */
  runtime?: (workspace: string, roles: RoleResolution) => Promise<RunRuntime>;
}

export type RunControllerEvents = {
  finished: (result: { runId: string; phase: string; reason?: string }) => void;
};

export class RunController implements vscode.Disposable {
  readonly events = new TypedEmitter<RunControllerEvents>();
  private session: RunSession | undefined;
  private model: DashboardModel | undefined;
  private starting = false;
  private lastFinished: { runId: string; phase: string; reason?: string } | undefined;
  private readonly runItem = new RunStatusItem();
  private readonly agentIndicators = new AgentIndicators();
  private readonly sessionSubscriptions: vscode.Disposable[] = [];
  private refreshQueued = false;
  private loadedLatest = false;
  private disposed = false;
  private keys = { runActive: false, runPaused: false, canRollBack: false };

  constructor(private readonly options: RunControllerOptions) {
    void this.setContext();
  }

  /** The live or last session of this window. */
  get current(): RunSession | undefined {
    return this.session;
  }

  get live(): boolean {
    return this.starting || (this.session?.live ?? false);
  }

  /** What the dashboard shows: this window's run, else the newest run on disk (read once, lazily). */
  source(): DashboardSource {
    if (!this.model) {
      this.model = new DashboardModel(budget());
      if (!this.loadedLatest) void this.loadLatestRun();
    }
    return this.model;
  }

  controls(): DashboardRunControls | undefined {
    const session = this.session;
    if (!session) return undefined;
    return {
      pause: () => session.pause(),
      resume: (action, profileId) => session.resume(action, profileId),
      cancel: () => session.cancel(),
      send: (to, text) => session.send(to, text),
      answerProposal: (proposalId, apply) => session.answerProposal(proposalId, apply),
      pauseAgent: (agentId) => session.pauseAgent(agentId),
      resumeAgent: (agentId) => session.resumeAgent(agentId),
      // The command lets the user choose the checkpoint (the newest is often "now") and confirm.
      rollBack: async (index) => {
        await vscode.commands.executeCommand(COMMANDS.rollBackToCheckpoint, index === undefined ? undefined : { index });
      },
    };
  }

  /**
   * Starts a task on the given roles. Returns once the run has started (its first checkpoint
   * taken), not when it finishes. Failures are shown to the user and logged; returns undefined then.
   */
  async start(task: string, roles: RoleResolution, resume?: ResumeFrom): Promise<RunSession | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== 'file') {
      showError(this.options.log, { message: 'Kilo Orchestra needs a folder on disk.', hint: 'Open a folder (a git repository), then start the task again.' }, []);
      return undefined;
    }
    if (this.live) throw new Error('A run is already live in this window; cancel it first.');
    this.starting = true;
    await this.setContext();
    try {
      const session = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: resume ? `Kilo Orchestra: resuming run ${resume.snapshot.runId}…` : 'Kilo Orchestra: starting the agents…' },
        async () => {
          // Read once: the Kilo backend gets the commands, the run the control files.
          const { commands, allowControlFiles } = commandSettings(this.options.log);
          const runtime = await (this.options.runtimeFactory ?? resume?.runtime ?? ((workspace, resolved) => this.kiloRuntime(workspace, resolved, commands)))(folder.uri.fsPath, roles);
          const model = new DashboardModel(budget());
          const settings = vscode.workspace.getConfiguration('kiloOrchestra');
          const providerLimits = readProviderLimits(settings.get<unknown>('providerLimits'), (problem) => this.options.log.warn(problem));
          // Read again on every resume, so raising a budget in the settings lets a paused run go on.
          const settingsBudgets = () => {
            const current = vscode.workspace.getConfiguration('kiloOrchestra');
            return readBudgets(current.get('budgetUsd'), current.get('roleBudgetsUsd'), (problem) => this.options.log.warn(problem));
          };
          // A resumed run keeps the limits it had, except those the settings now set (as `resume --budget-usd` does).
          const budgets = resume ? () => mergeBudgets(resume.snapshot.budgets, settingsBudgets()) : settingsBudgets;
          const started = await RunSession.start({ workspace: folder.uri.fsPath, task, roles, runtime, model, log: this.options.log, maxActive: settings.get<number>('maxActiveAgents', 4), budgets, allowControlFiles, languageFeatures: vscodeLanguageFeatures(vscode), ...(providerLimits ? { providerLimits } : {}), ...(resume ? { restoreFrom: resume.snapshot } : {}) });
          return { started, model };
        },
      );
      this.follow(session.started, session.model);
      return session.started;
    } catch (error) {
      this.options.log.error(`The task could not start: ${describeError(error)}`);
      showError(this.options.log, error, isOrchestraError(error, 'backend-unavailable') ? ['Install Kilo Code', 'Show Log'] : isOrchestraError(error, 'invalid-config') ? ['Configure Agent Roles', 'Show Log'] : ['Retry', 'Show Log'], { retry: () => this.start(task, roles, resume) });
      return undefined;
    } finally {
      this.starting = false;
      await this.setContext();
    }
  }

  /** Shows a run folder on the dashboard (unless this window's run is live, which stays shown); `reveal: false` only redraws an open one. */
  async showRunFolder(runDir: string, options: { reveal?: boolean } = {}): Promise<void> {
    if (!this.live) {
      this.model = await DashboardModel.fromRunFolder(runDir, budget());
      this.loadedLatest = true;
      this.options.sourceChanged();
    }
    if (options.reveal !== false) this.options.showDashboard({ tab: 'run' });
  }

  /** Resolves when the current run (or, with none live, the next one) finishes. */
  whenFinished(): Promise<{ runId: string; phase: string; reason?: string }> {
    const session = this.session;
    if (session && !session.live && this.lastFinished?.runId === session.runId) return Promise.resolve(this.lastFinished);
    return new Promise((resolve) => {
      const subscription = this.events.once('finished', (result) => {
        subscription.dispose();
        resolve(result);
      });
    });
  }

  statusBarItems(): StatusItemSnapshot[] {
    return [...this.runItem.snapshot(), ...this.agentIndicators.snapshot()];
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const subscription of this.sessionSubscriptions.splice(0)) subscription.dispose();
    await this.session?.dispose();
    this.runItem.dispose();
    this.agentIndicators.dispose();
  }

  /** The live run's Kilo server, for model discovery. */
  kiloConnection(): KiloEndpoint | undefined {
    return this.session?.kiloConnection();
  }

  /** The `kilo` binary runs use (for model discovery). */
  async kiloBinaryPath(): Promise<string> {
    const { kiloExtensionPath, kiloPath, extensionPath } = this.binaryOptions();
    return (await locateKiloBinary({ explicitPath: kiloPath, extensionPath: kiloExtensionPath, projectRoot: extensionPath, searchPath: true })).path;
  }

  private binaryOptions(): { kiloExtensionPath?: string; kiloPath?: string; extensionPath: string } {
    const kiloPath = vscode.workspace.getConfiguration('kiloOrchestra').get<string>('kiloPath')?.trim();
    const kiloExtensionPath = vscode.extensions.getExtension(KILO_EXTENSION_ID)?.extensionPath;
    const extensionPath = this.options.context.extensionPath;
    return { ...(kiloExtensionPath ? { kiloExtensionPath } : {}), ...(kiloPath ? { kiloPath } : {}), extensionPath };
  }

  private async kiloRuntime(workspace: string, roles: RoleResolution, commands: CommandSettings): Promise<RunRuntime> {
    const { context, log } = this.options;
    const { kiloExtensionPath, kiloPath, extensionPath } = this.binaryOptions();
    const stallSeconds = vscode.workspace.getConfiguration('kiloOrchestra').get<number>('stallSeconds');
    return startExtensionKiloRuntime({
      workspace,
      roles,
      ...(kiloExtensionPath ? { kiloExtensionPath } : {}),
      ...(kiloPath ? { kiloPath } : {}),
      extensionPath,
      secret: async (name) => (await context.secrets.get(name)) ?? process.env[name],
      // Tests and demos keep Kilo out of the user's home and off the network.
      ...(process.env.KILO_ORCHESTRA_KILO_HOME ? { privateHome: process.env.KILO_ORCHESTRA_KILO_HOME } : {}),
      ...(typeof stallSeconds === 'number' && stallSeconds >= 0 ? { stallMs: stallSeconds * 1000 } : {}),
      commands,
      log: (level, message) => log.write(level, message),
    });
  }

  private follow(session: RunSession, model: DashboardModel): void {
    for (const subscription of this.sessionSubscriptions.splice(0)) subscription.dispose();
    this.session = session;
    this.model = model;
    this.loadedLatest = true;
    this.options.sourceChanged();
    this.sessionSubscriptions.push(
      session.events.on('changed', () => this.queueRefresh()),
      session.events.on('attention', (reason) => void this.onAttention(reason)),
      session.events.on('finished', (report) => this.onFinished(session, report)),
    );
    this.queueRefresh();
  }

  /** Agent events come in bursts; the status bar and context keys are redrawn once per tick. */
  private queueRefresh(): void {
    if (this.refreshQueued) return;
    this.refreshQueued = true;
    setTimeout(() => {
      this.refreshQueued = false;
      this.refresh();
    }, 0);
  }

  private refresh(): void {
    const session = this.session;
    if (!session) {
      this.runItem.update(undefined);
      this.agentIndicators.update([]);
      void this.setContext();
      return;
    }
    const workflow = session.run.workflow;
    const input = {
      runId: session.runId,
      phase: workflow.phase,
      ...(workflow.pausedFrom ? { pausedFrom: workflow.pausedFrom } : {}),
      task: workflow.task,
      agents: session.agents(),
      costUsd: session.costUsd(),
      ...(workflow.attention ? { attention: workflow.attention.reason } : {}),
      ...budget(),
      roles: session.roleNaming,
    };
    this.runItem.update(runItem(input));
    this.agentIndicators.update(agentItems(input, (agent) => session.modelOf(agent)));
    void this.setContext();
  }

  private async onAttention(reason: string): Promise<void> {
    const choice = await vscode.window.showWarningMessage(`Kilo Orchestra needs you: ${reason}`, 'Open Dashboard', 'Show Log');
    if (choice === 'Open Dashboard') this.options.showDashboard({ tab: 'run' });
    if (choice === 'Show Log') await vscode.commands.executeCommand(COMMANDS.showLog);
  }

  private onFinished(session: RunSession, report: RunReport): void {
    const result = { runId: session.runId, phase: report.status, ...(report.reason ? { reason: report.reason } : {}) };
    this.lastFinished = result;
    this.queueRefresh();
    this.events.emit('finished', result);
    const summary = `${report.files.approved}/${report.files.planned} files approved, $${report.costUsd.toFixed(2)}.`;
    const show =
      report.status === 'COMPLETED'
        ? vscode.window.showInformationMessage(`Orchestrated task completed: ${summary}`, 'Open Dashboard')
        : report.status === 'CANCELLED'
          ? vscode.window.showInformationMessage(`Orchestrated task cancelled. ${summary}`, 'Open Dashboard', ...(session.canRollBack ? ['Roll Back'] : []))
          : vscode.window.showErrorMessage(`Orchestrated task failed: ${report.reason ?? 'no reason given'}`, 'Open Dashboard', 'Show Log', ...(session.canRollBack ? ['Roll Back'] : []));
    void show.then(async (choice) => {
      if (choice === 'Open Dashboard') this.options.showDashboard({ tab: 'run' });
      if (choice === 'Show Log') await vscode.commands.executeCommand(COMMANDS.showLog);
      if (choice === 'Roll Back') await vscode.commands.executeCommand(COMMANDS.rollBackToCheckpoint);
    });
  }

  private async loadLatestRun(): Promise<void> {
    this.loadedLatest = true;
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== 'file') return;
    try {
      const runDir = await latestRunFolder(folder.uri.fsPath);
      // A run started meanwhile wins over the one on disk.
      if (!runDir || this.session) return;
      this.model = await DashboardModel.fromRunFolder(runDir, budget());
      this.options.sourceChanged();
    } catch (error) {
      this.options.log.warn(`The last run could not be read back for the dashboard: ${describeError(error)}`);
    }
  }

  /** The context keys as last set. */
  contextKeys(): { runActive: boolean; runPaused: boolean; canRollBack: boolean } {
    return { ...this.keys };
  }

  private async setContext(): Promise<void> {
    const session = this.session;
    this.keys = { runActive: this.live, runPaused: session?.paused ?? false, canRollBack: session?.canRollBack ?? false };
    await Promise.all([
      vscode.commands.executeCommand('setContext', CONTEXT_KEYS.runActive, this.keys.runActive),
      vscode.commands.executeCommand('setContext', CONTEXT_KEYS.runPaused, this.keys.runPaused),
      vscode.commands.executeCommand('setContext', CONTEXT_KEYS.canRollBack, this.keys.canRollBack),
    ]);
  }
}

/** `kiloOrchestra.budgetUsd` and `roleBudgetsUsd` as the model's options (problems are logged when a run starts). */
/** `kiloOrchestra.testCommand`, `allowedCommands` and `allowControlFiles`; problems are logged. */
function commandSettings(log: RunLog): ExtensionCommandSettings {
  const settings = vscode.workspace.getConfiguration('kiloOrchestra');
  return readCommandSettings({ testCommand: settings.get('testCommand'), allowedCommands: settings.get('allowedCommands'), allowControlFiles: settings.get('allowControlFiles') }, (problem) => log.warn(problem));
}

function budget(): { budgetUsd?: number; roleBudgetsUsd?: Record<string, number> } {
  const settings = vscode.workspace.getConfiguration('kiloOrchestra');
  const budgets = readBudgets(settings.get('budgetUsd'), settings.get('roleBudgetsUsd'), () => undefined);
  return { ...(budgets.runUsd !== undefined ? { budgetUsd: budgets.runUsd } : {}), ...(budgets.roleUsd ? { roleBudgetsUsd: budgets.roleUsd } : {}) };
}
