import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeError } from '../engine/util/errors';

/**
 * Kilo guards its snapshot repository with lock folders (`<state>/kilo/locks/<hash>.lock/` holding
 * `meta.json` `{ pid, hostname, … }` and a heartbeat file) that it treats as stale only after 60 s
 * without a heartbeat. A server killed while holding one (or while creating one, before its
 * `meta.json` exists) leaves it behind, and the restarted server then stalls every turn's snapshot
 * for that minute and asks a question no one answers.
 */
export const KILO_LOCK_DIRS = [path.join('kilo', 'locks'), path.join('kilo', 'background-process', 'locks')];

/**
 * Removes the locks under `stateHome` (an XDG state folder) whose owner is not a live process of
 * this host; returns the removed lock folders. A lock that names no owner counts as abandoned too,
 * so call this only while no Kilo server uses `stateHome` (e.g. between a crash and the restart).
 */
export function removeAbandonedLocks(stateHome: string, isAlive: (pid: number) => boolean = processExists): string[] {
  const removed: string[] = [];
  for (const dir of KILO_LOCK_DIRS.map((relative) => path.join(stateHome, relative))) {
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((name) => name.endsWith('.lock'));
    } catch {
      continue; // no such folder: nothing was ever locked there
    }
    for (const name of names) {
      const lock = path.join(dir, name);
      const owner = readOwner(path.join(lock, 'meta.json'));
      if (owner !== undefined && (owner.hostname !== os.hostname() || isAlive(owner.pid))) continue;
      fs.rmSync(lock, { recursive: true, force: true });
      removed.push(lock);
    }
  }
  return removed;
}

function readOwner(file: string): { pid: number; hostname: string } | undefined {
  try {
    const meta = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: unknown; hostname?: unknown };
    return typeof meta.pid === 'number' && typeof meta.hostname === 'string' ? { pid: meta.pid, hostname: meta.hostname } : undefined;
  } catch {
    // Missing or half-written: its creator died before finishing it.
    return undefined;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `removeAbandonedLocks` that reports what it did instead of throwing. */
export function reclaimStaleLocks(stateHome: string, log: (message: string) => void): void {
  try {
    const removed = removeAbandonedLocks(stateHome);
    if (removed.length > 0) log(`Removed ${removed.length} Kilo lock(s) left by the exited server: ${removed.join(', ')}`);
  } catch (error) {
    log(`Could not check Kilo's locks in ${stateHome}: ${describeError(error)}`);
  }
}
