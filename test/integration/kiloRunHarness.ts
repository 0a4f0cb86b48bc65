import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { RunArgs } from '../../extension/cli/cliArgs';
import type { KiloRuntime } from '../../extension/cli/kiloRuntime';
import type { AgentRecord } from '../../extension/engine/agents/agentSchema';
import type { OrchestrationRun } from '../../extension/engine/run/orchestrationRun';
import type { Phase } from '../../extension/engine/workflow/workflowTypes';
import { KiloEventStream } from '../../extension/kilo/kiloEventStream';
import type { RequestLogEntry, ScriptedModel } from '../../extension/scriptedModel/scriptedModelServer';

// Shared setup for whole orchestrated runs on real `kilo serve` with the scripted model.
const root = path.resolve(__dirname, '../..');

export const SAMPLE_TASK = 'Add overdue-loan tracking';

/** The Kilo binary `npm ci` pins (7.7.7), which CI runs. */
export const PINNED_KILO = path.join(root, 'node_modules', '@kilocode', 'cli-linux-x64', 'bin', 'kilo');

/**
 * The Kilo the integration tests run: `KILO_ORCHESTRA_KILO_PATH` when set (another claimed version,
 * fetched by `node scripts/kiloVersions.mjs`), else the pinned one.
 */
export const KILO_UNDER_TEST = process.env.KILO_ORCHESTRA_KILO_PATH ? path.resolve(process.env.KILO_ORCHESTRA_KILO_PATH) : PINNED_KILO;

/** Its version: read from the `.kilo-versions/<version>/` folder it was fetched into, else the pin's. */
export const KILO_VERSION_UNDER_TEST = /[\\/]\.kilo-versions[\\/](\d+\.\d+\.\d+)[\\/]/.exec(KILO_UNDER_TEST)?.[1] ?? '7.7.7';

/** A git-initialised copy of the sample project in a fresh temporary folder. */
export function aSampleWorkspace(prefix = 'kilo-run-'): string {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.cpSync(path.join(root, 'scripts', 'sample-project'), workspace, { recursive: true });
  for (const args of [['init', '-q'], ['add', '-A'], ['-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '-qm', 'sample']]) {
    expect(spawnSync('git', args, { cwd: workspace }).status).toBe(0);
  }
  return workspace;
}

/** `run --backend kilo` on the scripted model (no `--model`), quiet. */
export function kiloArgs(workspace: string, overrides: Partial<RunArgs> = {}): RunArgs {
  const kiloPath = process.env.KILO_ORCHESTRA_KILO_PATH ? { kiloPath: KILO_UNDER_TEST } : {};
  return { command: 'run', task: SAMPLE_TASK, workspace, backend: 'kilo', maxAgents: 4, simFiles: 6, simLatencyMs: 250, models: {}, quiet: true, ...kiloPath, ...overrides };
}

/** Chat completion requests the scripted model has seen from the team's roles. */
export function chatRequests(scripted: ScriptedModel): RequestLogEntry[] {
  return scripted.requests.filter((r) => r.path === '/v1/chat/completions' && r.role !== undefined);
}

/** Resolves once `check()` holds, re-checking on every event `subscribe` reports; rejects after `timeoutMs`. */
export function until(check: () => boolean, subscribe: (recheck: () => void) => { dispose(): void }, timeoutMs: number, what: string): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const subscription = subscribe(() => {
      if (!check()) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve();
    });
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`));
    }, timeoutMs);
  });
}

/** Resolves with the first transition into `phase`. */
export function untilPhase(run: OrchestrationRun, phase: Phase): Promise<void> {
  return new Promise((resolve) => {
    const subscription = run.events.on('workflow:transitioned', (change) => {
      if (change.to !== phase) return;
      subscription.dispose();
      resolve();
    });
  });
}

/** Resolves with the first request to arrive at the scripted model that `match` accepts. */
export async function untilRequest(scripted: ScriptedModel, match: (request: RequestLogEntry) => boolean): Promise<RequestLogEntry> {
  for (let seen = 0; ; seen++) {
    const entries = await scripted.whenRequests(seen + 1);
    const request = entries[seen]!;
    if (match(request)) return request;
  }
}

/** Agents whose record says they are working (or waiting on a rate limit, which is work in flight). */
export function busyAgents(run: OrchestrationRun): AgentRecord[] {
  return run.agents().filter((agent) => agent.status === 'working' || agent.status === 'waiting-rate-limit');
}

/**
 * Kilo's own view of its sessions: the statuses of `GET /session/status`, kept up to date from the
 * `session.status` events of the server's event stream, so a test can await "every session idle".
 */
export class KiloStatusWatch {
  private readonly statuses = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private readonly stream: KiloEventStream;

  private constructor(
    private readonly runtime: KiloRuntime,
    private readonly workspace: string,
  ) {
    this.stream = new KiloEventStream({ connection: () => runtime.server.connection, directory: workspace });
    this.stream.onEvent((event) => {
      if (event.type !== 'session.status' && event.type !== 'session.idle') return;
      const id = event.properties.sessionID;
      const status = event.type === 'session.idle' ? 'idle' : (event.properties.status as { type?: string } | undefined)?.type;
      if (typeof id !== 'string' || status === undefined) return;
      this.statuses.set(id, status);
      for (const listener of [...this.listeners]) listener();
    });
  }

  /** Follows the server's events from now on, starting from its current statuses. */
  static async open(runtime: KiloRuntime, workspace: string): Promise<KiloStatusWatch> {
    const watch = new KiloStatusWatch(runtime, workspace);
    await watch.stream.ready();
    for (const [id, status] of Object.entries(await watch.fetch())) watch.statuses.set(id, status.type);
    return watch;
  }

  /** Sessions whose latest status is not idle. */
  busy(): string[] {
    return [...this.statuses].filter(([, status]) => status !== 'idle').map(([id]) => id);
  }

  /** Resolves once no session is busy by the events; rejects after `timeoutMs`. */
  untilAllIdle(timeoutMs: number): Promise<void> {
    return until(() => this.busy().length === 0, (recheck) => this.subscribe(recheck), timeoutMs, `Kilo sessions ${this.busy().join(', ')} to go idle`);
  }

  /** Resolves once some session is busy; rejects after `timeoutMs`. */
  untilSomeBusy(timeoutMs: number): Promise<void> {
    return until(() => this.busy().length > 0, (recheck) => this.subscribe(recheck), timeoutMs, 'a Kilo session to be busy');
  }

  /** `GET /session/status?directory=…`: Kilo lists only the sessions that are not idle. */
  async fetch(): Promise<Record<string, { type: string }>> {
    const response = await this.runtime.server.request(`/session/status?directory=${encodeURIComponent(this.workspace)}`);
    expect(response.ok).toBe(true);
    return (await response.json()) as Record<string, { type: string }>;
  }

  close(): Promise<void> {
    return this.stream.close();
  }

  private subscribe(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}
