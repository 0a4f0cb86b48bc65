import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startKiloRuntime, type KiloRuntime, type KiloRuntimeOverrides } from '../../extension/cli/kiloRuntime';
import type { AgentRecord } from '../../extension/engine/agents/agentSchema';
import { detectWork } from '../../extension/engine/roles/roleMarker';
import { OrchestrationRun } from '../../extension/engine/run/orchestrationRun';
import { removeAbandonedLocks } from '../../extension/kilo/staleLocks';
import { SAMPLE_PLAN, orchestraScript } from '../../extension/scriptedModel/orchestraScript';
import type { RequestLogEntry, Script } from '../../extension/scriptedModel/scriptedModelServer';
import { KiloStatusWatch, SAMPLE_TASK, aSampleWorkspace, busyAgents, chatRequests, kiloArgs, until, untilPhase, untilRequest } from './kiloRunHarness';
import { isAlive } from '../unit/support/process';

// Whole orchestrated runs on real `kilo serve` 7.7.7 when things go wrong: pause, cancel, a write
// outside the grant, the server killed mid-run, and a burst of rate limits.
const RUN_TIMEOUT_MS = 150_000;
const CODERS = new Set(['primary-coder', 'secondary-coder']);

interface Started {
  workspace: string;
  runtime: KiloRuntime;
  run: OrchestrationRun;
  watch: KiloStatusWatch;
  /** Every pid the Kilo server ran under, restarts included. */
  pids: number[];
}

let open: Started | undefined;

afterEach(async () => {
  const started = open;
  open = undefined;
  if (!started) return;
  try {
    await started.watch.close();
  } finally {
    await started.runtime.dispose();
  }
  // Nothing of Kilo may outlive the runtime.
  for (const pid of started.pids) expect(isAlive(pid), `kilo serve pid ${pid} is still running`).toBe(false);
  fs.rmSync(started.workspace, { recursive: true, force: true });
});

async function startRun(overrides: KiloRuntimeOverrides & { latencyMs?: number } = {}, workspace = aSampleWorkspace('kilo-resilience-')): Promise<Started> {
  const runtime = await startKiloRuntime(kiloArgs(workspace, { simLatencyMs: overrides.latencyMs ?? 50 }), () => undefined, { ...overrides, scripted: { script: orchestraScript(), ...overrides.scripted } });
  const pids = [runtime.server.connection!.pid];
  runtime.server.events.on('server:restarted', (connection) => pids.push(connection.pid));
  let watch: KiloStatusWatch;
  try {
    watch = await KiloStatusWatch.open(runtime, workspace);
  } catch (error) {
    await runtime.dispose();
    throw error;
  }
  const run = await OrchestrationRun.create({ workspace, task: SAMPLE_TASK, roles: runtime.roles, backend: runtime.backend, maxActive: 4, onAttention: 'fail' });
  open = { workspace, runtime, run, watch, pids };
  return open;
}

/** The first coder request to reach the model once implementation has begun: work in flight. */
async function firstImplementationRequest(started: Started): Promise<RequestLogEntry> {
  await untilPhase(started.run, 'CODE_IMPLEMENTATION');
  const since = Date.now();
  return untilRequest(started.runtime.scripted!, (request) => CODERS.has(request.role ?? '') && request.at >= since - 5 && request.endedAt === undefined);
}

