import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startKiloRuntime, type KiloRuntime } from '../../extension/cli/kiloRuntime';
import type { AgentRecord } from '../../extension/engine/agents/agentSchema';
import { OrchestrationRun } from '../../extension/engine/run/orchestrationRun';
import { SAMPLE_PLAN, orchestraScript } from '../../extension/scriptedModel/orchestraScript';
import { SAMPLE_TASK, aSampleWorkspace, chatRequests, kiloArgs } from './kiloRunHarness';

// What a person reads while Kilo retries the model: a 429 is "waiting on rate limit", a 503 is a
// provider error, never a rate limit. Real `kilo serve`, the scripted model answering the statuses.
const RUN_TIMEOUT_MS = 240_000;

let open: { runtime: KiloRuntime; workspace: string } | undefined;

afterEach(async () => {
  if (!open) return;
  await open.runtime.dispose();
  fs.rmSync(open.workspace, { recursive: true, force: true });
  open = undefined;
});

describe('retry status on real kilo serve', () => {
  it('a 503 shows as a provider error and a 429 as a rate limit, each naming the provider, and the run completes', async () => {
    const workspace = aSampleWorkspace('kilo-retry-');
    const runtime = await startKiloRuntime(kiloArgs(workspace, { simLatencyMs: 20 }), () => undefined, {
      scripted: {
        script: orchestraScript({ planFiles: SAMPLE_PLAN.slice(1, 2) }),
        faults: [
          { when: (request) => request.role === 'architect', fault: { type: 'status', status: 503 } },
          { when: (request) => request.role === 'code-sceptic', times: 1, fault: { type: 'status', status: 429, retryAfterSeconds: 1 } },
        ],
      },
    });
    open = { runtime, workspace };
    const run = await OrchestrationRun.create({ workspace, task: SAMPLE_TASK, roles: runtime.roles, backend: runtime.backend, maxActive: 4, onAttention: 'fail' });
    const seen: AgentRecord[] = [];
    run.events.on('agent:statusChanged', (agent) => seen.push(agent));

    const report = await run.start();

    expect(report.status).toBe('COMPLETED');
    const faults = chatRequests(runtime.scripted!).flatMap((request) => (request.fault ? [request.fault] : []));
    expect(faults).toEqual(expect.arrayContaining(['status:503', 'status:429']));
    const architect = seen.filter((agent) => agent.role === 'architect');
    expect(architect.some((agent) => agent.status === 'working' && /^waiting: provider error.*\(scripted, next try in \d+ s\)$/.test(agent.currentStep ?? ''))).toBe(true);
    expect(architect.some((agent) => agent.status === 'waiting-rate-limit')).toBe(false);
    const sceptic = seen.filter((agent) => agent.role === 'code-sceptic');
    expect(sceptic.some((agent) => agent.status === 'waiting-rate-limit' && /^waiting on rate limit \(scripted, next try in \d+ s\)$/.test(agent.currentStep ?? ''))).toBe(true);
  }, RUN_TIMEOUT_MS);
});
