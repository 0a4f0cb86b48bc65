import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedBackend, type SimulatedBackendOptions } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { OrchestrationRun, type OrchestrationRunOptions } from '../../../extension/engine/run/orchestrationRun';
import type { Attention } from '../../../extension/engine/workflow/workflowTypes';

function aRun(backend: SimulatedBackendOptions, options: Partial<OrchestrationRunOptions> = {}) {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'breaker-'));
  return OrchestrationRun.create({
    workspace,
    task: 'Add overdue-loan tracking',
    roles: resolveRoles(simulatedRolesConfig()),
    backend: new SimulatedBackend({ files: 3, ...backend }),
    workflow: { retryBaseMs: 1 },
    ...options,
  });
}

function nextAttention(run: OrchestrationRun): Promise<Attention> {
  return new Promise((resolve) => {
    const subscription = run.events.on('run:attention', (attention) => {
      subscription.dispose();
      resolve(attention);
    });
  });
}

describe('OrchestrationRun circuit breaker', () => {
  it('headless, work that keeps failing ends the run FAILED naming the agent, the work and the last error, with a finding', async () => {
    const run = await aRun({ failures: [{ role: 'debugger', kind: 'test', times: 99, error: 'backend-failed' }] }, { onAttention: 'fail' });
    const report = await run.start();
    expect(report.status).toBe('FAILED');
    expect(report.reason).toMatch(/test by debugger-1 failed 3 times; last error: debugger-1: the simulated session failed/);
    expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'circuit-breaker', agentId: 'debugger-1' }));
  });

  it('reassign moves the agent to the chosen profile, its work succeeds there and the run completes', async () => {
    const run = await aRun(
      { failures: [{ role: 'secondary-coder', kind: 'implement', times: 1, error: 'backend-failed' }] },
      { onAttention: 'wait', workflow: { retryBaseMs: 1, maxWorkAttempts: 1 } },
    );
    const stopped = nextAttention(run);
    const done = run.start();
    const attention = await stopped;
    expect(attention.decision).toMatchObject({ point: 'circuit-breaker', options: ['retry_work', 'reassign_work', 'skip_work'] });
    await run.resume({ action: 'reassign_work', reason: '', profileId: 'sim-debugger' });
    const report = await done;
    expect(report.status).toBe('COMPLETED');
    expect(report.agents.find((agent) => agent.id === 'secondary-coder-1')?.profile).toBe('simulated/sim-debugger');
    expect(report.findings.filter((finding) => finding.kind === 'circuit-breaker').map((finding) => finding.message)).toEqual([
      expect.stringMatching(/implement of src\/.+ by secondary-coder-1 failed 1 times/),
      expect.stringMatching(/moved secondary-coder-1 to profile sim-debugger/),
    ]);
  });

  it('skip of a file keeps the run going: it completes, and the report says the file was accepted as it was', async () => {
    const run = await aRun(
      { failures: [{ role: 'code-sceptic', kind: 'review-code', times: 1, error: 'backend-failed' }] },
      { onAttention: 'wait', workflow: { retryBaseMs: 1, maxWorkAttempts: 1 } },
    );
    const stopped = nextAttention(run);
    const done = run.start();
    const attention = await stopped;
    const file = attention.decision?.work?.file;
    expect(file).toBeDefined();
    await run.resume({ action: 'skip_work', reason: '' });
    const report = await done;
    expect(report.status).toBe('COMPLETED');
    expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'circuit-breaker', message: expect.stringContaining(`${file} is accepted as its last good version`) }));
  });

  it('a 429 storm costs no attempt: the run completes with no work failed', async () => {
    const run = await aRun({ rateLimitStorm: { probability: 0.3, seed: 11 } }, { onAttention: 'fail', workflow: { retryBaseMs: 1, maxWorkAttempts: 1 } });
    const report = await run.start();
    // One failed attempt would have opened the breaker (maxWorkAttempts 1) and failed the headless run.
    expect(report.status).toBe('COMPLETED');
    expect(report.findings.filter((finding) => finding.kind === 'circuit-breaker')).toEqual([]);
  });
});
