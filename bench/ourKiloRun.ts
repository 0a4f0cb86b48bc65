import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKiloRuntime } from '../extension/cli/kiloRuntime';
import { OrchestrationRun } from '../extension/engine/run/orchestrationRun';
import { KiloEventStream } from '../extension/kilo/kiloEventStream';
import { KiloHttp } from '../extension/kilo/kiloHttp';
import { orchestraScript } from '../scripts/scriptedModel/orchestraScript';
import type { RequestLogEntry } from '../scripts/scriptedModel/scriptedModelServer';
import { aBenchWorkspace, pinnedKilo, planOf } from './benchWorkspace';
import { coderStart } from './kiloTeamRun';
import { concurrency } from './fit';
import { GroupMemorySampler, ownPeakRssBytes } from './processMemory';

/**
 * One orchestrated run of ours on real `kilo serve` with the scripted model: N independent
 * files, `coders` Secondary Coders (and as many agents at once), a fixed model latency, and the
 * optional roles (Code Sceptic, Documentation Writer, Debugger) off, so the run is the plan, the
 * scaffold and the implementation. Measured from the scripted model's request log. The whole team
 * (kiloTeamRun.ts's runOnRealKilo) took 134 s for 4 files where this takes ~45 s, and its reviews,
 * running beside the coders, stretch the very phase measured here.
 */
export interface OurRunOptions {
  files: number;
  coders: number;
  latencyMs: number;
}

export interface OurRunResult {
  status: string;
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
}

const OPTIONAL_ROLES = ['code-sceptic', 'documentation-writer', 'debugger'];

export async function runOursOnKilo(options: OurRunOptions): Promise<OurRunResult> {
  const workspace = aBenchWorkspace('bench-ours-');
  const rolesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-roles-')), 'roles.json');
  // Only what the implementation phase needs: the reviews, documents and tests after it are left out.
  const roles = [{ id: 'secondary-coder', instances: options.coders }, ...OPTIONAL_ROLES.map((id) => ({ id, active: false }))];
  fs.writeFileSync(rolesFile, JSON.stringify({ roles }));
  const runtime = await startKiloRuntime(
    { command: 'run', task: 'Add overdue-loan tracking', workspace, backend: 'kilo', rolesFile, maxAgents: options.coders, simFiles: options.files, simLatencyMs: options.latencyMs, models: {}, quiet: true, kiloPath: pinnedKilo() },
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
    const memory = new GroupMemorySampler(runtime.server.connection!.pid);
    const run = await OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles: runtime.roles, backend: runtime.backend, maxActive: options.coders, onAttention: 'fail' });
    const report = await run.start();
    const { peakRssBytes: kiloPeakRssBytes, leaderPeakRssBytes: kiloServerPeakRssBytes } = memory.stop();
    const http = new KiloHttp({ connection: () => runtime.server.connection, directory: workspace });
    const sessions = (await http.listSessions('')) as Array<{ time?: { archived?: number } }>;
    const chats = runtime.scripted!.requests.filter((entry) => entry.path === '/v1/chat/completions');
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
