import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { RunStateStore, listRuns } from '../engine/run/runStateStore';
import { findUnfinishedRuns, readLockHolder } from '../engine/run/unfinishedRuns';
import { describeError } from '../engine/util/errors';
import { STORE_DIR_NAME } from '../engine/util/paths';
import { MAX_LISTED_RUNS, redrawsRuns, runEntry, runItem, type RunEntry, type RunsFolderEvent, type WindowRun } from './runsTree';
import { treeItem } from './treeItems';

export interface RunsTreeOptions {
  /** The workspace folder on disk, if one is open. */
  workspace(): string | undefined;
  /** This window's run, if it has one. */
  windowRun(): WindowRun | undefined;
  warn(line: string): void;
}

/**
 * The Runs view: every run folder of the workspace (`.kilo-orchestra/runs/*`), newest first. The
 * elements are run ids, so a context-menu command receives the run id as its argument.
 */
export class RunsTreeProvider implements vscode.TreeDataProvider<string>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private entries = new Map<string, RunEntry>();
  private readonly disposables: vscode.Disposable[] = [this.changed, { dispose: () => clearTimeout(this.soon) }];
  private soon: NodeJS.Timeout | undefined;

  constructor(private readonly options: RunsTreeOptions) {}

  /** Redraws when a run's state.json is written, created or removed (by this window, another one or the CLI). */
  watch(folder: vscode.WorkspaceFolder): void {
    // VS Code reports a new folder without the files created in it at the same moment, so a new
    // run (or the first run's `.kilo-orchestra/`) arrives as a folder: watch the whole store, filter here.
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `${STORE_DIR_NAME}/**`));
    const onEvent = (kind: RunsFolderEvent) => (uri: vscode.Uri) => {
      const redraw = redrawsRuns(kind, path.relative(folder.uri.fsPath, uri.fsPath));
      if (redraw === 'now') this.refresh();
      else if (redraw === 'soon') this.refreshSoon();
    };
    this.disposables.push(watcher, watcher.onDidCreate(onEvent('created')), watcher.onDidChange(onEvent('changed')), watcher.onDidDelete(onEvent('deleted')));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** A redraw within a second, however many steps a live run takes meanwhile. */
  private refreshSoon(): void {
    if (this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.refresh();
    }, 1000);
  }

  /** The run as last listed (for the Open and Resume actions). */
  entry(runId: string): RunEntry | undefined {
    return this.entries.get(runId);
  }

  /** Reads the run folders again; also what the Open command picks from. */
  async list(): Promise<RunEntry[]> {
    const workspace = this.options.workspace();
    if (!workspace) return [];
    const entries: RunEntry[] = [];
    // The same finder as resume: a run whose lock a live process holds is not offered. This window's
    // own lock (taken while a run starts, before it is the window's run) is told apart by its pid.
    const locked = new Set((await findUnfinishedRuns(workspace)).runs.filter((run) => run.live).map((run) => run.runId));
    const holder = await readLockHolder(workspace);
    const lockedBy = (runId: string) => (!locked.has(runId) ? {} : { lockedBy: holder?.runId === runId && holder.pid === process.pid && holder.hostname === os.hostname() ? ('this-window' as const) : ('elsewhere' as const) });
    for (const run of (await listRuns(workspace)).slice(0, MAX_LISTED_RUNS)) {
      try {
        entries.push({ ...runEntry(await RunStateStore.load(run.runDir), run.runDir), ...lockedBy(run.runId) });
      } catch (error) {
        this.options.warn(`The Runs view skips ${run.runId}: ${describeError(error)}`);
      }
    }
    this.entries = new Map(entries.map((entry) => [entry.runId, entry]));
    return entries;
  }

  async getChildren(element?: string): Promise<string[]> {
    if (element) return [];
    return (await this.list()).map((entry) => entry.runId);
  }

  getTreeItem(runId: string): vscode.TreeItem {
    const entry = this.entries.get(runId);
    return entry ? treeItem(runItem(entry, this.options.windowRun())) : new vscode.TreeItem(runId);
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
