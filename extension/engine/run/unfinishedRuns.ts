import fs from 'node:fs/promises';
import path from 'node:path';
import { phaseInWords } from '../../protocol/vocabulary';
import { OrchestraError, describeError } from '../util/errors';
import { STORE_DIR_NAME } from '../util/paths';
import { TERMINAL_PHASES } from '../workflow/workflowTypes';
import type { Budgets } from './budget';
import { RunStateStore, listRuns, type RunSnapshot } from './runStateStore';
import { LOCK_FILE_NAME, LockOwnerSchema, isStale, type LockOwner } from './workspaceLock';

/*
 * Which runs of a workspace can be continued: the one rule the CLI's `resume`, the window's offer at
 * activation, its Resume / Discard commands and the dashboard all read, so they never disagree.
 */

const ENDED: ReadonlySet<string> = new Set(TERMINAL_PHASES);

/** Why a run did not finish: paused by a person or a budget, stopped by a signal, or cut off (kill -9, a crash). */
export type UnfinishedKind = 'paused' | 'interrupted' | 'stopped';

export interface UnfinishedRun {
  runId: string;
  runDir: string;
  snapshot: RunSnapshot;
  kind: UnfinishedKind;
  /** A live process (this host, or another host's lock, which is never judged) holds the workspace lock for this run. */
  live: boolean;
}

export interface UnfinishedRunsFound {
  /** Newest saved first. */
  runs: UnfinishedRun[];
  /** Run folders whose state.json could not be read, one line each (they are not offered). */
  problems: string[];
}

export interface FinderOptions {
  /** Tests: whether a lock's process is gone (default: same host and no such pid). */
  isStale?: (holder: LockOwner) => boolean;
}

/** The phase a run can be continued from: not ended, started, and (when paused) paused out of a phase. */
export function isResumable(snapshot: Pick<RunSnapshot, 'workflow'>): boolean {
  const { phase, pausedFrom } = snapshot.workflow;
  if (TERMINAL_PHASES.includes(phase) || phase === 'IDLE') return false;
  return phase !== 'PAUSED' || pausedFrom !== undefined;
}

/** How the run stopped, from its snapshot: a signal marks it `interrupted`, a pause leaves PAUSED, anything else died mid-phase. */
export function unfinishedKind(snapshot: RunSnapshot): UnfinishedKind {
  if (snapshot.interrupted) return 'interrupted';
  return snapshot.workflow.phase === 'PAUSED' ? 'paused' : 'stopped';
}

/**
 * Every run of `workspace` that can be continued, newest first, each read through the snapshot
 * schema. A run whose lock a live process holds is listed with `live: true` (the CLI names it in
 * its refusal; the window does not offer it).
 */
export async function findUnfinishedRuns(workspace: string, options: FinderOptions = {}): Promise<UnfinishedRunsFound> {
  const holder = await readLockHolder(workspace);
  const stale = options.isStale ?? isStale;
  const runs: UnfinishedRun[] = [];
  const problems: string[] = [];
  for (const entry of await listRuns(workspace)) {
    if (ENDED.has(entry.phase) || entry.phase === 'IDLE') continue;
    let snapshot: RunSnapshot;
    try {
      snapshot = await RunStateStore.load(entry.runDir);
    } catch (error) {
      problems.push(`${entry.runId}: ${describeError(error)}`);
      continue;
    }
    if (!isResumable(snapshot)) continue;
    const live = holder !== undefined && holder.runId === snapshot.runId && !stale(holder);
    runs.push({ runId: snapshot.runId, runDir: entry.runDir, snapshot, kind: unfinishedKind(snapshot), live });
  }
  return { runs, problems };
}

/** The refusal of a run that cannot be continued (none left, or the one named has ended), told apart from a state that cannot be read. */
export class RunNotResumable extends OrchestraError {
  constructor(reason: 'not-found' | 'invalid-input', message: string) {
    super(reason, message);
    this.name = 'RunNotResumable';
  }
}

