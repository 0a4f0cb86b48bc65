import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedBackend, type SimulatedBackendOptions } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { EventLog } from '../../../extension/engine/run/eventLog';
import { OrchestrationRun, type OrchestrationRunOptions } from '../../../extension/engine/run/orchestrationRun';
import { whenPhase } from '../support/runEvents';

function aRun(backend: SimulatedBackendOptions = {}, options: Partial<OrchestrationRunOptions> = {}) {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'orchestration-'));
  return OrchestrationRun.create({
    workspace,
    task: 'Add overdue-loan tracking',
    roles: resolveRoles(simulatedRolesConfig()),
    backend: new SimulatedBackend(backend),
    onAttention: 'fail',
    workflow: { retryBaseMs: 1 },
    ...options,
  });
}

describe('OrchestrationRun on the simulated backend', () => {
  // 120 s is a timeout, not a performance assertion: this run takes ~20–30 s on a loaded two-core machine.
  it('completes a 200-file task through plan revision and code fixing with the Organiser under budget', async () => {
    const run = await aRun({ files: 200 });
    const report = await run.start();

    expect(report.status).toBe('COMPLETED');
    expect(report.states).toEqual(expect.arrayContaining(['PLANNING', 'PLAN_REVIEW', 'PLAN_REVISION', 'STRUCTURE_CREATION', 'CODE_IMPLEMENTATION', 'CODE_REVIEW', 'CODE_FIXING', 'DOCUMENTATION', 'COMPLETED']));
    // The tests run beside the documents; TESTING shows only when they outlast them or fail.
    expect(report.artifacts.filter((artifact) => artifact.type === 'test-report')).toHaveLength(1);
    expect(report.files).toEqual({ planned: 200, approved: 200 });
    expect(report.organiser.maxContextTokens).toBeLessThanOrEqual(2000);
    expect(report.organiser.maxContextTokens).toBeGreaterThan(0);
    expect(report.concurrency.maxActiveAgents).toBeGreaterThanOrEqual(2);
    expect(new Set(report.agents.map((a) => a.profile)).size).toBeGreaterThanOrEqual(5);
    expect(report.costUsd).toBeGreaterThan(0);
  }, 120_000);

  it('persists the state after the last transition and logs every transition with the run id', async () => {
    const run = await aRun({ files: 8 });
    const report = await run.start();

    const state = JSON.parse(fs.readFileSync(path.join(run.runDir, 'state.json'), 'utf8'));
    expect(state.workflow.phase).toBe('COMPLETED');
    expect(state.todo.length).toBeGreaterThan(8);
    const { entries } = await EventLog.read(path.join(run.runDir, 'events.jsonl'));
    const transitions = entries.filter((e) => e.kind === 'transition');
    expect(transitions).toHaveLength(report.transitions.length);
    expect(entries.every((e) => e.runId === run.runId)).toBe(true);
    expect(entries.some((e) => e.kind === 'message' && e.correlationId)).toBe(true);
  });

  it('pausing aborts every working agent and resuming finishes the run', async () => {
    const run = await aRun({ files: 10, latencyMs: 5 });
    const done = run.start();
    await whenPhase(run, 'CODE_IMPLEMENTATION');
    await run.pause();
    await whenIdle(run);
    expect(run.workflow.phase).toBe('PAUSED');
    expect(run.agents().filter((a) => a.status === 'working')).toEqual([]);

    await run.resume();
    const report = await done;
    expect(report.status).toBe('COMPLETED');
    expect(report.states).toContain('PAUSED');
    expect(report.files.approved).toBe(10);
  });

  it('cancelling stops the run and terminates every agent', async () => {
    const run = await aRun({ files: 10, latencyMs: 5 });
    const done = run.start();
    await whenPhase(run, 'CODE_IMPLEMENTATION');
    await run.cancel();
    const report = await done;
    expect(report.status).toBe('CANCELLED');
    expect(run.agents().every((a) => a.status === 'terminated')).toBe(true);
  });

  it('retries work that hit a rate limit and still completes', async () => {
    const run = await aRun({ files: 4, failures: [{ role: 'secondary-coder', kind: 'implement', times: 2, error: 'rate-limited' }] });
    const report = await run.start();
    expect(report.status).toBe('COMPLETED');
  });

  it('fails with a reason when one piece of work keeps failing and no one can decide', async () => {
    const run = await aRun({ files: 4, failures: [{ role: 'debugger', kind: 'test', times: 99, error: 'backend-failed' }] });
    const report = await run.start();
    expect(report.status).toBe('FAILED');
    expect(report.reason).toMatch(/needs a decision/);
  });

  it('falls back to the built-in rule when the Organiser answers nonsense twice', async () => {
    const run = await aRun({ files: 3, invalidDecisions: 2 });
    const report = await run.start();
    expect(report.status).toBe('COMPLETED');
    expect(report.organiser.ruleFallbacks).toBe(1);
  });

  it('malformed agent output is retried, not fatal', async () => {
    const run = await aRun({ files: 3, failures: [{ role: 'architect', kind: 'plan', times: 1, error: 'invalid-output' }] });
    const report = await run.start();
    expect(report.status).toBe('COMPLETED');
  });
});

/** Resolves once no agent is working any more (the pool reports every abort). */
function whenIdle(run: OrchestrationRun): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (run.agents().every((a) => a.status !== 'working')) {
        run.events.off('agent:statusChanged', check);
        resolve();
      }
    };
    run.events.on('agent:statusChanged', check);
    check();
  });
}
