import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKiloRuntime } from '../extension/cli/kiloRuntime';
import type { RunArgs } from '../extension/cli/cliArgs';
import { OrchestrationRun } from '../extension/engine/run/orchestrationRun';
import { KiloEventStream } from '../extension/kilo/kiloEventStream';
import { KiloHttp } from '../extension/kilo/kiloHttp';
import { orchestraScript } from '../extension/scriptedModel/orchestraScript';
import type { RequestLogEntry } from '../extension/scriptedModel/scriptedModelServer';

/*
 * One whole orchestrated run on real `kilo serve` with the scripted model, measured from the
 * scripted model's own request log and Kilo's event stream. Shared by the benchmarks and by the
 * tests that check the team's shape (who asked what, in which order); tests assert on event order,
 * never on the times this returns.
 */

export interface TeamRunOptions {
  /** Files the Architect plans (src/module01.js …). */
  files: number;
  /** Secondary Coders (the `instances` a user sets); the team's other roles follow the run's own rule. */
  coders: number;
  /** The scripted model's wait before each answer. */
  latencyMs: number;
  /** Most agents running at once (the CLI's --max-agents); default 8. */
  maxActive?: number;
  /** Role id → instances, set as a roles file would (e.g. `{ 'code-sceptic': 2 }`). */
  instances?: Record<string, number>;
  /** Files the Code Sceptic rejects once each (a fix turn and an Organiser decision each). */
  rejectFiles?: string[];
  /** Kilo's lines, for debugging a run. */
  log?: (line: string) => void;
  /** Have the scripted model count each request's o200k tokens (RequestLogEntry.promptTokens). */
  countPromptTokens?: boolean;
}

export interface TeamRunResult {
  status: string;
  /** From the run's start to its report. */
  wallMs: number;
  /** Spread of the Secondary Coders' first model requests (last first-request minus first). */
  firstRequestStaggerMs: number;
  /** True when every coder's first request arrived before any coder's second one. */
  codersStartedTogether: boolean;
  /** Role id → the largest request it sent, in prompt characters. */
  largestPromptCharsByRole: Record<string, number>;
  /** The Code Sceptic's first request per reviewed file, in the order reviewed: [file, prompt characters]. */
  reviewPromptChars: Array<[string, number]>;
  /** Role id → agents the run had of it. */
  agentsByRole: Record<string, number>;
  /** Kilo sessions the run created (`session.created` events in the workspace). */
  sessionsCreated: number;
  /** Sessions of the run the server still lists unarchived after the run ended. */
  sessionsAliveAtEnd: number;
  /** Sessions of the run the server still has after it ended, archived or not (the rest were deleted). */
  sessionsKeptAtEnd: number;
  /** Chat requests the scripted model answered. */
  modelRequests: number;
  /** Role id → [first request, last request end] in ms since the run's start: where the time went. */
  spanByRole: Record<string, [number, number]>;
  /** Every chat request the team sent, as the scripted model logged it. */
  requests: RequestLogEntry[];
  /** Requests Kilo sent on its own (no role marker: titles, summaries), as logged. */
  kiloOwnRequests: RequestLogEntry[];
}

/** Plan files `src/module01.js` … with a purpose each. */
export function planOf(files: number): Array<{ path: string; purpose: string }> {
  return Array.from({ length: files }, (_, i) => ({ path: `src/module${String(i + 1).padStart(2, '0')}.js`, purpose: `module ${i + 1} of the change` }));
}

