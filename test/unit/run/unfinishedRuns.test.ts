import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DISCARDED_REASON, discardRun } from '../../../extension/engine/run/discardRun';
import { EventLog } from '../../../extension/engine/run/eventLog';
import { RunStateStore } from '../../../extension/engine/run/runStateStore';
import { describeUnfinished, findUnfinishedRuns, unfinishedRun } from '../../../extension/engine/run/unfinishedRuns';
import { LOCK_FILE_NAME, WorkspaceLock } from '../../../extension/engine/run/workspaceLock';
import { isOrchestraError } from '../../../extension/engine/util/errors';
import { aDeadPid, aRun, aWorkspace } from './unfinishedFixtures';

const lockOf = (workspace: string) => path.join(workspace, '.kilo-orchestra', LOCK_FILE_NAME);

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  if (!outcome) throw new Error('it was not refused');
  return outcome;
}

describe('findUnfinishedRuns', () => {
  it('lists the paused, signalled and cut-off runs newest first, each with how it stopped, and leaves out finished and unstarted ones', async () => {
    const workspace = aWorkspace();
    await aRun('run-paused', '2026-01-01T00:00:01.000Z').paused().writtenIn(workspace);
    await aRun('run-signalled', '2026-01-01T00:00:02.000Z').interrupted('SIGHUP').writtenIn(workspace);
    await aRun('run-killed', '2026-01-01T00:00:03.000Z').writtenIn(workspace);
    await aRun('run-done', '2026-01-01T00:00:04.000Z').finished().writtenIn(workspace);
    await aRun('run-idle', '2026-01-01T00:00:05.000Z').notStarted().writtenIn(workspace);

    const { runs, problems } = await findUnfinishedRuns(workspace);
    expect(runs.map((run) => [run.runId, run.kind, run.live])).toEqual([
      ['run-killed', 'stopped', false],
      ['run-signalled', 'interrupted', false],
      ['run-paused', 'paused', false],
    ]);
    expect(problems).toEqual([]);
    expect(describeUnfinished(runs[1]!)).toBe('Run run-signalled ("Add overdue-loan tracking") was interrupted (SIGHUP) while writing the code, $0.25 spent so far.');
  });

  it('marks a run whose lock a live process holds as live, and one whose lock outlived its process (kill -9) as not live', async () => {
    const live = aWorkspace();
    await aRun('run-a').writtenIn(live);
    const held = await WorkspaceLock.acquire(live, { runId: 'run-a', by: 'run' });
    expect((await findUnfinishedRuns(live)).runs.map((run) => run.live)).toEqual([true]);
    await held.release();

    const stale = aWorkspace();
    await aRun('run-b').writtenIn(stale);
    await WorkspaceLock.acquire(stale, { runId: 'run-b', by: 'run', pid: aDeadPid() });
    expect((await findUnfinishedRuns(stale)).runs.map((run) => [run.runId, run.live])).toEqual([['run-b', false]]);
  });

  it('reports a run folder whose state cannot be read instead of failing, and still lists the others', async () => {
    const workspace = aWorkspace();
    await aRun('run-good').writtenIn(workspace);
    const broken = await aRun('run-broken', '2026-01-01T00:00:20.000Z').writtenIn(workspace);
    const text = JSON.parse(fs.readFileSync(path.join(broken, 'state.json'), 'utf8'));
    fs.writeFileSync(path.join(broken, 'state.json'), JSON.stringify({ ...text, agents: 'none' }));

    const { runs, problems } = await findUnfinishedRuns(workspace);
    expect(runs.map((run) => run.runId)).toEqual(['run-good']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^run-broken: .*agents/);
  });
});

