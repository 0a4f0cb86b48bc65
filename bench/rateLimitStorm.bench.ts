// A simulated run in a 429 storm (30% of model requests answer 429, from a seeded sequence) next to
// the same run with none: the provider scheduler waits the storm out, so the storm should cost
// wall time only, with the same artifacts and cost and no work redone.
//   node bench/run.mjs rateLimitStorm
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimulatedBackend } from '../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../extension/engine/roles/roleValidation';
import { OrchestrationRun } from '../extension/engine/run/orchestrationRun';
import { emit, round } from './stats';

const FILES = 12;
/** Per request, so the run's wall time is mostly model time, as in a real run, not engine overhead. */
const LATENCY_MS = 100;
/** The scheduler's backoff base (the run's retryBaseMs): small, so the bench measures in seconds. */
const RETRY_BASE_MS = 200;

async function once(stormProbability: number, seed: number): Promise<Record<string, unknown>> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-storm-'));
  const run = await OrchestrationRun.create({
    workspace,
    task: 'Build the inventory service',
    roles: resolveRoles(simulatedRolesConfig()),
    backend: new SimulatedBackend({ files: FILES, latencyMs: LATENCY_MS, ...(stormProbability > 0 ? { rateLimitStorm: { probability: stormProbability, seed } } : {}) }),
    maxActive: 4,
    onAttention: 'fail',
    workflow: { retryBaseMs: RETRY_BASE_MS },
    providerLimits: { simulated: { maxConcurrent: 4 } },
  });
  // Work redone: a work item sent again after an attempt failed (what a 429 used to cost).
  const redone = new Set<string>();
  run.events.on('workflow:changed', (state) => {
    for (const work of Object.values(state.inFlight)) if (work.attempt > 1) redone.add(`${work.id}#${work.attempt}`);
  });
  // Agent-time spent waiting on the rate limit: from entering waiting-rate-limit to the next other status.
  let rateLimitWaits = 0;
  let waitingMs = 0;
  const waitingSince = new Map<string, number>();
  run.events.on('agent:statusChanged', (agent) => {
    const since = waitingSince.get(agent.id);
    if (agent.status === 'waiting-rate-limit') {
      if (since === undefined) {
        rateLimitWaits += 1;
        waitingSince.set(agent.id, performance.now());
      }
    } else if (since !== undefined) {
      waitingMs += performance.now() - since;
      waitingSince.delete(agent.id);
    }
  });
  const t0 = performance.now();
  const report = await run.start();
  const wallMs = performance.now() - t0;
  fs.rmSync(workspace, { recursive: true, force: true });
  const byRole = (role: string) => report.agents.filter((agent) => agent.role === role);
  return {
    bench: 'rateLimitStorm',
    storm: stormProbability,
    seed,
    status: report.status,
    wallMs: round(wallMs, 0),
    turns: report.agents.reduce((sum, agent) => sum + agent.turns, 0),
    rateLimitWaits,
    agentWaitingMs: round(waitingMs, 0),
    workRedone: redone.size,
    artifacts: report.artifacts.length,
    artifactIds: report.artifacts.map((artifact) => `${artifact.type}:${artifact.version}`).sort().join(','),
    costUsd: report.costUsd,
    // The Organiser's prompt shows agents' statuses, so its cost may move by a hair in a storm.
    costWithoutOrganiserUsd: round(report.agents.filter((agent) => agent.role !== 'organiser').reduce((sum, agent) => sum + agent.costUsd, 0), 6),
    organiserTurns: byRole('organiser').reduce((sum, agent) => sum + agent.turns, 0),
  };
}

async function main(): Promise<void> {
  const calm = await once(0, 0);
  emit(calm);
  for (const seed of [1, 2, 3]) {
    const storm = await once(0.3, seed);
    emit(storm);
    emit({
      bench: 'rateLimitStorm/compare',
      seed,
      sameArtifacts: storm.artifactIds === calm.artifactIds,
      sameTurns: storm.turns === calm.turns,
      extraCostUsd: round((storm.costUsd as number) - (calm.costUsd as number), 6),
      extraWallMs: round((storm.wallMs as number) - (calm.wallMs as number), 0),
      agentWaitingMs: storm.agentWaitingMs,
      sameCostWithoutOrganiser: storm.costWithoutOrganiserUsd === calm.costWithoutOrganiserUsd,
      workRedone: storm.workRedone,
    });
  }
}

void main();