/**
 * The snapshot of the run named (any, so that a finished one gets its own refusal), or of the
 * newest unfinished run. Throws RunNotResumable (`not-found` when there is none, `invalid-input`
 * for a run that has ended); a state that cannot be read throws as RunStateStore.load does.
 */
export async function unfinishedRun(workspace: string, runId?: string): Promise<RunSnapshot> {
  let runDir: string;
  if (runId !== undefined) {
    runDir = runFolder(workspace, runId);
  } else {
    const newest = (await findUnfinishedRuns(workspace)).runs[0];
    if (!newest) throw new RunNotResumable('not-found', `No unfinished run in ${workspace}; nothing to resume.`);
    runDir = newest.runDir;
  }
  const snapshot = await RunStateStore.load(runDir);
  const { phase } = snapshot.workflow;
  if (TERMINAL_PHASES.includes(phase)) throw new RunNotResumable('invalid-input', `Run ${snapshot.runId} is ${phase}; only an unfinished run can be resumed.`);
  return snapshot;
}

/** Whether the run named is unfinished and not held by a live process, with its kind; undefined otherwise. */
export async function unfinishedState(runDir: string, snapshot: RunSnapshot, options: FinderOptions = {}): Promise<{ kind: UnfinishedKind; live: boolean } | undefined> {
  if (!isResumable(snapshot)) return undefined;
  const holder = await readLockHolder(path.resolve(runDir, '..', '..', '..'));
  const live = holder !== undefined && holder.runId === snapshot.runId && !(options.isStale ?? isStale)(holder);
  return { kind: unfinishedKind(snapshot), live };
}

/** Limits given now replace the saved ones they name; the others stay as the run had them. */
export function mergeBudgets(saved: Budgets, given: Budgets = {}): Budgets {
  const roleUsd = { ...saved.roleUsd, ...given.roleUsd };
  const runUsd = given.runUsd ?? saved.runUsd;
  return { ...(runUsd !== undefined ? { runUsd } : {}), ...(Object.keys(roleUsd).length > 0 ? { roleUsd } : {}) };
}

/** `<workspace>/.kilo-orchestra/runs/<runId>`, with the id checked so it cannot leave that folder. */
export function runFolder(workspace: string, runId: string): string {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(runId) || runId === '.' || runId === '..') throw new OrchestraError('invalid-input', `"${runId.slice(0, 100)}" is not a run id.`);
  return path.join(workspace, STORE_DIR_NAME, 'runs', runId);
}

/** The holder of the workspace's run lock, or undefined when there is none (or it is not a lock this version reads). */
export async function readLockHolder(workspace: string): Promise<LockOwner | undefined> {
  try {
    const parsed = LockOwnerSchema.safeParse(JSON.parse(await fs.readFile(path.join(workspace, STORE_DIR_NAME, LOCK_FILE_NAME), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // no lock, or one being written: nobody holds this run
  }
}

/** One line for a person: which run, where it stopped and what it cost so far. */
export function describeUnfinished(run: Pick<UnfinishedRun, 'runId' | 'snapshot' | 'kind'>): string {
  const { workflow, task, spent } = run.snapshot;
  const firstLine = task.split('\n')[0]!.trim();
  const shortTask = firstLine.length > 80 ? `${firstLine.slice(0, 77)}…` : firstLine;
  const phase = workflow.phase === 'PAUSED' ? workflow.pausedFrom : workflow.phase;
  const where = phase === undefined ? '' : ` while ${phaseInWords(phase).toLowerCase()}`;
  const how = run.kind === 'paused' ? 'was paused' : run.kind === 'interrupted' ? `was interrupted (${run.snapshot.interrupted?.signal ?? 'signal'})` : 'stopped before it finished';
  return `Run ${run.runId} ("${shortTask}") ${how}${where}, $${spent.totalUsd.toFixed(2)} spent so far.`;
}
