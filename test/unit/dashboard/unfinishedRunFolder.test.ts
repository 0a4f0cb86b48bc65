import { describe, expect, it } from 'vitest';
import { DashboardModel } from '../../../extension/dashboard/dashboardModel';
import { DISCARDED_REASON, discardRun } from '../../../extension/engine/run/discardRun';
import type { UnfinishedKind } from '../../../extension/engine/run/unfinishedRuns';
import { WorkspaceLock } from '../../../extension/engine/run/workspaceLock';
import { UNFINISHED_KINDS } from '../../../extension/protocol/viewModel';
import { aDeadPid, aRun, aWorkspace } from '../run/unfinishedFixtures';

describe('a run folder that did not finish, on the dashboard', () => {
  it('is shown as unfinished (with how it stopped) when its lock outlived its process, and not when a live process holds it', async () => {
    const workspace = aWorkspace();
    const runDir = await aRun('run-killed').writtenIn(workspace);
    await WorkspaceLock.acquire(workspace, { runId: 'run-killed', by: 'run', pid: aDeadPid() });
    const shown = (await DashboardModel.fromRunFolder(runDir)).state().run;
    expect(shown).toMatchObject({ runId: 'run-killed', live: false, unfinished: { kind: 'stopped' } });

    const busy = aWorkspace();
    const busyDir = await aRun('run-busy').interrupted().writtenIn(busy);
    const held = await WorkspaceLock.acquire(busy, { runId: 'run-busy', by: 'run' });
    expect((await DashboardModel.fromRunFolder(busyDir)).state().run?.unfinished).toBeUndefined();
    await held.release();
    expect((await DashboardModel.fromRunFolder(busyDir)).state().run?.unfinished).toEqual({ kind: 'interrupted' });
  });

  it('once discarded is shown CANCELLED with the reason, and no longer as unfinished', async () => {
    const workspace = aWorkspace();
    const runDir = await aRun('run-paused').paused().writtenIn(workspace);
    await discardRun(workspace, 'run-paused');
    const shown = (await DashboardModel.fromRunFolder(runDir)).state().run;
    expect(shown?.phase).toBe('CANCELLED');
    expect(shown?.outcome).toBe(DISCARDED_REASON);
    expect(shown?.unfinished).toBeUndefined();
  });

  it("the protocol's kinds are the engine's", () => {
    const kinds: UnfinishedKind[] = [...UNFINISHED_KINDS];
    expect(kinds).toEqual(['paused', 'interrupted', 'stopped']);
  });
});
