import os from 'node:os';
import * as vscode from 'vscode';
import type { CommandDeps } from './commands/commandDeps';
import { registerCommands } from './commands/registerCommands';
import { ModelDiscovery } from './config/modelDiscovery';
import { OrchestrationConfigManager } from './config/orchestrationConfigManager';
import { extensionKiloDefault } from './config/kiloDefaultSource';
import { RolesTab } from './config/rolesController';
import { vscodeRolesDialogs } from './config/rolesDialogs';
import { DashboardPanel } from './dashboard/dashboardPanel';
import { registerCheckpointContent, summaryDiffs } from './dashboard/diffContent';
import { resolveInWorkspace } from './engine/util/paths';
import { RunController } from './run/runController';
import { RunLog } from './run/runLog';
import { ResumeOffers } from './run/resumeOffer';
import { dashboardUnfinishedControls, type UnfinishedRunDeps } from './run/unfinishedRunActions';
import { answerAsDashboard, createTestApi, type OrchestraExtensionApi } from './testApi';
import { registerViews, type OrchestraViews } from './views/registerViews';

let controller: RunController | undefined;

/**
 * Builds the extension's services in order and registers them; nothing here reads files, starts
 * processes or asks the network: the Kilo server starts with the first task, model discovery when
 * the roles tab first needs it.
 */
export function activate(context: vscode.ExtensionContext): OrchestraExtensionApi {
  // Reported in the log for the benchmarks (bench/extensionActivation.bench.ts): our share of startup.
  const activationStartedMs = performance.now();
  const channel = vscode.window.createOutputChannel('Kilo Orchestra', { log: true });
  const log = new RunLog(channel);
  const info = (line: string) => log.info(line);
  const config = new OrchestrationConfigManager({
    globalState: context.globalState,
    workspaceState: context.workspaceState,
    // A role nobody assigned runs on the user's Kilo default; `discovery` is built below, asked only later.
    kiloDefault: () => extensionKiloDefault(workspacePath(), discovery.cached(), process.env.KILO_ORCHESTRA_KILO_HOME),
    log: info,
  });
  let views: OrchestraViews | undefined;
  const runs = new RunController({
    context,
    log,
    showDashboard: (focus) => DashboardPanel.show(focus),
    sourceChanged: () => {
      views?.runChanged();
      DashboardPanel.sourceChanged();
    },
  });
  controller = runs;
  const discovery = new ModelDiscovery({
    binaryPath: () => runs.kiloBinaryPath(),
    cwd: workspacePath() ?? os.homedir(),
    liveConnection: () => runs.kiloConnection(),
    log: info,
  });
  const unfinished: UnfinishedRunDeps = { controller: runs, log, roles: { resolution: () => config.resolution() } };
  const diffs = summaryDiffs(workspacePath);
  context.subscriptions.push(registerCheckpointContent(workspacePath));
  const rolesTab = new RolesTab({ config, discovery, dialogs: vscodeRolesDialogs(), isRunLive: () => runs.live, secrets: context.secrets, log: info });
  const dashboardDeps = {
    extensionUri: context.extensionUri,
    source: () => runs.source(),
    controls: () => runs.controls(),
    roles: rolesTab,
    unfinished: dashboardUnfinishedControls(unfinished),
    openFile: (file: string) => openWorkspaceFile(file),
    diffs,
    log: info,
  };
  DashboardPanel.register(context, dashboardDeps);
  const deps: CommandDeps = {
    controller: runs,
    log,
    channel,
    secrets: context.secrets,
    roles: { resolution: () => config.resolution(), costEstimate: () => config.costEstimate(discovery.cached()?.models ?? []) },
    showDashboard: (focus) => DashboardPanel.show(isFocus(focus) ? focus : { tab: 'run' }),
  };
  views = registerViews({ controller: runs, roles: () => config.resolution(), showDashboard: deps.showDashboard, warn: (line) => log.warn(line) });
  context.subscriptions.push(channel, rolesTab, ...registerCommands(deps), views, { dispose: () => void runs.dispose() });

  // Only run folders are read here; nothing starts unless the user answers Resume.
  const offers = new ResumeOffers({ workspaceState: context.workspaceState, actions: unfinished, log });
  void offers.offerAtActivation(workspacePath());

  const api = createTestApi({
    statusBarItems: () => runs.statusBarItems(),
    session: () => {
      const session = runs.current;
      return session && { runId: session.runId, phase: session.run.workflow.phase, runDir: session.run.runDir, checkpoints: session.checkpointList() };
    },
    whenRunFinished: () => runs.whenFinished(),
    dashboard: () => DashboardPanel.state(),
    dashboardState: () => runs.source().state(),
    openSummaryDiff: async (file) => {
      const summary = runs.source().state().run?.summary;
      const change = summary?.files?.changed.find((candidate) => candidate.path === file);
      if (!summary || !change) throw new Error(`${file} is not in the run summary.`);
      await diffs.openDiff(summary, change);
    },
    saveRolesConfig: (view) => rolesTab.save(view),
    logLines: () => log.recent(),
    contextKeys: () => runs.contextKeys(),
    resumeOffers: () => offers.offers(),
    whenResumeOffered: () => offers.whenOffered(),
    answerResumeOffer: (runId, choice) => offers.answer(runId, choice),
    viewRows: (view) => views?.rows(view) ?? Promise.resolve([]),
    whenViewChanges: (view) => views?.nextChange(view) ?? Promise.resolve(),
    fromDashboard: (raw) => answerAsDashboard(raw, dashboardDeps),
  });
  info(`Activated in ${Math.round(performance.now() - activationStartedMs)} ms; the extension host had been up ${Math.round(process.uptime() * 1000)} ms.`);
  return api;
}

/** Stops a live run and the Kilo server with it; VS Code waits for the returned promise. */
export async function deactivate(): Promise<void> {
  await controller?.dispose();
  controller = undefined;
}

function workspacePath(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
}

async function openWorkspaceFile(file: string): Promise<void> {
  const workspace = workspacePath();
  if (!workspace) throw new Error('No folder is open.');
  await vscode.window.showTextDocument(vscode.Uri.file(resolveInWorkspace(workspace, file)), { preview: true });
}

/** Menus pass their own arguments (a Uri …); only a dashboard focus is taken as one. */
function isFocus(value: unknown): value is { tab: 'run' | 'roles'; agentId?: string } {
  return typeof value === 'object' && value !== null && ((value as { tab?: unknown }).tab === 'run' || (value as { tab?: unknown }).tab === 'roles');
}
