import { describe, expect, it } from 'vitest';
import { DashboardModel } from '../../../extension/dashboard/dashboardModel';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import type { Budgets } from '../../../extension/engine/run/budget';
import { RunLog } from '../../../extension/run/runLog';
import { aGitWorkspace, quietSink } from './sessionFixtures';
import { RunSession } from '../../../extension/run/runSession';

describe('RunSession budgets (the settings)', () => {
  it('the budget pauses the run with its reason on the dashboard; raised in the settings, Resume completes it', async () => {
    // Stands in for kiloOrchestra.budgetUsd: read at the start and again on resume.
    let settings: Budgets = { runUsd: 0.05 };
    const backend = new SimulatedBackend({ files: 3 });
    const model = new DashboardModel();
    const session = await RunSession.start({
      workspace: aGitWorkspace('session-budget-'),
      task: 'Add overdue-loan tracking',
      roles: resolveRoles(simulatedRolesConfig()),
      runtime: { backend, description: 'simulated agents', dispose: () => backend.dispose() },
      model,
      log: new RunLog(quietSink),
      workflow: { retryBaseMs: 1 },
      budgets: () => settings,
    });
    const reason = await new Promise<string>((resolve) => session.events.on('attention', resolve));
    expect(reason).toMatch(/^The run budget of \$0\.05 would be passed/);
    expect(session.run.workflow.phase).toBe('PAUSED');
    expect(model.state().run?.attention).toMatchObject({ reason });

    settings = { runUsd: 5 };
    await session.resume();
    const report = await session.finished;
    expect(report.status).toBe('COMPLETED');
    expect(report.budget?.runUsd).toBe(5);
  });
});
