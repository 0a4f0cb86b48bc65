import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKiloRuntime } from '../extension/cli/kiloRuntime';
import { OrchestrationRun } from '../extension/engine/run/orchestrationRun';
import { KiloEventStream } from '../extension/kilo/kiloEventStream';
import { KiloHttp } from '../extension/kilo/kiloHttp';
import { orchestraScript } from '../extension/scriptedModel/orchestraScript';
import type { RequestLogEntry } from '../extension/scriptedModel/scriptedModelServer';
import { aBenchWorkspace, pinnedKilo, planOf } from './benchWorkspace';
import { coderStart } from './kiloTeamRun';
import { concurrency } from './fit';
import { GroupMemorySampler, groupCpuMs, ownPeakRssBytes } from './processMemory';

/**
 * One orchestrated run of ours on real `kilo serve` with the scripted model: N independent
 * files, `coders` Secondary Coders, a fixed model latency. The whole team by default: the plan and
 * its review, the scaffold, the implementation with reviews beside it (the Code Sceptics scale
 * with the coders, the run's own rule), the documents and the tests; or only the implementation
 * side (optional roles off: the plan, the scaffold and the code). Measured from the scripted
 * model's request log, Kilo's events and /proc.
 */
export interface OurRunOptions {
  files: number;
  coders: number;
  latencyMs: number;
  /** `implementation` leaves the Code Sceptic, Documentation Writer and Debugger out (default `whole`). */
  team?: 'whole' | 'implementation';
}

export interface OurRunResult {
  status: string;
  /** The whole run, from its start to its report. */
  wallMs: number;
  /** From the first `implement` request's arrival to the end of the last one. */
  implementMs: number;
  implementRequests: number;
  implementTurns: number;
  /** Spread of the Secondary Coders' first requests (the agents that start together), as kiloTeamRun.ts's coderStart measures it. */
  startStaggerMs: number;
  /** (implementMs × coders − implementRequests × latency) / implementTurns. */
  overheadPerTurnMs: number;
  /** The turns' own spans summed, over implementMs: how many turns were in flight on average. */
  achievedConcurrency: number;
  organiserMaxContextTokens: number;
  agents: number;
  sessionsCreated: number;
  /** Sessions of the workspace Kilo still lists unarchived after the run ended. */
  sessionsAliveAtEnd: number;
  /** Highest RSS sum of the kilo serve process group (shared pages of its processes count once per process). */
  kiloPeakRssBytes: number;
  /** The kilo serve process's own peak RSS (the kernel's VmHWM). */
  kiloServerPeakRssBytes: number;
  ownPeakRssBytes: number;
  /** CPU time kilo serve's process group spent during the run (user and system, its children included). */
  kiloCpuMs: number;
  /** Chat requests the team sent the scripted model in the whole run. */
  modelRequests: number;
}

const OPTIONAL_ROLES = ['code-sceptic', 'documentation-writer', 'debugger'];

export async function runOursOnKilo(options: OurRunOptions): Promise<OurRunResult> {
  const workspace = aBenchWorkspace('bench-ours-');
  const rolesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-roles-')), 'roles.json');
  const whole = (options.team ?? 'whole') === 'whole';
  // The implementation side alone leaves the reviews, documents and tests out.
  const roles = [{ id: 'secondary-coder', instances: options.coders }, ...(whole ? [] : OPTIONAL_ROLES.map((id) => ({ id, active: false })))];
  fs.writeFileSync(rolesFile, JSON.stringify({ roles }));
  // Room for every agent of the team at once (a coder and its reviewer each, and the one-of roles),
  // so the limit on agents is not what the run measures.
  const maxAgents = whole ? 2 * options.coders + 4 : options.coders;
  const runtime = await startKiloRuntime(
    { command: 'run', task: 'Add overdue-loan tracking', workspace, backend: 'kilo', rolesFile, maxAgents, simFiles: options.files, simLatencyMs: options.latencyMs, models: {}, quiet: true, kiloPath: pinnedKilo() },
    () => undefined,
    { scripted: { script: orchestraScript({ planFiles: planOf(options.files) }), latencyMs: options.latencyMs } },
  );
  // Counted from Kilo's events: sessions a run deletes when their work is done are counted too.
  const created = new Set<string>();
  const events = new KiloEventStream({ connection: () => runtime.server.connection, directory: workspace });
  events.onEvent((event) => {
    const info = event.properties.info as { id?: unknown } | undefined;
    if (event.type === 'session.created' && typeof info?.id === 'string') created.add(info.id);
  });
  try {
    await events.ready();
    const kiloPid = runtime.server.connection!.pid;
    const memory = new GroupMemorySampler(kiloPid);
    const cpuBefore = groupCpuMs(kiloPid);
    const run = await OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles: runtime.roles, backend: runtime.backend, maxActive: maxAgents, onAttention: 'fail' });
    const report = await run.start();
    const kiloCpuMs = groupCpuMs(kiloPid) - cpuBefore;
    const { peakRssBytes: kiloPeakRssBytes, leaderPeakRssBytes: kiloServerPeakRssBytes } = memory.stop();
    const http = new KiloHttp({ connection: () => runtime.server.connection, directory: workspace });
    const sessions = (await http.listSessions('')) as Array<{ time?: { archived?: number } }>;
    const chats = runtime.scripted!.requests.filter((entry) => entry.path === '/v1/chat/completions' && entry.role !== undefined);
    const implement = chats.filter((entry) => entry.work?.kind === 'implement' && entry.role === 'secondary-coder');
    const shape = implementShape(implement, options);
    return {
      status: report.status,
      wallMs: report.wallMs,
      ...shape,
      organiserMaxContextTokens: report.organiser.maxContextTokens,
      agents: report.agents.length,
      sessionsCreated: created.size,
      sessionsAliveAtEnd: sessions.filter((session) => session.time?.archived === undefined).length,
      kiloPeakRssBytes,
      kiloServerPeakRssBytes,
      ownPeakRssBytes: ownPeakRssBytes(),
      kiloCpuMs,
      modelRequests: chats.length,
    };
  } finally {
    await events.close();
    await runtime.dispose();
    fs.rmSync(path.dirname(rolesFile), { recursive: true, force: true });
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

function implementShape(implement: RequestLogEntry[], options: OurRunOptions): Pick<OurRunResult, 'implementMs' | 'implementRequests' | 'implementTurns' | 'startStaggerMs' | 'overheadPerTurnMs' | 'achievedConcurrency'> {
  if (implement.length === 0) return { implementMs: 0, implementRequests: 0, implementTurns: 0, startStaggerMs: 0, overheadPerTurnMs: 0, achievedConcurrency: 0 };
  const start = Math.min(...implement.map((entry) => entry.at));
  const end = Math.max(...implement.map((entry) => entry.endedAt ?? entry.at));
  const implementMs = end - start;
  const turns = new Set(implement.map((entry) => entry.work?.files[0] ?? '')).size;
  return {
    implementMs,
    implementRequests: implement.length,
    implementTurns: turns,
    // The team-scaling tests' own definition (kiloTeamRun.ts), so both report the same figure.
    startStaggerMs: coderStart(implement, options.coders).firstRequestStaggerMs,
    overheadPerTurnMs: Math.round((implementMs * Math.min(options.coders, turns) - implement.length * options.latencyMs) / turns),
    achievedConcurrency: concurrency(implement.map((entry) => ({ key: entry.work?.files[0] ?? '', at: entry.at, endedAt: entry.endedAt ?? entry.at }))),
  };
}
