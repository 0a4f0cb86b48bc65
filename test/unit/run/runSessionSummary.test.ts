import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DashboardModel } from '../../../extension/dashboard/dashboardModel';
import { handleWebviewMessage, type DashboardHostDeps } from '../../../extension/dashboard/webviewRequests';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { readCostEstimate } from '../../../extension/engine/run/costEstimate';
import type { HostSingleMessage } from '../../../extension/protocol/dashboardProtocol';
import { RunViewSchema } from '../../../extension/protocol/viewModel';
import { RunLog } from '../../../extension/run/runLog';
import { RunSession } from '../../../extension/run/runSession';
import { aFakeRuntime, aGitWorkspace, quietSink } from './sessionFixtures';

async function aFinishedSession() {
  const workspace = aGitWorkspace('run-session-summary-', { 'README.md': 'library\n' });
  const model = new DashboardModel();
  const session = await RunSession.start({ workspace, task: 'Add overdue-loan tracking', roles: resolveRoles(simulatedRolesConfig()), runtime: aFakeRuntime({ files: 3 }), model, log: new RunLog(quietSink), workflow: { retryBaseMs: 1 } });
  const report = await session.finished;
  return { workspace, model, session, report };
}

/** Dashboard host deps around a model, with a named fake of the diff editor. */
function depsFor(model: DashboardModel) {
  const diffs = { openDiff: vi.fn().mockResolvedValue(undefined), openChanges: vi.fn().mockResolvedValue(undefined) };
  const deps = { source: () => model, controls: () => undefined, roles: {} as DashboardHostDeps['roles'], openFile: vi.fn(), diffs, log: () => undefined } satisfies DashboardHostDeps;
  return { deps, diffs };
}

describe('RunSession summary', () => {
  it('a finished run carries its summary in the report and in the dashboard: the files the agents wrote, counted from before the run, and the estimate recorded at its start', async () => {
    const { workspace, model, report, session } = await aFinishedSession();
    const created = fs.readdirSync(workspace).filter((name) => !['.git', '.gitignore', 'README.md', '.kilo-orchestra'].includes(name));
    expect(created.length).toBeGreaterThan(0);
    expect(report.summary?.checkpoint).toMatchObject({ index: 1, label: 'before the run' });
    expect(report.summary?.files?.total).toBeGreaterThan(0);
    expect(report.summary?.files?.changed.every((change) => change.change === 'added' && change.additions > 0)).toBe(true);
    expect(await readCostEstimate(session.run.runDir)).toBeDefined();
    expect(report.summary?.cost.estimatedUsd).toBe((await readCostEstimate(session.run.runDir))!.totalUsd);
    const run = model.state().run;
    expect(RunViewSchema.parse(run).summary).toEqual(report.summary);
  });

  it('keeps the summary in the run folder, so the dashboard rebuilt from disk after a reload shows it again', async () => {
    const { report, session } = await aFinishedSession();
    const fromDisk = await DashboardModel.fromRunFolder(session.run.runDir);
    expect(fromDisk.state().run?.summary).toEqual(report.summary);
  });

  it('after a roll back the dashboard says rolled back, with what the roll back did', async () => {
    const { model, session } = await aFinishedSession();
    const messages: HostSingleMessage[] = [];
    model.onMessage((message) => messages.push(message));
    const result = await session.rollBackTo(session.checkpointList()[0]!);
    expect(model.state().run?.rolledBack).toEqual({ checkpointIndex: 1, label: 'before the run', restored: result.restored, removed: result.removed.length });
    expect(messages.some((message) => message.type === 'run/didChange' && message.run.rolledBack !== undefined)).toBe(true);
    // And after a reload: the run folder notes the roll back.
    expect((await DashboardModel.fromRunFolder(session.run.runDir)).state().run?.rolledBack).toEqual(model.state().run?.rolledBack);
  });

  it("opens a diff only for a file the shown summary lists, and answers any other path with a refusal in words", async () => {
    const { model, report } = await aFinishedSession();
    const { deps, diffs } = depsFor(model);
    const posted: HostSingleMessage[] = [];
    const context = { deps, post: (message: HostSingleMessage) => posted.push(message) };
    const file = report.summary!.files!.changed[0]!;
    await handleWebviewMessage({ type: 'summary/openDiff', requestId: 'r1', path: file.path }, context);
    expect(diffs.openDiff).toHaveBeenCalledWith(report.summary, file);
    await handleWebviewMessage({ type: 'summary/openDiff', requestId: 'r2', path: path.join('..', 'etc', 'passwd') }, context);
    expect(diffs.openDiff).toHaveBeenCalledTimes(1);
    expect(posted.find((message) => message.type === 'request/done' && message.requestId === 'r2')).toMatchObject({ ok: false, error: expect.stringContaining('is not a file this run changed') });
    await handleWebviewMessage({ type: 'summary/openChanges', requestId: 'r3' }, context);
    expect(diffs.openChanges).toHaveBeenCalledWith(report.summary);
  });
});
