import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DashboardModel } from '../../../extension/dashboard/dashboardModel';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { RunLog, type LogSink } from '../../../extension/run/runLog';
import { RunSession } from '../../../extension/run/runSession';

const quietSink: LogSink = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

async function aStoppedSession() {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'run-breaker-'));
  execFileSync('git', ['init', '-q'], { cwd: workspace });
  fs.writeFileSync(path.join(workspace, '.gitignore'), '.kilo-orchestra/\n');
  const backend = new SimulatedBackend({ files: 2, failures: [{ role: 'debugger', kind: 'test', times: 3, error: 'backend-failed' }] });
  const runtime = { backend, description: 'simulated agents (fake runtime)', dispose: () => backend.dispose() };
  const model = new DashboardModel();
  const session = await RunSession.start({ workspace, task: 'Add overdue-loan tracking', roles: resolveRoles(simulatedRolesConfig()), runtime, model, log: new RunLog(quietSink), workflow: { retryBaseMs: 1 } });
  await new Promise<void>((resolve) => {
    if (session.run.workflow.attention) return resolve();
    const subscription = session.run.events.on('run:attention', () => {
      subscription.dispose();
      resolve();
    });
  });
  return { session, model };
}

describe('RunSession at a circuit breaker', () => {
  it('refuses to reassign to a profile the user does not have, then reassigns to one they do and the run completes', async () => {
    const { session, model } = await aStoppedSession();
    const attention = model.state().run?.attention;
    expect(attention?.options).toEqual(['retry_work', 'reassign_work', 'skip_work']);
    expect(attention?.reassignTo?.length).toBe(3);
    expect(attention?.reassignTo?.map((choice) => choice.label)).not.toContain('simulated/sim-debugger');
    await expect(session.resume('reassign_work', 'someone-elses')).rejects.toThrow(/Reassigning needs one of your profiles/);
    await expect(session.resume('reassign_work')).rejects.toThrow(/Reassigning needs one of your profiles/);
    await session.resume('reassign_work', attention!.reassignTo![0]!.id);
    const report = await session.finished;
    expect(report.status).toBe('COMPLETED');
    expect(report.agents.find((agent) => agent.id === 'debugger-1')?.profile).toBe(attention!.reassignTo![0]!.label);
  });
});
