/*
 * The "Kilo Orchestra" activity-bar container: the Agents view (the window's run) and the Runs view
 * (every run of the workspace), and the commands only their menus need. Built once in `activate`.
 */
import * as vscode from 'vscode';
import type { RoleDirectory } from '../dashboard/dashboardProjection';
import { describeError } from '../engine/util/errors';
import type { Disposable } from '../engine/util/disposable';
import type { DashboardFocus } from '../statusBar/statusBarText';
import type { RoleNames } from './agentsTree';
import { AgentsTreeProvider, type AgentsSource } from './agentsView';
import { runStatusWords } from './runsTree';
import { RunsTreeProvider } from './runsView';
import { VIEWS, VIEW_COMMANDS } from './viewIds';
import { firstLine } from './treeNode';

/** What the views need of the window's runs (the RunController). */
export interface ViewsController {
  readonly current: (AgentsSource & { readonly canRollBack: boolean }) | undefined;
  /** A run is live (or starting) in this window. */
  readonly live: boolean;
  readonly events: { on(event: 'finished', listener: () => void): Disposable };
  /** Shows a run folder on the dashboard (a live run of the window stays shown). */
  showRunFolder(runDir: string): Promise<void>;
}

export interface ViewsOptions {
  controller: ViewsController;
  roles(): RoleDirectory;
  showDashboard(focus?: DashboardFocus): void;
  warn(line: string): void;
}

/** One row of a view as VS Code was handed it (for the host tests). */
export interface ViewRow {
  id: string;
  label: string;
  description: string;
  contextValue: string;
}

/** The views as the rest of the extension sees them; the test API reads `rows()`. */
export interface OrchestraViews extends vscode.Disposable {
  /** The window may follow another run now (the controller's `sourceChanged`). */
  runChanged(): void;
  /** The rows a view shows now, read through its provider (top level and, for Agents, each run's agents). */
  rows(view: 'agents' | 'runs'): Promise<ViewRow[]>;
  /** Resolves the next time the view is told to redraw (subscribed at the call). */
  nextChange(view: 'agents' | 'runs'): Promise<void>;
}

export function registerViews(options: ViewsOptions): OrchestraViews {
  const { controller } = options;
  const roleNames: RoleNames = (roleId) => options.roles().roles.find((role) => role.id === roleId)?.name;
  const agents = new AgentsTreeProvider({ session: () => controller.current, roleNames });
  const runs = new RunsTreeProvider({
    workspace: () => workspaceFolder()?.uri.fsPath,
    windowRun: () => {
      const session = controller.current;
      return session && { runId: session.runId, live: session.live, canRollBack: session.canRollBack };
    },
    warn: options.warn,
  });
  const folder = workspaceFolder();
  if (folder) runs.watch(folder);
  let followedRunId = controller.current?.runId;

  const openRun = async (runId?: unknown): Promise<void> => {
    const id = typeof runId === 'string' ? runId : await pickRun(runs);
    if (!id) return;
    if (controller.live && id !== controller.current?.runId) {
      void vscode.window.showInformationMessage(`The dashboard follows the run in progress; run ${id} can be opened once it has finished.`);
      return options.showDashboard({ tab: 'run' });
    }
    const entry = runs.entry(id) ?? (await runs.list()).find((candidate) => candidate.runId === id);
    if (!entry) return void vscode.window.showWarningMessage(`There is no run ${id} in this workspace.`);
    try {
      await controller.showRunFolder(entry.runDir);
    } catch (error) {
      options.warn(`Run ${id} could not be read back: ${describeError(error)}`);
      void vscode.window.showErrorMessage(`Run ${id} could not be read back: ${describeError(error)}`);
    }
  };

  const agentsView = vscode.window.createTreeView(VIEWS.agents, { treeDataProvider: agents });
  const disposables: vscode.Disposable[] = [
    agents,
    runs,
    agentsView,
    // An agent that needs a person shows on the activity bar even while the side bar is closed.
    agents.onDidChangeTreeData(() => (agentsView.badge = agents.badge())),
    vscode.window.createTreeView(VIEWS.runs, { treeDataProvider: runs }),
    vscode.commands.registerCommand(VIEW_COMMANDS.openRun, openRun),
    vscode.commands.registerCommand(VIEW_COMMANDS.refreshRuns, () => runs.refresh()),
  ];
  const finished = controller.events.on('finished', () => {
    agents.follow();
    runs.refresh();
  });

  return {
    runChanged: () => {
      const runId = controller.current?.runId;
      if (runId !== followedRunId) {
        followedRunId = runId;
        runs.refresh();
      }
      agents.follow();
    },
    rows: async (view) => {
      if (view === 'runs') return (await runs.getChildren()).map((runId) => row(runs.getTreeItem(runId)));
      const top = agents.getChildren();
      return [...top, ...top.flatMap((run) => agents.getChildren(run))].map((element) => row(agents.getTreeItem(element)));
    },
    nextChange: (view) =>
      new Promise<void>((resolve) => {
        const subscription = (view === 'runs' ? runs : agents).onDidChangeTreeData(() => {
          subscription.dispose();
          resolve();
        });
      }),
    dispose: () => {
      finished.dispose();
      for (const disposable of disposables.splice(0)) disposable.dispose();
    },
  };
}

function row(item: vscode.TreeItem): ViewRow {
  const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
  return { id: item.id ?? '', label, description: typeof item.description === 'string' ? item.description : '', contextValue: item.contextValue ?? '' };
}

function workspaceFolder(): vscode.WorkspaceFolder | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file' ? folder : undefined;
}

async function pickRun(runs: RunsTreeProvider): Promise<string | undefined> {
  const entries = await runs.list();
  if (entries.length === 0) {
    void vscode.window.showInformationMessage('No run in this workspace yet: start an orchestrated task first.');
    return undefined;
  }
  const items = entries.map((entry) => ({ runId: entry.runId, label: firstLine(entry.task, 80) || entry.runId, description: runStatusWords(entry), detail: entry.runId }));
  return (await vscode.window.showQuickPick(items, { title: 'Open Run in Dashboard', placeHolder: 'Which run should the dashboard show?' }))?.runId;
}
