import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DashboardModel } from '../../../extension/dashboard/dashboardModel';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { LOCK_FILE_NAME } from '../../../extension/engine/run/workspaceLock';
import { isOrchestraError } from '../../../extension/engine/util/errors';
import { RunLog } from '../../../extension/run/runLog';
import { RunSession, type RunRuntime } from '../../../extension/run/runSession';
import { aFakeRuntime as aRuntime, aGitWorkspace, quietSink } from './sessionFixtures';

const aFakeRuntime = () => aRuntime({ files: 3, latencyMs: 5 });

const start = (workspace: string, runtime: RunRuntime) =>
  RunSession.start({ workspace, task: 'Add overdue-loan tracking', roles: resolveRoles(simulatedRolesConfig()), runtime, model: new DashboardModel(), log: new RunLog(quietSink), workflow: { retryBaseMs: 1 } });

describe('RunSession and the workspace lock', () => {
  it('a second window run on a busy workspace is refused naming the first, stops its runtime and creates no run folder; the lock goes when the first finishes', async () => {
    const workspace = aGitWorkspace('run-session-lock-');
    const first = await start(workspace, aFakeRuntime());
    const lock = path.join(workspace, '.kilo-orchestra', LOCK_FILE_NAME);
    expect(JSON.parse(fs.readFileSync(lock, 'utf8'))).toMatchObject({ runId: first.runId, by: 'vscode', pid: process.pid });

    const secondRuntime = aFakeRuntime();
    const refused = await start(workspace, secondRuntime).catch((error: unknown) => error);
    expect(isOrchestraError(refused, 'workspace-busy')).toBe(true);
    expect((refused as Error).message).toContain(`run ${first.runId} (vscode`);
    expect(secondRuntime.stopped).toBe(true);
    expect(fs.readdirSync(path.join(workspace, '.kilo-orchestra', 'runs'))).toEqual([first.runId]);

    expect((await first.finished).status).toBe('COMPLETED');
    expect(fs.existsSync(lock)).toBe(false);
    const next = await start(workspace, aFakeRuntime());
    await next.dispose();
    expect(fs.existsSync(lock)).toBe(false);
  });
});
