import { handleWebviewMessage, type DashboardHostDeps } from './dashboard/webviewRequests';
import { parseWebviewMessage, type HostSingleMessage } from './protocol/dashboardProtocol';
import type { RolesConfigView } from './protocol/rolesView';
import type { DashboardState } from './protocol/viewModel';
import type { OfferChoice, ResumeOfferRecord } from './run/resumeOffer';

/**
 * What `activate` returns. VS Code offers no way to read status bar items or a webview's state
 * from outside, so the real-host tests (test/vscode) read them here. Nothing in it changes
 * behaviour; it only reports (and `saveRolesConfig` takes the roles tab's own path).
 */
export interface OrchestraExtensionApi {
  /** The status bar items the extension shows now, in order (run item first). */
  statusBarItems(): Array<{ id: string; text: string; tooltip: string; command?: string; visible: boolean }>;
  /** The current or last run of this window. */
  currentRun(): { runId: string; phase: string; runDir: string } | undefined;
  /** Resolves when the current run reaches COMPLETED, CANCELLED or FAILED, with its final phase. */
  whenRunFinished(): Promise<{ runId: string; phase: string; reason?: string }>;
  /** Whether the dashboard panel exists and is visible. */
  dashboard(): { open: boolean; visible: boolean };
  /** What the dashboard shows now (the state its webview gets on `ready`). */
  dashboardState(): DashboardState;
  /** Opens the summary card's diff of one changed file, as its click does. */
  openSummaryDiff(file: string): Promise<void>;
  /** Replaces the stored roles configuration (the same path as the roles tab's Save). */
  saveRolesConfig(config: RolesConfigView): Promise<void>;
  /** The log lines written so far to the "Kilo Orchestra" output channel in this session (most recent 2,000). */
  logLines(): string[];
  /** The current or last run's checkpoints, oldest first (index 1 is "before the run"). */
  checkpoints(): Array<{ index: number; label: string; ref: string }>;
  /** The VS Code context keys the commands' `when` clauses read, as the extension last set them. */
  contextKeys(): { runActive: boolean; runPaused: boolean; canRollBack: boolean };
  /** The offers of unfinished runs made at activation, with how each was answered once it was. */
  resumeOffers(): ResumeOfferRecord[];
  /** Resolves with the first offer of an unfinished run (at once if it was made already). */
  whenResumeOffered(): Promise<ResumeOfferRecord>;
  /** Answers an open offer as a click on its button would (the notification itself stays); false when none is open for `runId`. */
  answerResumeOffer(runId: string, choice: OfferChoice): boolean;
  /** The rows the Agents or Runs view shows now, read through its tree provider. */
  viewRows(view: 'agents' | 'runs'): Promise<Array<{ id: string; label: string; description: string; contextValue: string }>>;
  /** Resolves the next time the view's provider tells VS Code to redraw it (subscribed when called). */
  whenViewChanges(view: 'agents' | 'runs'): Promise<void>;
  /**
   * Handles `raw` as a message from the dashboard's webview, through the same schema and handlers
   * (a click on the chat's Send or Apply, a card's Pause); resolves with what the host answered.
   */
  fromDashboard(raw: unknown): Promise<HostSingleMessage[]>;
}

/** Arguments `kiloOrchestra.startOrchestratedTask` accepts when called from code (tests, other extensions). */
export interface StartTaskArgs {
  task: string;
  /** Skip the confirmation that shows the assignments and the cost estimate. */
  skipConfirmation?: boolean;
}

/** The parts of the extension the test API reads; built in `activate`. */
export interface TestApiSources {
  statusBarItems: OrchestraExtensionApi['statusBarItems'];
  session(): { runId: string; phase: string; runDir: string; checkpoints: Array<{ index: number; label: string; ref: string }> } | undefined;
  whenRunFinished: OrchestraExtensionApi['whenRunFinished'];
  dashboard: OrchestraExtensionApi['dashboard'];
  dashboardState: OrchestraExtensionApi['dashboardState'];
  openSummaryDiff: OrchestraExtensionApi['openSummaryDiff'];
  saveRolesConfig: OrchestraExtensionApi['saveRolesConfig'];
  logLines: OrchestraExtensionApi['logLines'];
  contextKeys: OrchestraExtensionApi['contextKeys'];
  resumeOffers: OrchestraExtensionApi['resumeOffers'];
  whenResumeOffered: OrchestraExtensionApi['whenResumeOffered'];
  answerResumeOffer: OrchestraExtensionApi['answerResumeOffer'];
  viewRows: OrchestraExtensionApi['viewRows'];
  whenViewChanges: OrchestraExtensionApi['whenViewChanges'];
  fromDashboard: OrchestraExtensionApi['fromDashboard'];
}

export function createTestApi(sources: TestApiSources): OrchestraExtensionApi {
  return {
    statusBarItems: () => sources.statusBarItems(),
    currentRun: () => {
      const session = sources.session();
      return session && { runId: session.runId, phase: session.phase, runDir: session.runDir };
    },
    whenRunFinished: () => sources.whenRunFinished(),
    dashboard: () => sources.dashboard(),
    dashboardState: () => sources.dashboardState(),
    openSummaryDiff: (file) => sources.openSummaryDiff(file),
    saveRolesConfig: (config) => sources.saveRolesConfig(config),
    logLines: () => sources.logLines(),
    checkpoints: () => sources.session()?.checkpoints.map((checkpoint) => ({ ...checkpoint })) ?? [],
    contextKeys: () => sources.contextKeys(),
    resumeOffers: () => sources.resumeOffers(),
    whenResumeOffered: () => sources.whenResumeOffered(),
    answerResumeOffer: (runId, choice) => sources.answerResumeOffer(runId, choice),
    viewRows: (view) => sources.viewRows(view),
    whenViewChanges: (view) => sources.whenViewChanges(view),
    fromDashboard: (raw) => sources.fromDashboard(raw),
  };
}

/** `fromDashboard`: the message validated as the panel validates it, handled by the panel's own handlers. */
export async function answerAsDashboard(raw: unknown, deps: DashboardHostDeps): Promise<HostSingleMessage[]> {
  const parsed = parseWebviewMessage(raw);
  if (!parsed.ok) throw new Error(`The dashboard would refuse this message: ${parsed.problem}`);
  const posted: HostSingleMessage[] = [];
  await handleWebviewMessage(parsed.message, { deps, post: (message) => posted.push(message) });
  return posted;
}
