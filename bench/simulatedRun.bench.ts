// A whole orchestrated run on the simulated backend: wall time, engine overhead per event,
// peak concurrency and the Organiser's largest context, for several agent caps and latencies.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimulatedBackend } from '../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../extension/engine/roles/roleValidation';
import { EventLog } from '../extension/engine/run/eventLog';
import { OrchestrationRun } from '../extension/engine/run/orchestrationRun';
import { emit, round } from './stats';

async function once(files: number, maxActive: number, latencyMs: number): Promise<void> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-run-'));
  const run = await OrchestrationRun.create({
    workspace,
    task: 'Build the inventory service',
    roles: resolveRoles(simulatedRolesConfig()),
    backend: new SimulatedBackend({ files, latencyMs }),
    maxActive,
    onAttention: 'fail',
  });
  let machineEvents = 0;
  run.events.on('workflow:changed', () => (machineEvents += 1));
  const t0 = performance.now();
  const report = await run.start();
  const wallMs = performance.now() - t0;
  const { entries } = await EventLog.read(path.join(run.runDir, 'events.jsonl'));
  // With zero latency all of the wall time is the engine's own work.
  emit({
    bench: 'simulatedRun',
    files,
    maxActive,
    latencyMs,
    status: report.status,
    wallMs: round(wallMs, 0),
    machineEvents,
    engineMsPerEvent: latencyMs === 0 ? round(wallMs / machineEvents, 3) : undefined,
    logEntries: entries.length,
    artifacts: report.artifacts.length,
    maxActiveAgents: report.concurrency.maxActiveAgents,
    organiserTurns: report.organiser.turns,
    organiserMaxContextTokens: report.organiser.maxContextTokens,
    organiserMeanContextTokens: report.organiser.meanContextTokens,
  });
  fs.rmSync(workspace, { recursive: true, force: true });
}

async function main(): Promise<void> {
  for (const maxActive of [1, 2, 4]) await once(200, maxActive, 0);
  for (const maxActive of [1, 2, 4]) await once(24, maxActive, 20);
}

void main();
