import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOME_PREFIX, openRunHome, releaseRunHome, removeStaleHomes, runStillNeedsHome, stopServersUsing } from '../../../extension/cli/kiloRunHome';

const RUN = 'run-20261201-230000-abcdef';

function aTmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'run-homes-'));
}

/** A workspace whose run folder holds a state.json in `phase` (none when undefined). */
function aWorkspace(phase: string | undefined, runId = RUN): string {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'run-home-ws-'));
  if (phase !== undefined) {
    const dir = path.join(workspace, '.kilo-orchestra', 'runs', runId);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ formatVersion: 1, runId, workflow: { phase } }));
  }
  return workspace;
}

/** Rewrites a home's owner file as if a process with `pid` had made it, `ageMs` ago. */
function ownedBy(home: string, pid: number, ageMs = 0): void {
  const file = path.join(home, 'kilo-orchestra-owner.json');
  const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(file, JSON.stringify({ ...owner, pid }));
  const at = (Date.now() - ageMs) / 1000;
  fs.utimesSync(file, at, at);
}

const dead = () => false;

describe('the private Kilo home of a run', () => {
  it('is named by the run id and found again by a later process of the same run, with what the first left in it', async () => {
    const tmp = aTmp();
    const workspace = aWorkspace('IMPLEMENTATION');
    const first = await openRunHome(tmp, RUN, workspace);
    expect(first).toEqual({ dir: path.join(tmp, `${HOME_PREFIX}${RUN}`), reused: false, stoppedServers: [], removedLocks: [] });
    fs.writeFileSync(path.join(first.dir, 'kilo.db'), 'sessions');
    const second = await openRunHome(tmp, RUN, workspace);
    expect(second.reused).toBe(true);
    expect(fs.readFileSync(path.join(second.dir, 'kilo.db'), 'utf8')).toBe('sessions');
  });

  it('is not shared with a run of the same id in another workspace: that one starts empty', async () => {
    const tmp = aTmp();
    const home = await openRunHome(tmp, RUN, aWorkspace('IMPLEMENTATION'));
    fs.writeFileSync(path.join(home.dir, 'kilo.db'), 'sessions');
    const other = await openRunHome(tmp, RUN, aWorkspace('IMPLEMENTATION'));
    expect(other.reused).toBe(false);
    expect(fs.existsSync(path.join(other.dir, 'kilo.db'))).toBe(false);
  });

  it('refuses a run id that is not a plain folder name', async () => {
    await expect(openRunHome(aTmp(), '../escape', aWorkspace(undefined))).rejects.toThrow();
  });

  it('taken over, loses the Kilo locks the dead server left (they would stall every snapshot a minute) and keeps a live owner\'s', async () => {
    const tmp = aTmp();
    const workspace = aWorkspace('IMPLEMENTATION');
    const { dir } = await openRunHome(tmp, RUN, workspace);
    const locks = path.join(dir, '.local', 'state', 'kilo', 'locks');
    const lock = (name: string, pid: number) => {
      fs.mkdirSync(path.join(locks, name), { recursive: true });
      fs.writeFileSync(path.join(locks, name, 'meta.json'), JSON.stringify({ pid, hostname: os.hostname() }));
      return path.join(locks, name);
    };
    const abandoned = lock('a.lock', 999_999);
    const held = lock('b.lock', process.pid);
    const again = await openRunHome(tmp, RUN, workspace);
    expect(again.removedLocks).toEqual([abandoned]);
    expect(fs.existsSync(held)).toBe(true);
  });

  it('is kept at the end while the run is unfinished (paused, interrupted, cut off) and removed once it finished, was discarded or never started', async () => {
    for (const [phase, kept] of [['IMPLEMENTATION', true], ['PAUSED', true], ['COMPLETED', false], ['FAILED', false], ['CANCELLED', false], [undefined, false]] as const) {
      const workspace = aWorkspace(phase);
      expect(runStillNeedsHome(workspace, RUN)).toBe(kept);
      const home = await openRunHome(aTmp(), RUN, workspace);
      releaseRunHome(home.dir, workspace, RUN);
      expect(fs.existsSync(home.dir), `${phase}`).toBe(kept);
    }
  });

  it('a discarded run gives up its home', () => {
    const workspace = aWorkspace('IMPLEMENTATION');
    const file = path.join(workspace, '.kilo-orchestra', 'runs', RUN, 'state.json');
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), discarded: { at: 'now' } }));
    expect(runStillNeedsHome(workspace, RUN)).toBe(false);
  });
});

describe('removeStaleHomes with run homes', () => {
  it('keeps the home of an unfinished run whose process died (resume needs it) and of a live process; removes finished, discarded and week-old ones', async () => {
    const tmp = aTmp();
    const make = async (runId: string, phase: string | undefined, pid: number, ageMs = 0): Promise<string> => {
      const home = await openRunHome(tmp, runId, aWorkspace(phase, runId));
      ownedBy(home.dir, pid, ageMs);
      return home.dir;
    };
    const resumable = await make('run-a', 'IMPLEMENTATION', 999_999);
    const live = await make('run-b', 'COMPLETED', 4242);
    const finished = await make('run-c', 'COMPLETED', 999_999);
    const gone = await make('run-d', undefined, 999_999);
    const forgotten = await make('run-e', 'PAUSED', 999_999, 8 * 24 * 3600_000);
    const removed = removeStaleHomes(tmp, (pid) => pid === 4242);
    expect(removed.sort()).toEqual([finished, gone, forgotten].sort());
    for (const kept of [resumable, live]) expect(fs.existsSync(kept)).toBe(true);
  });

  it('treats a pid-named home as before: removed once its pid is dead', () => {
    const tmp = aTmp();
    const home = path.join(tmp, `${HOME_PREFIX}999999-abc123`);
    fs.mkdirSync(home);
    expect(removeStaleHomes(tmp, dead)).toEqual([home]);
  });
});

describe('stopServersUsing', () => {
  it.runIf(process.platform === 'linux')('stops the leftover server whose HOME is the home (found by its environment), and nothing else', async () => {
    const home = path.join(aTmp(), `${HOME_PREFIX}${RUN}`);
    fs.mkdirSync(home);
    const start = (homeDir: string) =>
      spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'kilo', 'serve'], { env: { ...process.env, HOME: homeDir }, detached: true, stdio: 'ignore' });
    const leftover = start(home);
    const bystander = start(`${home}-other`);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => leftover.on('exit', (_code, signal) => resolve(signal)));
    try {
      await Promise.all([leftover, bystander].map((child) => new Promise((resolve) => child.once('spawn', resolve))));
      expect(stopServersUsing(home)).toEqual([leftover.pid]);
      expect(await exited).toBe('SIGKILL');
      expect(bystander.exitCode).toBeNull();
    } finally {
      // Whatever failed above, neither stand-in outlives the test.
      for (const child of [leftover, bystander]) child.kill('SIGKILL');
    }
  });
});
