import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME, WorkspaceLock } from '../../../extension/engine/run/workspaceLock';
import { isOrchestraError } from '../../../extension/engine/util/errors';
import { removeStaleHomes } from '../../../extension/cli/kiloRuntime';

function aWorkspace(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'workspace-lock-'));
}

/** The pid of a process that has exited (spawned and awaited), so no process has it now. */
async function aDeadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

const lockFile = (workspace: string) => path.join(workspace, '.kilo-orchestra', LOCK_FILE_NAME);

describe('WorkspaceLock', () => {
  it('writes the owner (pid, host, start time, run id) and removes the file on release', async () => {
    const workspace = aWorkspace();
    const lock = await WorkspaceLock.acquire(workspace, { runId: 'run-a', by: 'run', now: () => Date.parse('2026-12-01T10:00:00Z') });
    expect(JSON.parse(fs.readFileSync(lockFile(workspace), 'utf8'))).toEqual({ pid: process.pid, hostname: os.hostname(), startedAt: '2026-12-01T10:00:00.000Z', runId: 'run-a', by: 'run' });
    expect(lock.tookOver).toBeUndefined();
    await lock.release();
    expect(fs.existsSync(lockFile(workspace))).toBe(false);
    // Only the store folder's own .gitignore stays (see storeFolder.ts).
    expect(fs.readdirSync(path.dirname(lockFile(workspace)))).toEqual(['.gitignore']);
  });

  it('refuses a second run while a live process holds it, in one line naming the run, pid, start and how to continue it', async () => {
    const workspace = aWorkspace();
    const first = await WorkspaceLock.acquire(workspace, { runId: 'run-a', by: 'run' });
    const refused = await WorkspaceLock.acquire(workspace, { runId: 'run-b', by: 'resume' }).catch((error: unknown) => error);
    expect(isOrchestraError(refused, 'workspace-busy')).toBe(true);
    const message = (refused as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(`run run-a (run, pid ${process.pid}, since ${first.owner.startedAt})`);
    expect(message).toContain(`kill -TERM ${process.pid}`);
    expect(message).toContain(`kilo-orchestra resume --workspace ${workspace} --run run-a`);
    // The refused one changed nothing.
    expect(JSON.parse(fs.readFileSync(lockFile(workspace), 'utf8')).runId).toBe('run-a');
    await first.release();
    await expect(WorkspaceLock.acquire(workspace, { runId: 'run-b', by: 'resume' })).resolves.toBeInstanceOf(WorkspaceLock);
  });

  it('tells a window run to be cancelled in its window', async () => {
    const workspace = aWorkspace();
    await WorkspaceLock.acquire(workspace, { runId: 'run-a', by: 'vscode' });
    await expect(WorkspaceLock.acquire(workspace, { runId: 'run-b', by: 'run' })).rejects.toThrow(/cancel or pause it in its VS Code window/);
  });

  it('takes over the lock of a dead process on this host, and says whose it was', async () => {
    const workspace = aWorkspace();
    const dead = await aDeadPid();
    await WorkspaceLock.acquire(workspace, { runId: 'run-dead', by: 'run', pid: dead });
    const lock = await WorkspaceLock.acquire(workspace, { runId: 'run-new', by: 'resume' });
    expect(lock.tookOver).toMatchObject({ runId: 'run-dead', pid: dead });
    expect(JSON.parse(fs.readFileSync(lockFile(workspace), 'utf8'))).toMatchObject({ runId: 'run-new', pid: process.pid });
    expect(fs.readdirSync(path.dirname(lockFile(workspace))).sort()).toEqual(['.gitignore', LOCK_FILE_NAME]);
  });

  it('never judges another host’s lock stale', async () => {
    const workspace = aWorkspace();
    const dead = await aDeadPid();
    await WorkspaceLock.acquire(workspace, { runId: 'run-far', by: 'run', pid: dead, hostname: 'elsewhere.example' });
    await expect(WorkspaceLock.acquire(workspace, { runId: 'run-b', by: 'run' })).rejects.toThrow(`pid ${dead} on elsewhere.example`);
  });

  it('release leaves alone a lock another run has taken over since', async () => {
    const workspace = aWorkspace();
    const dead = await aDeadPid();
    const old = await WorkspaceLock.acquire(workspace, { runId: 'run-old', by: 'run', pid: dead });
    const taker = await WorkspaceLock.acquire(workspace, { runId: 'run-new', by: 'run' });
    await old.release();
    old.releaseSync();
    expect(JSON.parse(fs.readFileSync(lockFile(workspace), 'utf8')).runId).toBe('run-new');
    taker.releaseSync();
    expect(fs.existsSync(lockFile(workspace))).toBe(false);
  });

  it('of two starts at once exactly one wins', async () => {
    const workspace = aWorkspace();
    const results = await Promise.allSettled(['run-1', 'run-2', 'run-3'].map((runId) => WorkspaceLock.acquire(workspace, { runId, by: 'run' })));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });

  it('refuses (rather than deletes) a lock file it cannot read', async () => {
    const workspace = aWorkspace();
    fs.mkdirSync(path.dirname(lockFile(workspace)), { recursive: true });
    fs.writeFileSync(lockFile(workspace), 'not json');
    await expect(WorkspaceLock.acquire(workspace, { runId: 'run-b', by: 'run' })).rejects.toThrow(/not a lock this version reads/);
    expect(fs.readFileSync(lockFile(workspace), 'utf8')).toBe('not json');
  });
});

describe('removeStaleHomes', () => {
  it('removes the private Kilo homes of dead pids and pid-less ones older than a day, and keeps the rest', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stale-homes-'));
    const dead = await aDeadPid();
    const make = (name: string, ageMs = 0): string => {
      const dir = path.join(tmp, name);
      fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
      const at = (Date.now() - ageMs) / 1000;
      fs.utimesSync(dir, at, at);
      return dir;
    };
    const deadHome = make(`kilo-orchestra-home-${dead}-abc123`);
    const liveHome = make(`kilo-orchestra-home-${process.pid}-def456`);
    const oldHome = make('kilo-orchestra-home-Xy12Zq', 2 * 24 * 3600_000);
    const newHome = make('kilo-orchestra-home-Qw34Er');
    const other = make('something-else', 2 * 24 * 3600_000);
    expect(removeStaleHomes(tmp).sort()).toEqual([deadHome, oldHome].sort());
    for (const kept of [liveHome, newHome, other]) expect(fs.existsSync(kept)).toBe(true);
    expect(fs.existsSync(deadHome)).toBe(false);
  });
});
