import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import type { Attention } from '../../../extension/engine/workflow/workflowTypes';
import { OrchestrationRun, type OrchestrationRunOptions } from '../../../extension/engine/run/orchestrationRun';
import { RunStateStore } from '../../../extension/engine/run/runStateStore';

const FILES = 20;

function aRun(options: Partial<OrchestrationRunOptions> = {}, workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'budget-run-'))) {
  return OrchestrationRun.create({
    workspace,
    task: 'Add overdue-loan tracking',
    roles: resolveRoles(simulatedRolesConfig()),
    backend: new SimulatedBackend({ files: FILES }),
    onAttention: 'fail',
    workflow: { retryBaseMs: 1 },
    ...options,
  });
}

describe('budgets in a run', () => {
  it('a headless run that would pass its budget ends PAUSED, within it, with a budget finding and a resumable state', async () => {
    const run = await aRun({ budgets: { runUsd: 0.15 } });
    const report = await run.start();
    expect(report.status).toBe('PAUSED');
    expect(report.reason).toMatch(/^The run budget of \$0\.15 would be passed: spent \$0\.\d+.*, next turn ~\$[\d.]+ \([a-z-]+\)$/);
    expect(report.costUsd).toBeGreaterThan(0);
    expect(report.costUsd).toBeLessThanOrEqual(0.15);
    expect(report.findings.filter((finding) => finding.kind === 'budget')).toHaveLength(1);
    expect(report.budget).toMatchObject({ runUsd: 0.15, stoppedBy: { scope: 'run', limitUsd: 0.15 }, estimateUnavailable: [] });

    const saved = await RunStateStore.load(run.runDir);
    expect(saved.workflow.phase).toBe('PAUSED');
    expect(saved.workflow.inFlight).toEqual({});
    expect(saved.workflow.deferred.length).toBeGreaterThan(0);
    // The report rounds to 6 places, so the two may differ in the last of them.
    expect(saved.spent.totalUsd).toBeCloseTo(report.costUsd, 5);
    expect(saved.budgets).toEqual({ runUsd: 0.15 });
  });

  it('resumed with a higher budget, the run completes, keeps what was done and carries the cost over', async () => {
    const first = await aRun({ budgets: { runUsd: 0.15 } });
    const paused = await first.start();
    const snapshot = await RunStateStore.load(first.runDir);
    const resumed = await aRun({ budgets: { runUsd: 5 }, restoreFrom: snapshot }, paused.workspace);
    expect(resumed.runId).toBe(paused.runId);
    const report = await resumed.start();

    expect(report.status).toBe('COMPLETED');
    expect(report.files).toEqual({ planned: FILES, approved: FILES });
    expect(report.costUsd).toBeGreaterThan(paused.costUsd);
    expect(report.states.slice(0, paused.states.length)).toEqual(paused.states);
    // Nothing recorded before the pause is recorded again; each file has one code artifact.
    const ids = new Set(report.artifacts.map((artifact) => artifact.id));
    for (const artifact of paused.artifacts) expect(ids.has(artifact.id)).toBe(true);
    expect(report.artifacts.filter((artifact) => artifact.type === 'plan')).toHaveLength(1);
    expect(report.artifacts.filter((artifact) => artifact.type === 'code')).toHaveLength(FILES);
    const events = fs.readFileSync(path.join(first.runDir, 'events.jsonl'), 'utf8');
    expect(events).toContain('"event":"started"');
    expect(events).toContain('"event":"resumed"');
  });

  it("a role's budget stops the run at that role", async () => {
    const run = await aRun({ budgets: { roleUsd: { 'code-sceptic': 0.01 } } });
    const report = await run.start();
    expect(report.status).toBe('PAUSED');
    expect(report.budget?.stoppedBy).toMatchObject({ scope: 'role', role: 'code-sceptic', limitUsd: 0.01 });
    expect(report.budget?.roles['code-sceptic']?.spentUsd).toBeLessThanOrEqual(0.01);
  });

  it('with a person there, the run pauses with the budget as its attention, and resumes after the budget is raised', async () => {
    const run = await aRun({ onAttention: 'wait', budgets: { runUsd: 0.1 } });
    const attention = new Promise<Attention>((resolve) => run.events.on('run:attention', resolve));
    const finished = run.start();
    expect((await attention).reason).toMatch(/^The run budget of \$0\.10 would be passed/);
    expect(run.workflow.phase).toBe('PAUSED');
    run.setBudgets({ runUsd: 5 });
    await run.resume();
    const report = await finished;
    expect(report.status).toBe('COMPLETED');
    expect(report.findings.filter((finding) => finding.kind === 'budget')).toHaveLength(1);
  });

  it('profiles without a price: turns run unestimated until what the backend reports passes the budget', async () => {
    const config = simulatedRolesConfig();
    const unpriced = { ...config, profiles: config.profiles.map(({ cost: _cost, ...profile }) => profile) };
    const run = await aRun({ roles: resolveRoles(unpriced), budgets: { runUsd: 0.05 } });
    const report = await run.start();
    expect(report.status).toBe('PAUSED');
    expect(report.reason).toMatch(/^The run budget of \$0\.05 is spent: spent \$0\.\d+, next turn not priced/);
    expect(report.budget?.estimateUnavailable).toContain('architect');
    expect(report.costUsd).toBeGreaterThanOrEqual(0.05);
  });
});