/** Runs the sample task with `files` planned files and `coders` Secondary Coders; resolves once the run has ended. */
export async function runOnRealKilo(options: TeamRunOptions): Promise<TeamRunResult> {
  const workspace = sampleWorkspace();
  const rolesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-team-roles-')), 'roles.json');
  const instances = { 'secondary-coder': options.coders, ...options.instances };
  fs.writeFileSync(rolesFile, JSON.stringify({ roles: Object.entries(instances).map(([id, count]) => ({ id, instances: count })) }));
  const args: RunArgs = { command: 'run', task: 'Add overdue-loan tracking', workspace, backend: 'kilo', maxAgents: options.maxActive ?? 8, simFiles: options.files, simLatencyMs: options.latencyMs, models: {}, quiet: true, rolesFile };
  const script = orchestraScript({ planFiles: planOf(options.files), ...(options.rejectFiles ? { rejectFilesOnce: options.rejectFiles } : {}) });
  const runtime = await startKiloRuntime(args, options.log ?? (() => undefined), { scripted: { script, latencyMs: options.latencyMs, ...(options.countPromptTokens ? { countPromptTokens: true } : {}) } });
  const created = new Set<string>();
  const events = new KiloEventStream({ connection: () => runtime.server.connection, directory: workspace });
  events.onEvent((event) => {
    const info = event.properties.info as { id?: unknown } | undefined;
    if (event.type === 'session.created' && typeof info?.id === 'string') created.add(info.id);
  });
  try {
    await events.ready();
    const run = await OrchestrationRun.create({ workspace, task: args.task, roles: runtime.roles, backend: runtime.backend, maxActive: args.maxAgents, onAttention: 'fail' });
    const started = Date.now();
    const report = await run.start();
    const wallMs = Date.now() - started;
    const http = new KiloHttp({ connection: () => runtime.server.connection, directory: workspace });
    const listed = (await http.listSessions(report.runId)) as Array<{ time?: { archived?: number } }>;
    const requests = runtime.scripted!.requests.filter((r) => r.path === '/v1/chat/completions' && r.role !== undefined);
    const agentsByRole: Record<string, number> = {};
    for (const agent of report.agents) agentsByRole[agent.role] = (agentsByRole[agent.role] ?? 0) + 1;
    return {
      status: report.status,
      wallMs,
      ...coderStart(requests, agentsByRole['secondary-coder'] ?? options.coders),
      largestPromptCharsByRole: largestByRole(requests),
      reviewPromptChars: reviewSizes(requests),
      agentsByRole,
      sessionsCreated: created.size,
      sessionsAliveAtEnd: listed.filter((session) => session.time?.archived === undefined).length,
      sessionsKeptAtEnd: listed.length,
      modelRequests: requests.length,
      spanByRole: spans(requests, started),
      requests,
      kiloOwnRequests: runtime.scripted!.requests.filter((r) => r.role === undefined),
    };
  } finally {
    await events.close();
    await runtime.dispose();
    fs.rmSync(path.dirname(rolesFile), { recursive: true, force: true });
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

/**
 * The coders' first requests: each work item's first request names its file, and with `coders`
 * agents the first `coders` items are one per agent. They started together when the first
 * `coders` coder requests of the run are all first requests (no agent's second turn came sooner).
 */
export function coderStart(requests: readonly RequestLogEntry[], coders: number): { firstRequestStaggerMs: number; codersStartedTogether: boolean } {
  const coding = requests.filter((r) => r.role === 'secondary-coder').sort((a, b) => a.at - b.at);
  const seen = new Set<string>();
  const firstOfItem = coding.filter((r) => {
    const key = `${r.work?.kind}:${r.work?.files[0]}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const firsts = firstOfItem.slice(0, coders);
  const stagger = firsts.length > 1 ? firsts.at(-1)!.at - firsts[0]!.at : 0;
  return { firstRequestStaggerMs: stagger, codersStartedTogether: coding.slice(0, firsts.length).every((r) => firsts.includes(r)) };
}

function largestByRole(requests: readonly RequestLogEntry[]): Record<string, number> {
  const largest: Record<string, number> = {};
  for (const r of requests) largest[r.role!] = Math.max(largest[r.role!] ?? 0, r.promptChars);
  return largest;
}

function reviewSizes(requests: readonly RequestLogEntry[]): Array<[string, number]> {
  const seen = new Map<string, number>();
  for (const r of requests) {
    const file = r.work?.files[0];
    if (r.role === 'code-sceptic' && r.work?.kind === 'review-code' && file !== undefined && !seen.has(file)) seen.set(file, r.promptChars);
  }
  return [...seen];
}

function spans(requests: readonly RequestLogEntry[], started: number): Record<string, [number, number]> {
  const result: Record<string, [number, number]> = {};
  for (const r of requests) {
    const [from, to] = result[r.role!] ?? [Infinity, 0];
    result[r.role!] = [Math.min(from, r.at - started), Math.max(to, (r.endedAt ?? r.at) - started)];
  }
  return result;
}

/** A git-initialised copy of the sample project in a fresh temporary folder. */
function sampleWorkspace(): string {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-team-run-'));
  fs.cpSync(path.join(repoRoot(), 'scripts', 'sample-project'), workspace, { recursive: true });
  for (const gitArgs of [['init', '-q'], ['add', '-A'], ['-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '-qm', 'sample']]) {
    const result = spawnSync('git', gitArgs, { cwd: workspace });
    if (result.status !== 0) throw new Error(`git ${gitArgs[0]} failed in ${workspace}: ${result.stderr}`);
  }
  return workspace;
}

/** This repository's folder: above bench/ in a test, above .cache/bench/ once bundled. */
function repoRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'scripts', 'sample-project'))) return dir;
  }
  throw new Error(`No scripts/sample-project above ${__dirname}.`);
}
