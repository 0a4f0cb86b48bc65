/*
 * The Runs view as pure functions of the run folders on disk: each run with its status, the first
 * line of its task and its cost, and the flags its context menu reads. No `vscode` here.
 */
import type { RunSnapshot } from '../engine/run/runSnapshot';
import { isResumable } from '../engine/run/unfinishedRuns';
import { STORE_DIR_NAME } from '../engine/util/paths';
import { TERMINAL_PHASES } from '../engine/workflow/workflowTypes';
import { phaseInWords } from '../protocol/vocabulary';
import { money } from '../statusBar/statusBarText';
import { ITEM_FLAGS, VIEW_COMMANDS } from './viewIds';
import { escapeMarkdown, firstLine, type TreeNodeSpec } from './treeNode';

/** One run folder as the view shows it, read from its state.json. */
export interface RunEntry {
  runId: string;
  runDir: string;
  task: string;
  phase: string;
  pausedFrom?: string;
  /** The signal that stopped it, when one did. */
  interruptedBy?: string;
  /** It stopped before the end and can be continued (the engine's rule, shared with `resume`). */
  resumable: boolean;
  /** A live process holds the workspace lock for it: this window (starting or running it) or another process (the CLI, another window). */
  lockedBy?: 'this-window' | 'elsewhere';
  costUsd: number;
  startedAt: string;
  savedAt: string;
}

/** This window's run, which the view marks and which alone can be rolled back from here. */
export interface WindowRun {
  runId: string;
  live: boolean;
  canRollBack: boolean;
}

export type RunsFolderEvent = 'created' | 'changed' | 'deleted';

/**
 * Whether a file event under the workspace (its path relative to the folder) changes the list: the
 * store, `runs/`, a run folder appearing or going, or a run's state written (`now`), or its state
 * journal appended, which a live run does after every step (`soon`: the view redraws at most once
 * a second for those). Not events.jsonl and the other files a live run writes many times a second.
 */
export function redrawsRuns(kind: RunsFolderEvent, relativePath: string): 'now' | 'soon' | false {
  const parts = relativePath.split(/[\\/]/);
  if (parts[0] !== STORE_DIR_NAME) return false;
  if (parts.length === 4 && parts[1] === 'runs') return parts[3] === 'state.json' ? 'now' : parts[3] === STATE_JOURNAL_FILE ? 'soon' : false;
  return kind !== 'changed' && (parts.length === 1 || (parts[1] === 'runs' && parts.length <= 3)) ? 'now' : false;
}

/** The journal a run appends its state changes to (see runStateStore.ts). */
const STATE_JOURNAL_FILE = 'state.journal.jsonl';

/** At most this many runs are listed (newest first): a long history is a folder, not a tree. */
export const MAX_LISTED_RUNS = 50;

export function runEntry(snapshot: RunSnapshot, runDir: string): RunEntry {
  return {
    runId: snapshot.runId,
    runDir,
    task: snapshot.task,
    phase: snapshot.workflow.phase,
    ...(snapshot.workflow.pausedFrom ? { pausedFrom: snapshot.workflow.pausedFrom } : {}),
    ...(snapshot.interrupted ? { interruptedBy: snapshot.interrupted.signal } : {}),
    resumable: isResumable(snapshot),
    costUsd: snapshot.spent.totalUsd,
    startedAt: snapshot.startedAt,
    savedAt: snapshot.savedAt,
  };
}

/** Whether `kiloOrchestra.resumeRun` can continue the run: resumable on disk and not live in this window. */
export function isResumableEntry(entry: Pick<RunEntry, 'runId' | 'resumable' | 'lockedBy'>, windowRun?: WindowRun): boolean {
  return entry.resumable && entry.lockedBy === undefined && !(windowRun?.live && windowRun.runId === entry.runId);
}

/** "Completed", "Interrupted (SIGTERM)", "Running · planning", "Running elsewhere · planning", "Stopped in code implementation". */
export function runStatusWords(entry: RunEntry, windowRun?: WindowRun): string {
  const phase = phaseInWords(entry.phase).toLowerCase();
  if (windowRun?.live && windowRun.runId === entry.runId) return entry.phase === 'PAUSED' ? 'Paused' : `Running · ${phase}`;
  if (entry.lockedBy && !TERMINAL.has(entry.phase)) return entry.lockedBy === 'this-window' ? `Running · ${phase}` : `Running elsewhere · ${phase}`;
  if (entry.phase === 'COMPLETED') return 'Completed';
  if (entry.phase === 'CANCELLED') return 'Cancelled';
  if (entry.phase === 'FAILED') return 'Failed';
  if (entry.interruptedBy) return `Interrupted (${entry.interruptedBy})`;
  if (entry.phase === 'PAUSED') return 'Paused';
  return `Stopped in ${phase}`;
}

const TERMINAL: ReadonlySet<string> = new Set(TERMINAL_PHASES);

const STATUS_ICON: Record<string, { id: string; color?: string }> = {
  COMPLETED: { id: 'pass', color: 'testing.iconPassed' },
  CANCELLED: { id: 'circle-slash' },
  FAILED: { id: 'error', color: 'list.errorForeground' },
};

export function runItem(entry: RunEntry, windowRun?: WindowRun): TreeNodeSpec {
  const status = runStatusWords(entry, windowRun);
  const mine = windowRun?.runId === entry.runId;
  const resumable = isResumableEntry(entry, windowRun);
  const flags = [...(resumable ? [ITEM_FLAGS.resumable] : []), ...(mine && windowRun.canRollBack ? [ITEM_FLAGS.rollback] : [])];
  const icon = mine && windowRun.live ? { id: 'sync~spin' } : (STATUS_ICON[entry.phase] ?? (resumable ? { id: 'debug-pause', color: 'list.warningForeground' } : { id: 'history' }));
  return {
    id: `run:${entry.runId}`,
    label: firstLine(entry.task, 60) || entry.runId,
    description: `${status} · ${money(entry.costUsd)}`,
    tooltip: [
      `**${escapeMarkdown(firstLine(entry.task, 200))}**`,
      '',
      `Status: ${status}`,
      `Cost: ${money(entry.costUsd)}`,
      `Started: ${entry.startedAt}`,
      `Run ${entry.runId}${mine ? ' (this window)' : ''}`,
      ...(resumable ? ['', 'Resume continues it where it stopped; nothing approved is redone.'] : []),
    ].join('  \n'),
    icon,
    collapsible: 'none',
    contextValue: ['run', ...flags].join(' '),
    command: { command: VIEW_COMMANDS.openRun, title: 'Open in Dashboard', arguments: [entry.runId] },
  };
}