describe('unfinishedRun (what resume continues)', () => {
  it('is the newest unfinished run; a finished run named is refused in one line; none is not-found', async () => {
    const workspace = aWorkspace();
    expect((await errorOf(unfinishedRun(workspace))).message).toBe(`No unfinished run in ${workspace}; nothing to resume.`);
    await aRun('run-old', '2026-01-01T00:00:01.000Z').paused().writtenIn(workspace);
    await aRun('run-new', '2026-01-01T00:00:02.000Z').writtenIn(workspace);
    await aRun('run-done', '2026-01-01T00:00:03.000Z').finished().writtenIn(workspace);
    expect((await unfinishedRun(workspace)).runId).toBe('run-new');
    expect((await unfinishedRun(workspace, 'run-old')).runId).toBe('run-old');
    const refused = await errorOf(unfinishedRun(workspace, 'run-done'));
    expect(isOrchestraError(refused, 'invalid-input')).toBe(true);
    expect(refused.message).toBe('Run run-done is COMPLETED; only an unfinished run can be resumed.');
    expect(isOrchestraError(await errorOf(unfinishedRun(workspace, '../escape')), 'invalid-input')).toBe(true);
  });
});

describe('discardRun', () => {
  it('ends the run as CANCELLED by the user on disk (state and event log), removes its stale lock, and neither resume nor the finder picks it again', async () => {
    const workspace = aWorkspace();
    const runDir = await aRun('run-killed').writtenIn(workspace);
    await WorkspaceLock.acquire(workspace, { runId: 'run-killed', by: 'run', pid: aDeadPid() });

    const ended = await discardRun(workspace, 'run-killed', { now: () => Date.parse('2026-01-01T00:01:00.000Z') });
    expect(ended.workflow.phase).toBe('CANCELLED');
    expect(fs.existsSync(lockOf(workspace))).toBe(false);
    const reread = await RunStateStore.load(runDir);
    expect(reread.workflow.phase).toBe('CANCELLED');
    expect(reread.workflow.outcome?.reason).toBe(DISCARDED_REASON);
    expect(reread.transitions.at(-1)).toEqual({ from: 'CODE_IMPLEMENTATION', to: 'CANCELLED', atMs: 60_000 });
    const { entries } = await EventLog.read(path.join(runDir, 'events.jsonl'));
    expect(entries.map((entry) => entry.kind)).toEqual(['transition', 'run']);
    expect(entries[1]!.data).toEqual({ event: 'finished', status: 'CANCELLED', reason: DISCARDED_REASON });

    expect((await findUnfinishedRuns(workspace)).runs).toEqual([]);
    expect((await errorOf(unfinishedRun(workspace))).message).toBe(`No unfinished run in ${workspace}; nothing to resume.`);
    expect((await errorOf(discardRun(workspace, 'run-killed'))).message).toBe('Run run-killed is CANCELLED; only an unfinished run can be discarded.');
  });

  it('is refused while a live process runs it, leaving its state and lock as they were', async () => {
    const workspace = aWorkspace();
    const runDir = await aRun('run-live').writtenIn(workspace);
    const before = fs.readFileSync(path.join(runDir, 'state.json'), 'utf8');
    const held = await WorkspaceLock.acquire(workspace, { runId: 'run-live', by: 'vscode' });
    const refused = await errorOf(discardRun(workspace, 'run-live'));
    expect(isOrchestraError(refused, 'workspace-busy')).toBe(true);
    expect(refused.message).toContain('cancel it there');
    expect(fs.readFileSync(path.join(runDir, 'state.json'), 'utf8')).toBe(before);
    expect(JSON.parse(fs.readFileSync(lockOf(workspace), 'utf8')).runId).toBe('run-live');
    await held.release();
  });

  it("discards an old run while another run is live, leaving the live run's lock alone", async () => {
    const workspace = aWorkspace();
    await aRun('run-old').paused().writtenIn(workspace);
    const held = await WorkspaceLock.acquire(workspace, { runId: 'run-now', by: 'run' });
    expect((await discardRun(workspace, 'run-old')).workflow.phase).toBe('CANCELLED');
    expect(JSON.parse(fs.readFileSync(lockOf(workspace), 'utf8')).runId).toBe('run-now');
    await held.release();
  });
});