/** Every file of the scripted plan holds its implementation, not the scaffold's pseudocode. */
function expectEveryPlannedFileImplemented(workspace: string): void {
  for (const { path: file } of SAMPLE_PLAN) expect(fs.readFileSync(path.join(workspace, file), 'utf8'), file).not.toContain('PSEUDOCODE');
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms.`)), ms).unref())]);
}

/** Kilo's lock folder in the private home the server `pid` runs with (Linux: read from /proc). */
function kiloLockDir(pid: number): string {
  const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  const stateHome = env.find((entry) => entry.startsWith('XDG_STATE_HOME='))?.slice('XDG_STATE_HOME='.length);
  expect(stateHome).toBeDefined();
  return path.join(stateHome!, 'kilo', 'locks');
}

describe('an orchestrated run on real kilo serve, when things go wrong', () => {
  it('pausing during implementation aborts every busy Kilo session, and resuming finishes the run', async () => {
    const { run, runtime, watch } = await startRun({ latencyMs: 400 });
    const finished = run.start();
    const inFlight = await firstImplementationRequest(open!);

    await run.pause();
    expect(run.workflow.phase).toBe('PAUSED');
    await until(() => busyAgents(run).length === 0, (recheck) => run.events.on('agent:statusChanged', recheck), 3_000, 'every agent to stop working');
    await within(runtime.scripted!.whenIdle(), 3_000, 'Ending the model requests in flight');
    expect(inFlight.endedAt).toBeDefined();
    expect(inFlight.aborted).toBe(true);
    await watch.untilAllIdle(3_000);
    expect(await watch.fetch()).toEqual({});

    await run.resume();
    const report = await finished;
    expect(report.status).toBe('COMPLETED');
    expect(report.states).toEqual(expect.arrayContaining(['CODE_IMPLEMENTATION', 'PAUSED', 'COMPLETED']));
    expectEveryPlannedFileImplemented(open!.workspace);
  }, RUN_TIMEOUT_MS);

  it('cancelling stops the run and every Kilo session within two seconds', async () => {
    const { run, watch } = await startRun({ latencyMs: 400 });
    const finished = run.start();
    await firstImplementationRequest(open!);
    await watch.untilSomeBusy(5_000);

    const cancelledAt = Date.now();
    void run.cancel();
    const report = await within(finished, 5_000, 'The cancelled run');
    const reportedMs = Date.now() - cancelledAt;
    await watch.untilAllIdle(5_000);
    const idleMs = Date.now() - cancelledAt;

    expect(report.status).toBe('CANCELLED');
    expect(reportedMs).toBeLessThanOrEqual(2_000);
    expect(idleMs).toBeLessThanOrEqual(2_000);
    expect(await watch.fetch()).toEqual({});
  }, RUN_TIMEOUT_MS);

  it('a write outside the grant is refused by Kilo, reported as a finding, and the run still completes', async () => {
    const workspace = aSampleWorkspace('kilo-resilience-');
    const stray = 'src/other.js';
    const base = orchestraScript();
    let strayFrom: string | undefined;
    // A Secondary Coder implementing its file also writes one it was not granted, in the same turn.
    const script: Script = async (request) => {
      const turn = await base(request);
      const work = detectWork(request.lastUser);
      if (strayFrom !== undefined || request.role !== 'secondary-coder' || work?.kind !== 'implement' || turn.toolCalls?.[0]?.name !== 'write') return turn;
      strayFrom = work.files[0];
      return { toolCalls: [...turn.toolCalls, { name: 'write', arguments: { filePath: path.join(workspace, stray), content: 'export const stray = true;\n' } }] };
    };
    const { run } = await startRun({ scripted: { script } }, workspace);

    const report = await run.start();

    expect(strayFrom).toBeDefined();
    expect(fs.existsSync(path.join(workspace, stray))).toBe(false);
    expect(report.status).toBe('COMPLETED');
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'grant-violation', agentId: expect.stringMatching(/^secondary-coder-/), message: expect.stringContaining(stray) })]);
    // The granted file of that same turn was written.
    expect(fs.readFileSync(path.join(workspace, strayFrom!), 'utf8')).not.toContain('PSEUDOCODE');
  }, RUN_TIMEOUT_MS);

  it('a Kilo server killed mid-run is restarted, leaves no lock behind, and the run continues to completion', async () => {
    const { run, runtime, pids } = await startRun({ latencyMs: 400, restartBaseMs: 100 });
    const finished = run.start();
    const inFlight = await firstImplementationRequest(open!);
    const restarted = new Promise((resolve) => runtime.server.events.once('server:restarted', resolve));

    const killed = runtime.server.connection!.pid;
    const locks = kiloLockDir(killed);
    process.kill(-killed, 'SIGKILL');
    await within(restarted, 30_000, 'Restarting kilo serve');
    // Our kilo serve runs without git snapshots, so a killed one leaves none of the snapshot locks
    // Kilo would take a minute to call stale (staleLocks.ts still clears any it finds at a restart).
    expect(fs.existsSync(locks) ? fs.readdirSync(locks).filter((name) => name.endsWith('.lock')) : []).toEqual([]);
    const report = await finished;

    expect(pids).toHaveLength(2);
    expect(pids[1]).not.toBe(killed);
    expect(isAlive(killed)).toBe(false);
    expect(inFlight.endedAt).toBeDefined();
    expect(report.status).toBe('COMPLETED');
    // The work cut off by the kill was done again on the new server, not reported done without doing it.
    expect(chatRequests(runtime.scripted!).some((request) => CODERS.has(request.role ?? '') && request.at > inFlight.endedAt!)).toBe(true);
    expectEveryPlannedFileImplemented(open!.workspace);
  }, RUN_TIMEOUT_MS);

  it('a burst of 429s is waited out with Kilo\'s backoff, shown as waiting on a rate limit, and the run completes', async () => {
    const { run, runtime } = await startRun({
      scripted: { faults: [{ when: (request) => request.role === 'architect', times: 2, fault: { type: 'status', status: 429, retryAfterSeconds: 1 } }] },
    });
    const waiting: AgentRecord[] = [];
    run.events.on('agent:statusChanged', (agent) => agent.status === 'waiting-rate-limit' && waiting.push(agent));

    const report = await run.start();

    expect(report.status).toBe('COMPLETED');
    expect(waiting.map((agent) => agent.role)).toContain('architect');
    const limited = chatRequests(runtime.scripted!).filter((request) => request.fault === 'status:429');
    expect(limited.map((request) => request.role)).toEqual(['architect', 'architect']);
    // Kilo honoured Retry-After: the architect was asked again only after the second refusal.
    const retried = chatRequests(runtime.scripted!).find((request) => request.role === 'architect' && request.fault === undefined);
    expect(retried!.at - limited[1]!.endedAt!).toBeGreaterThanOrEqual(900);
    expect(report.findings).toEqual([]);
  }, RUN_TIMEOUT_MS);
});

describe('the locks a killed Kilo server leaves behind', () => {
  function aStateHome(locks: Record<string, { pid: number; hostname?: string } | 'no-owner'>): string {
    const stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-locks-'));
    for (const [name, owner] of Object.entries(locks)) {
      const lock = path.join(stateHome, 'kilo', 'locks', `${name}.lock`);
      fs.mkdirSync(lock, { recursive: true });
      if (owner !== 'no-owner') fs.writeFileSync(path.join(lock, 'meta.json'), JSON.stringify({ token: name, pid: owner.pid, hostname: owner.hostname ?? os.hostname(), createdAt: new Date(0).toISOString() }));
    }
    return stateHome;
  }

  it('are removed when their owner has exited or was killed before naming itself, and kept while it lives or is elsewhere', () => {
    const stateHome = aStateHome({ dead: { pid: 1001 }, unnamed: 'no-owner', live: { pid: 1002 }, remote: { pid: 1001, hostname: 'another-host' } });
    try {
      const removed = removeAbandonedLocks(stateHome, (pid) => pid === 1002);

      expect(removed.map((lock) => path.basename(lock)).sort()).toEqual(['dead.lock', 'unnamed.lock']);
      expect(fs.readdirSync(path.join(stateHome, 'kilo', 'locks')).sort()).toEqual(['live.lock', 'remote.lock']);
    } finally {
      fs.rmSync(stateHome, { recursive: true, force: true });
    }
  });

  it('are looked for without failing in a state folder Kilo never locked', () => {
    const stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-locks-'));
    try {
      expect(removeAbandonedLocks(stateHome)).toEqual([]);
    } finally {
      fs.rmSync(stateHome, { recursive: true, force: true });
    }
  });
});
