import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { OrchestraError } from '../util/errors';
import { STORE_DIR_NAME } from '../util/paths';
import { ensureStoreFolder } from '../util/storeFolder';

/** One run per workspace: the owner of `.kilo-orchestra/run.lock` is the only run writing there. */
export const LOCK_FILE_NAME = 'run.lock';

export const LockOwnerSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string().max(256),
  startedAt: z.string().max(64),
  runId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
  /** Who runs it: `run`, `resume` or `vscode`. */
  by: z.string().max(32),
});
export type LockOwner = z.infer<typeof LockOwnerSchema>;

export interface AcquireOptions {
  runId: string;
  by: string;
  /** Tests: another process's identity. */
  pid?: number;
  hostname?: string;
  now?: () => number;
}

/**
 * The workspace's run lock, held from before a run starts until it ends. Taken atomically (the
 * whole file is written aside and hard-linked into place, which fails if one is there), so two
 * starts at once cannot both win and no reader sees half a lock.
 */
export class WorkspaceLock {
  private released = false;

  private constructor(
    readonly file: string,
    readonly owner: LockOwner,
    /** The lock of a run whose process is gone, which this one took over. */
    readonly tookOver: LockOwner | undefined,
  ) {}

  /**
   * Takes the lock of `workspace`. Throws `workspace-busy` (one line naming the holder and how to
   * stop or continue it) when a live run holds it; a lock left by a dead process on this host is
   * taken over and returned in `tookOver`.
   */
  static async acquire(workspace: string, options: AcquireOptions): Promise<WorkspaceLock> {
    const file = path.join(workspace, STORE_DIR_NAME, LOCK_FILE_NAME);
    const owner: LockOwner = {
      pid: options.pid ?? process.pid,
      hostname: options.hostname ?? os.hostname(),
      startedAt: new Date((options.now ?? Date.now)()).toISOString(),
      runId: options.runId,
      by: options.by,
    };
    await ensureStoreFolder(workspace);
    const text = `${JSON.stringify(owner)}\n`;
    let holder: LockOwner | undefined;
    // A holder that lets go between our try and our read: try again (a few times, not forever).
    for (let attempt = 0; attempt < 3 && holder === undefined; attempt++) {
      if (await linkNew(file, text)) return new WorkspaceLock(file, owner, undefined);
      holder = await readHolder(file);
      if (holder === undefined && fs.existsSync(file)) break;
    }
    if (holder && !isStale(holder)) throw busy(workspace, holder);
    if (!holder) throw new OrchestraError('workspace-busy', `${file} is being written or is not a lock this version reads; if no run is going on in ${workspace}, delete it and start again.`);
    // Stale: moved aside (one taker wins the rename), checked to be the one judged, then replaced.
    const aside = `${file}.stale-${randomBytes(4).toString('hex')}`;
    await fs.promises.rename(file, aside).catch(() => undefined);
    const moved = await readHolder(aside);
    await fs.promises.rm(aside, { force: true });
    if (!moved || moved.pid !== holder.pid || moved.runId !== holder.runId || !(await linkNew(file, text))) {
      const now = await readHolder(file);
      throw now ? busy(workspace, now) : new OrchestraError('workspace-busy', `Another run took ${file} at the same moment; try again.`);
    }
    return new WorkspaceLock(file, owner, holder);
  }

  /** Removes the lock if it is still this run's (never another's that took over a stale one). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const holder = await readHolder(this.file);
    if (holder && holder.pid === this.owner.pid && holder.runId === this.owner.runId) await fs.promises.rm(this.file, { force: true });
  }

  /** For a process exiting now (a forced exit): the same as `release`, without awaiting. */
  releaseSync(): void {
    if (this.released) return;
    this.released = true;
    try {
      const holder = LockOwnerSchema.parse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      if (holder.pid === this.owner.pid && holder.runId === this.owner.runId) fs.rmSync(this.file, { force: true });
    } catch {
      // gone already, or not ours: nothing to release
    }
  }
}

/** True when the lock's process is gone: same host and no such pid (another host's lock is never judged). */
export function isStale(holder: LockOwner): boolean {
  if (holder.hostname !== os.hostname()) return false;
  return !processAlive(holder.pid);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The refusal: one line, with the holder and how to stop it and continue its run. */
function busy(workspace: string, holder: LockOwner): OrchestraError {
  const where = holder.hostname === os.hostname() ? `pid ${holder.pid}` : `pid ${holder.pid} on ${holder.hostname}`;
  const stop = holder.by === 'vscode' ? 'cancel or pause it in its VS Code window' : `stop it with kill -TERM ${holder.pid}`;
  return new OrchestraError(
    'workspace-busy',
    `${workspace} is busy: run ${holder.runId} (${holder.by}, ${where}, since ${holder.startedAt}) holds it; ${stop}, then continue it with: kilo-orchestra resume --workspace ${workspace} --run ${holder.runId}`,
  );
}

/** Puts `text` at `file` only if there is no file there; false when there is one. */
async function linkNew(file: string, text: string): Promise<boolean> {
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.promises.writeFile(temp, text, { flag: 'wx' });
  try {
    await fs.promises.link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new OrchestraError('io-failed', `Could not take the run lock ${file}: ${(error as Error).message}`, { cause: error });
  } finally {
    await fs.promises.rm(temp, { force: true });
  }
}

async function readHolder(file: string): Promise<LockOwner | undefined> {
  try {
    const parsed = LockOwnerSchema.safeParse(JSON.parse(await fs.promises.readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
