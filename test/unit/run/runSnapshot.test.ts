import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStateStore, listRuns, parseSnapshot, type RunSnapshot } from '../../../extension/engine/run/runStateStore';
import { SNAPSHOT_FORMAT_VERSION } from '../../../extension/engine/run/runSnapshot';
import { isOrchestraError } from '../../../extension/engine/util/errors';
import { playRun } from '../workflow/workflowFixtures';

/** A snapshot of a run paused in coding, with the fields resume needs. */
function aSnapshot(runId = 'run-1', savedAt = '2026-01-01T00:00:10.000Z'): Omit<RunSnapshot, 'formatVersion'> {
  const driver = playRun({ until: (d) => d.inFlight('implement').length > 0 });
  driver.send({ type: 'PAUSE', reason: 'The run budget of $0.15 would be passed' });
  return {
    runId,
    task: 'Add overdue-loan tracking',
    workspace: '/ws',
    backend: 'simulated',
    startedAt: '2026-01-01T00:00:00.000Z',
    savedAt,
    workflow: driver.state,
    agents: [{ id: 'architect-1', role: 'architect', instance: 1, profileId: 'sim-architect', status: 'paused', turns: 2, tokens: { input: 10, output: 20 }, costUsd: 0.1, lastHeartbeat: 1, createdAt: 1 }],
    todo: [{ id: 'plan', title: 'Plan', status: 'done', role: 'architect' }],
    grants: {},
    transitions: [{ from: 'IDLE', to: 'PLANNING', atMs: 0 }],
    findings: [{ kind: 'budget', message: 'The run budget of $0.15 would be passed', workId: 'w9', agentId: 'secondary-coder-1' }],
    profiles: { architect: 'sim-architect' },
    budgets: { runUsd: 0.15, roleUsd: { architect: 1 } },
    spent: { totalUsd: 0.1, byRole: { architect: 0.1 } },
  };
}

function aRunDir(workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'snapshot-')), runId = 'run-1'): string {
  return path.join(workspace, '.kilo-orchestra', 'runs', runId);
}

function loadError(text: string): string {
  try {
    parseSnapshot(text, 'state.json');
  } catch (error) {
    expect(isOrchestraError(error, 'invalid-input')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('parseSnapshot accepted it');
}

describe('RunStateStore', () => {
  it('reads back what it saved, with its format version', async () => {
    const runDir = aRunDir();
    const snapshot = aSnapshot();
    await new RunStateStore(runDir).save(snapshot);
    const raw = JSON.parse(fs.readFileSync(path.join(runDir, 'state.json'), 'utf8'));
    expect(raw.formatVersion).toBe(SNAPSHOT_FORMAT_VERSION);
    expect(await RunStateStore.load(runDir)).toEqual({ formatVersion: SNAPSHOT_FORMAT_VERSION, ...JSON.parse(JSON.stringify(snapshot)), journalSeq: 0 });
  });

  it('refuses an unknown format version in one line that names both versions', () => {
    const text = JSON.stringify({ ...aSnapshot(), formatVersion: 7 });
    const message = loadError(text);
    expect(message).toBe('state.json has format version 7; this kilo-orchestra reads versions 1 and 2.');
  });

  it('refuses a state written before runs could be resumed', () => {
    expect(loadError(JSON.stringify(aSnapshot()))).toMatch(/^state\.json has no format version \(written before runs could be resumed\)/);
  });

  it('refuses a state that does not match the schema, naming the field', () => {
    const bad = { formatVersion: SNAPSHOT_FORMAT_VERSION, ...aSnapshot() } as Record<string, unknown>;
    (bad.workflow as Record<string, unknown>).phase = 'DANCING';
    const message = loadError(JSON.stringify(bad));
    expect(message).toMatch(/^state\.json is not a valid run state: workflow\.phase: /);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('refuses text that is not JSON', () => {
    expect(loadError('{ nope')).toBe('state.json is not valid JSON.');
  });

  it('says not-found for a run folder without a state', async () => {
    await expect(RunStateStore.load(aRunDir())).rejects.toMatchObject({ reason: 'not-found' });
  });

  it('lists the runs of a workspace newest first, leaving out unreadable ones', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'snapshot-list-'));
    await new RunStateStore(aRunDir(workspace, 'run-old')).save(aSnapshot('run-old', '2026-01-01T00:00:01.000Z'));
    await new RunStateStore(aRunDir(workspace, 'run-new')).save(aSnapshot('run-new', '2026-01-01T00:00:09.000Z'));
    fs.mkdirSync(aRunDir(workspace, 'run-broken'), { recursive: true });
    fs.writeFileSync(path.join(aRunDir(workspace, 'run-broken'), 'state.json'), 'garbage');
    const runs = await listRuns(workspace);
    expect(runs.map((run) => [run.runId, run.phase])).toEqual([
      ['run-new', 'PAUSED'],
      ['run-old', 'PAUSED'],
    ]);
  });
});
