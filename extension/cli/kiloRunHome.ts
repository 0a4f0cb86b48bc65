import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { processAlive } from '../engine/run/workspaceLock';
import { removeAbandonedLocks } from '../kilo/staleLocks';
import { STORE_DIR_NAME } from '../engine/util/paths';
import { TERMINAL_PHASES } from '../engine/workflow/workflowTypes';

/**
 * The private Kilo home of an offline run (its database holds the agents' sessions) is named by the
 * run id and outlives a crash while the run is unfinished, so `resume` finds the conversations
 * again; it goes once the run finishes or is discarded. Homes named by a pid are the older kind,
 * made by a runtime that serves no named run (tests), and are removed at exit.
 */
export const HOME_PREFIX = 'kilo-orchestra-home-';
const OWNER_FILE = 'kilo-orchestra-owner.json';
/** Homes named before they carried a pid are removed once this old. */
const OLD_HOME_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** An unfinished run no one resumed for this long gives up its home (its run folder stays). */
const RUN_HOME_MAX_IDLE_MS = 7 * 24 * 60 * 60 * 1000;

const HomeOwnerSchema = z.object({ runId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/), workspace: z.string().min(1), pid: z.number().int().positive() });
type HomeOwner = z.infer<typeof HomeOwnerSchema>;

/** Just what tells a finished or discarded run; the full snapshot schema is not needed (nor its version). */
const RunEndSchema = z.object({ workflow: z.object({ phase: z.string() }).loose(), discarded: z.unknown().optional() }).loose();
const FINISHED: ReadonlySet<string> = new Set(TERMINAL_PHASES);

export interface RunHome {
  dir: string;
  /** True when an earlier process of the run left it (its Kilo sessions may still be there). */
  reused: boolean;
  /** Leftover Kilo servers of the dead process that were stopped before the home was taken. */
  stoppedServers: number[];
  /** Kilo's lock folders the dead server left, removed (else every turn's snapshot waits a minute for them). */
  removedLocks: string[];
}

/**
 * The home of `runId` in `tmp`, taken over from a dead earlier process of the run (its leftover
 * `kilo serve`, which a kill -9 does not stop, is stopped first: two servers must not share one
 * database; then the locks it held are removed) or made new. Call it only while holding the
 * workspace lock.
 */
export async function openRunHome(tmp: string, runId: string, workspace: string): Promise<RunHome> {
  HomeOwnerSchema.shape.runId.parse(runId);
  const dir = path.join(tmp, `${HOME_PREFIX}${runId}`);
  const owner = readOwner(dir);
  const sameRun = owner !== undefined && owner.runId === runId && path.resolve(owner.workspace) === path.resolve(workspace);
  let stoppedServers: number[] = [];
  let removedLocks: string[] = [];
  if (fs.existsSync(dir)) {
    stoppedServers = stopServersUsing(dir);
    await untilGone(stoppedServers);
    // Another workspace's run of the same id (or a home we cannot vouch for) is never shared.
    if (!sameRun) fs.rmSync(dir, { recursive: true, force: true });
    // No server uses the home now; a stopped one that lingers as a zombie holds nothing.
    else removedLocks = removeAbandonedLocks(path.join(dir, '.local', 'state'), (pid) => !stoppedServers.includes(pid) && processAlive(pid));
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeOwner(dir, { runId, workspace: path.resolve(workspace), pid: process.pid });
  return { dir, reused: sameRun, stoppedServers, removedLocks };
}

/** Resolves once the killed processes are gone or zombies (at most ~3 s: SIGKILL cannot be refused). */
async function untilGone(pids: readonly number[]): Promise<void> {
  const running = (pid: number): boolean => {
    try {
      return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  for (let tries = 0; tries < 120 && pids.some(running); tries++) await new Promise((resolve) => setTimeout(resolve, 25));
}

/** Whether the run still needs its home: its state.json is there and says neither finished nor discarded. */
export function runStillNeedsHome(workspace: string, runId: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(path.join(workspace, STORE_DIR_NAME, 'runs', runId, 'state.json'), 'utf8');
  } catch {
    return false; // never created (a refused task), or the run folder is gone
  }
  try {
    const state = RunEndSchema.parse(JSON.parse(text));
    return !FINISHED.has(state.workflow.phase) && state.discarded === undefined;
  } catch {
    // state.json is written by rename, so a damaged one was damaged by hand: keep the home (it ages out).
    return true;
  }
}

/** Removes the home unless its run is unfinished (then `resume` continues in its sessions). */
export function releaseRunHome(home: string, workspace: string, runId: string): void {
  if (!runStillNeedsHome(workspace, runId)) fs.rmSync(home, { recursive: true, force: true });
}

/**
 * Removes the private Kilo homes in `tmp` no run needs any more; returns the removed folders.
 * A run's home (`kilo-orchestra-home-<runId>`, with its owner file) goes when its process is gone and
 * the run finished, was discarded or was left alone for a week; a pid-named one when its pid is
 * dead; a nameless one after a day. A leftover Kilo server still using a removed home is stopped.
 */
export function removeStaleHomes(tmp: string, isAlive: (pid: number) => boolean = processAlive, now = Date.now()): string[] {
  const removed: string[] = [];
  for (const name of safeReaddir(tmp)) {
    if (!name.startsWith(HOME_PREFIX)) continue;
    const dir = path.join(tmp, name);
    if (!isStale(dir, name, isAlive, now)) continue;
    stopServersUsing(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

function isStale(dir: string, name: string, isAlive: (pid: number) => boolean, now: number): boolean {
  const owner = readOwner(dir);
  if (owner !== undefined) {
    if (owner.pid === process.pid || isAlive(owner.pid)) return false;
    return !runStillNeedsHome(owner.workspace, owner.runId) || olderThan(path.join(dir, OWNER_FILE), now - RUN_HOME_MAX_IDLE_MS);
  }
  const pid = /^kilo-orchestra-home-(\d+)-/.exec(name)?.[1];
  if (pid !== undefined) return Number(pid) !== process.pid && !isAlive(Number(pid));
  return olderThan(dir, now - OLD_HOME_MAX_AGE_MS);
}

function readOwner(dir: string): HomeOwner | undefined {
  try {
    return HomeOwnerSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8')));
  } catch {
    return undefined;
  }
}

function writeOwner(dir: string, owner: HomeOwner): void {
  const file = path.join(dir, OWNER_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(owner)}\n`);
  fs.renameSync(temp, file);
}

/**
 * Stops the Kilo servers whose HOME is `home` (a killed run's server lives on, orphaned); returns
 * their pids. Found by their environment, so a reused pid is never mistaken for one; only Linux
 * shows that (`/proc`), elsewhere nothing is found.
 */
export function stopServersUsing(home: string): number[] {
  const wanted = `HOME=${home}`;
  const stopped: number[] = [];
  for (const entry of process.platform === 'linux' ? safeReaddir('/proc') : []) {
    const pid = Number(entry);
    if (!/^\d+$/.test(entry) || pid === process.pid) continue;
    let environ: string[];
    let command: string;
    try {
      environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      command = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (!environ.includes(wanted) || !/kilo/i.test(command)) continue;
    try {
      // The server runs in its own process group (the npm wrapper and the binary): stop it whole.
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        continue;
      }
    }
    stopped.push(pid);
  }
  return stopped;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function olderThan(file: string, before: number): boolean {
  try {
    return fs.statSync(file).mtimeMs < before;
  } catch {
    return false;
  }
}
