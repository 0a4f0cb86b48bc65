import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { OrchestrationRun } from '../../../extension/engine/run/orchestrationRun';
import type { AgentRecord } from '../../../extension/engine/agents/agentSchema';
import { rejection } from '../support/errors';

/**
 * A simulated run whose first coder's turns wait for `releaseFirst`, and which records the files
 * each coder finishes, so the test can see who worked while one coder was paused.
 */
async function aRun() {
  let releaseFirst!: () => void;
  const firstReleased = new Promise<void>((resolve) => (releaseFirst = resolve));
  const sleep = async (_ms: number, signal: AbortSignal, agentId: string) => {
    if (agentId === 'secondary-coder-1') await Promise.race([firstReleased, new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
  };
  const run = await OrchestrationRun.create({
    workspace: fs.mkdtempSync(path.join(os.tmpdir(), 'pause-one-')),
    task: 'Add overdue-loan tracking',
    roles: resolveRoles(simulatedRolesConfig()),
    backend: new SimulatedBackend({ files: 4, latencyMs: 1, sleep }),
    onAttention: 'fail',
  });
  const approvedBy = new Map<string, string>();
  run.events.on('workflow:changed', (state) => {
    for (const file of state.files) if (file.stage === 'approved' && !approvedBy.has(file.path)) approvedBy.set(file.path, `secondary-coder-${file.coder ?? 0}`);
  });
  return { run, releaseFirst, approvedBy };
}

function whenStatus(run: OrchestrationRun, agentId: string, status: AgentRecord['status']): Promise<void> {
  return new Promise((resolve) => {
    const subscription = run.events.on('agent:statusChanged', (agent) => {
      if (agent.id !== agentId || agent.status !== status) return;
      subscription.dispose();
      resolve();
    });
  });
}

describe('pausing one agent', () => {
  it('holds that coder’s work while the other coder finishes its own, and the run completes once it is resumed', async () => {
    const { run, releaseFirst, approvedBy } = await aRun();
    const firstBusy = whenStatus(run, 'secondary-coder-1', 'working');
    const done = run.start();
    await firstBusy;

    const paused = whenStatus(run, 'secondary-coder-1', 'paused');
    await run.pauseAgent('secondary-coder-1');
    await paused;
    releaseFirst();
    // The other coder's files get approved while the first is paused.
    const secondFinished = new Promise<void>((resolve) => {
      const subscription = run.events.on('workflow:changed', (state) => {
        const own = state.files.filter((file) => file.coder === 2);
        if (own.length > 0 && own.every((file) => file.stage === 'approved')) {
          subscription.dispose();
          resolve();
        }
      });
    });
    await secondFinished;
    expect(run.agents().find((agent) => agent.id === 'secondary-coder-1')?.status).toBe('paused');
    expect(run.workflow.files.filter((file) => file.coder === 1).map((file) => file.stage)).not.toContain('approved');
    expect(run.workflow.phase).not.toBe('COMPLETED');

    await run.resumeAgent('secondary-coder-1');
    const report = await done;
    expect(report.status).toBe('COMPLETED');
    expect([...approvedBy.values()].sort()).toEqual(['secondary-coder-1', 'secondary-coder-1', 'secondary-coder-2', 'secondary-coder-2']);
    const events = fs.readFileSync(path.join(run.runDir, 'events.jsonl'), 'utf8');
    expect(events).toContain('"event":"agent-paused"');
    expect(events).toContain('"event":"agent-resumed"');
  });

  it('refuses an agent the run does not have', async () => {
    const { run, releaseFirst } = await aRun();
    releaseFirst();
    const done = run.start();
    expect((await rejection(run.pauseAgent('secondary-coder-9'))).reason).toBe('unknown-recipient');
    await done;
  });
});
