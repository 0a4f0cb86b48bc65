import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, aSampleCopy, requireBuiltCli, stdoutMatch } from './builtCli';

// Runs the built CLI bundle (`npm test` builds it first) and signals it as a terminal or a supervisor would.
const SIM = ['--backend', 'simulated', '--sim-files', '20', '--sim-latency-ms', '50'];

function aWorkspace(): string {
  const workspace = aSampleCopy('cli-signals-');
  return workspace;
}

interface State {
  workflow: { phase: string; pausedFrom?: string; inFlight: Record<string, unknown>; deferred: unknown[] };
  interrupted?: { at: string; signal: string };
}

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
const lockFile = (workspace: string) => path.join(workspace, '.kilo-orchestra', 'run.lock');

/** Starts `run` and resolves once its progress lines show the coding phase (state.json is a snapshot plus a journal). */
async function aRunInImplementation(workspace: string): Promise<{ child: ChildProcess; runId: string; runDir: string; exited: Promise<[number | null, NodeJS.Signals | null]> }> {
  const child = spawn(process.execPath, [CLI_PATH, 'run', '--task', 'x', '--workspace', workspace, ...SIM], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const [, runId] = await stdoutMatch(child, /^Run (\S+) on [\s\S]*→ Writing the code/m);
  // Read on, so the run never blocks on a full pipe.
  child.stdout!.resume();
  return { child, runId: runId!, runDir: path.join(workspace, '.kilo-orchestra', 'runs', runId!), exited };
}

describe('kilo-orchestra signals and the workspace lock (built CLI)', () => {
  beforeAll(() => {
    requireBuiltCli();
  });

  it('a second run on a busy workspace is refused in one line; SIGTERM leaves an interrupted, resumable run, and resume completes it', async () => {
    const workspace = aWorkspace();
    const { child, runId, runDir, exited } = await aRunInImplementation(workspace);
    expect(readJson<{ runId: string; pid: number }>(lockFile(workspace))).toMatchObject({ runId, pid: child.pid });

    const second = spawnSync(process.execPath, [CLI_PATH, 'run', '--task', 'y', '--workspace', workspace, ...SIM], { encoding: 'utf8', timeout: 60_000 });
    expect(second.status).toBe(2);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toContain(`run ${runId} (run, pid ${child.pid}, since `);
    expect(second.stderr).toContain(`kilo-orchestra resume --workspace ${workspace} --run ${runId}`);

    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(143);
    const state = readJson<State>(path.join(runDir, 'state.json'));
    expect(state.interrupted?.signal).toBe('SIGTERM');
    expect(state.workflow.phase).toBe('PAUSED');
    expect(state.workflow.pausedFrom).toMatch(/^CODE_/);
    const report = readJson<{ status: string; reason: string; interrupted?: { signal: string }; files: { planned: number; approved: number }; artifacts: Array<{ id: string }> }>(path.join(runDir, 'report.json'));
    expect(report.status).toBe('PAUSED');
    expect(report.interrupted?.signal).toBe('SIGTERM');
    expect(report.reason).toBe('Interrupted by SIGTERM.');
    expect(report.files.approved).toBeLessThan(20);
    expect(fs.existsSync(lockFile(workspace))).toBe(false);

    const resumed = spawnSync(process.execPath, [CLI_PATH, 'resume', '--workspace', workspace, '--sim-files', '20', '--quiet'], { encoding: 'utf8', timeout: 120_000 });
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);
    const done = readJson<typeof report>(path.join(runDir, 'report.json'));
    expect(done.status).toBe('COMPLETED');
    expect(done.interrupted).toBeUndefined();
    expect(done.files).toEqual({ planned: 20, approved: 20 });
    const ids = new Set(done.artifacts.map((artifact) => artifact.id));
    for (const artifact of report.artifacts) expect(ids.has(artifact.id)).toBe(true);
    expect(readJson<State>(path.join(runDir, 'state.json')).interrupted).toBeUndefined();
    expect(fs.existsSync(lockFile(workspace))).toBe(false);
  }, 180_000);

  it('Ctrl-C twice exits 130 with state.json marked interrupted, the lock gone, and the run resumable', async () => {
    const workspace = aWorkspace();
    const { child, runDir, exited } = await aRunInImplementation(workspace);
    // The second one lands while the first winds down (or after, if that was quicker): either way the run is left resumable.
    child.kill('SIGINT');
    child.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(130);
    const state = readJson<State>(path.join(runDir, 'state.json'));
    expect(state.interrupted?.signal).toBe('SIGINT');
    expect(['COMPLETED', 'CANCELLED', 'FAILED']).not.toContain(state.workflow.phase);
    expect(fs.existsSync(lockFile(workspace))).toBe(false);
    const resumed = spawnSync(process.execPath, [CLI_PATH, 'resume', '--workspace', workspace, '--sim-files', '20', '--quiet'], { encoding: 'utf8', timeout: 120_000 });
    expect(resumed.status).toBe(0);
    expect(readJson<{ status: string }>(path.join(runDir, 'report.json')).status).toBe('COMPLETED');
  }, 180_000);

  it('SIGHUP (the terminal closed) writes the report, marks the run interrupted and exits 129', async () => {
    const workspace = aWorkspace();
    const { child, runDir, exited } = await aRunInImplementation(workspace);
    child.kill('SIGHUP');
    const [code] = await exited;
    expect(code).toBe(129);
    expect(readJson<{ interrupted?: { signal: string } }>(path.join(runDir, 'report.json')).interrupted?.signal).toBe('SIGHUP');
    expect(readJson<State>(path.join(runDir, 'state.json')).interrupted?.signal).toBe('SIGHUP');
    expect(fs.existsSync(lockFile(workspace))).toBe(false);
  }, 180_000);
});
