import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DashboardModel } from '../../../extension/dashboard/dashboardModel';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { LOCK_FILE_NAME } from '../../../extension/engine/run/workspaceLock';
import { isOrchestraError } from '../../../extension/engine/util/errors';
import { RunLog, type LogSink } from '../../../extension/run/runLog';
import { RunSession, type RunRuntime } from '../../../extension/run/runSession';

const quietSink: LogSink = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function aGitWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-session-lock-'));
  execFileSync('git', ['init', '-q'], { cwd: dir });
  fs.writeFileSync(path.join(dir, '.gitignore'), '.kilo-orchestra/\n');
  return dir;
}

/** A simulated runtime that records whether it was stopped. */
function aFakeRuntime(): RunRuntime & { stopped: boolean } {
  const backend = new SimulatedBackend({ files: 3, latencyMs: 5 });
  const runtime = {
    backend,
    description: 'simulated agents (fake runtime)',
    stopped: false,
    async dispose() {
      runtime.stopped = true;
      await backend.dispose();
    },
  };
  return runtime;
}

const start = (workspace: string, runtime: RunRuntime) =>
  RunSession.start({ workspace, task: 'Add overdue-loan tracking', roles: resolveRoles(simulatedRolesConfig()), runtime, model: new DashboardModel(), log: new RunLog(quietSink), workflow: { retryBaseMs: 1 } });

describe('RunSession and the workspace lock', () => {
  it('a second window run on a busy workspace is refused naming the first, stops its runtime and creates no run folder; the lock goes when the first finishes', async () => {
    const workspace = aGitWorkspace();
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
