import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStateStore, listRuns, type RunSnapshot } from '../../../extension/engine/run/runStateStore';
import { currentGrants } from '../../../extension/engine/run/runStateStore';
import { deriveTodoList } from '../../../extension/engine/workflow/todoList';
import type { WorkflowState } from '../../../extension/engine/workflow/workflowTypes';
import { Driver, aConfig, defaultResult, filePaths, playRun } from '../workflow/workflowFixtures';

// state.json plus state.journal.jsonl: one line per save with what changed, folded in now and then.

type Saved = Omit<RunSnapshot, 'formatVersion'>;

function aSnapshot(workflow: WorkflowState, savedAt: string, transitions: Saved['transitions'] = []): Saved {
  return {
    runId: 'run-1',
    task: 'Add overdue-loan tracking',
    workspace: '/ws',
    backend: 'simulated',
    startedAt: '2026-01-01T00:00:00.000Z',
    savedAt,
    workflow,
    agents: [{ id: 'architect-1', role: 'architect', instance: 1, profileId: 'sim-architect', status: 'idle', turns: 1, tokens: { input: 10, output: 20 }, costUsd: 0.1, lastHeartbeat: 1, createdAt: 1 }],
    todo: deriveTodoList(workflow),
    grants: currentGrants(workflow),
    transitions,
    findings: [],
    profiles: { architect: 'sim-architect' },
    budgets: {},
    spent: { totalUsd: 0.1, byRole: { architect: 0.1 } },
  };
}

/** What state.json would hold for `snapshot` had it been written whole. */
const asRead = (snapshot: Saved, journalSeq: number) => ({ formatVersion: 2, ...JSON.parse(JSON.stringify(snapshot)), journalSeq });

function aRunDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'state-journal-')), '.kilo-orchestra', 'runs', 'run-1');
}

const journalOf = (runDir: string) => path.join(runDir, 'state.journal.jsonl');
const lines = (runDir: string) => fs.readFileSync(journalOf(runDir), 'utf8').split('\n').filter((line) => line !== '');

/** A run in coding with `files` implementations in flight, and a driver to go on with it. */
function aCodingRun(files: number): Driver {
  return playRun({ config: aConfig(), respond: (work) => defaultResult(work, filePaths(files)), until: (driver) => driver.inFlight('implement').length === files });
}

/** Saves the coding run, then `steps` more transitions; returns the last snapshot saved. */
async function saveSteps(store: RunStateStore, driver: Driver, steps: number): Promise<Saved> {
  const transitions: Saved['transitions'] = [{ from: 'IDLE', to: 'PLANNING', atMs: 0 }];
  let last = aSnapshot(driver.state, '2026-01-01T00:00:01.000Z', transitions);
  await store.save(last);
  for (let step = 0; step < steps; step++) {
    driver.done(driver.inFlight()[0]!);
    if (step === 1) transitions.push({ from: 'PLANNING', to: 'CODE_REVIEW', atMs: 5 });
    last = aSnapshot(driver.state, `2026-01-01T00:00:0${step + 2}.000Z`, transitions);
    await store.save(last);
  }
  return last;
}

describe('RunStateStore journal', () => {
  it('writes state.json once, then one line per save, and reads back exactly the last state', async () => {
    const runDir = aRunDir();
    const store = new RunStateStore(runDir);
    const driver = aCodingRun(8);
    const before = await saveSteps(store, driver, 0);
    const stateText = fs.readFileSync(path.join(runDir, 'state.json'), 'utf8');
    const last = await saveSteps(store, driver, 4);
    // saveSteps saves once more before its steps, as a new store would not: that save is a line too.
    expect(lines(runDir)).toHaveLength(5);
    expect(fs.readFileSync(path.join(runDir, 'state.json'), 'utf8')).toBe(stateText);
    expect(before.savedAt).not.toBe(last.savedAt);
    expect(await RunStateStore.load(runDir)).toEqual(asRead(last, 5));
  });

  it('journals only what changed: a line for one finished file is a small part of state.json', async () => {
    const runDir = aRunDir();
    const store = new RunStateStore(runDir);
    const driver = aCodingRun(200);
    await saveSteps(store, driver, 1);
    const [line] = lines(runDir).slice(-1);
    expect(line!.length * 20).toBeLessThan(fs.statSync(path.join(runDir, 'state.json')).size);
  });

  it('writes state.json whole and empties the journal when the run pauses', async () => {
    const runDir = aRunDir();
    const store = new RunStateStore(runDir);
    const driver = aCodingRun(5);
    await saveSteps(store, driver, 2);
    driver.send({ type: 'PAUSE' });
    const paused = aSnapshot(driver.state, '2026-01-01T00:01:00.000Z');
    await store.save(paused);
    expect(lines(runDir)).toHaveLength(0);
    const whole = JSON.parse(fs.readFileSync(path.join(runDir, 'state.json'), 'utf8')) as { workflow: { phase: string } };
    expect(whole.workflow.phase).toBe('PAUSED');
    expect(await RunStateStore.load(runDir)).toEqual(asRead(paused, 2));
  });

  it('drops a half-written last line: the state reads as of the line before', async () => {
    const runDir = aRunDir();
    const store = new RunStateStore(runDir);
    const driver = aCodingRun(5);
    const last = await saveSteps(store, driver, 2);
    fs.appendFileSync(journalOf(runDir), '{"seq":9,"savedAt":"2026-01-01T00:09:00.000Z","set":{"task":"tor');
    const torn = fs.readFileSync(journalOf(runDir), 'utf8');
    expect(await RunStateStore.load(runDir)).toEqual(asRead(last, 2));
    // Reading never writes: the run may be live in another process.
    expect(fs.readFileSync(journalOf(runDir), 'utf8')).toBe(torn);
  });

  it('repeats nothing when a crash came between writing state.json and emptying the journal', async () => {
    const runDir = aRunDir();
    const store = new RunStateStore(runDir);
    const driver = aCodingRun(5);
    await saveSteps(store, driver, 3);
    const journal = fs.readFileSync(journalOf(runDir), 'utf8');
    driver.send({ type: 'PAUSE' });
    const paused = aSnapshot(driver.state, '2026-01-01T00:01:00.000Z');
    await store.save(paused);
    fs.writeFileSync(journalOf(runDir), journal);
    expect(await RunStateStore.load(runDir)).toEqual(asRead(paused, 3));
  });

  it('a new process folds the lines an earlier one left into its first save', async () => {
    const runDir = aRunDir();
    const driver = aCodingRun(5);
    await saveSteps(new RunStateStore(runDir), driver, 3);
    const loaded = await RunStateStore.load(runDir);
    const { formatVersion: _format, ...again } = loaded;
    const next = new RunStateStore(runDir);
    await next.save(again);
    expect(lines(runDir)).toHaveLength(0);
    expect(await RunStateStore.load(runDir)).toEqual(loaded);
    driver.done(driver.inFlight()[0]!);
    const later = aSnapshot(driver.state, '2026-01-01T00:02:00.000Z', loaded.transitions);
    await next.save(later);
    expect(lines(runDir)).toHaveLength(1);
    expect((await RunStateStore.load(runDir)).workflow).toEqual(JSON.parse(JSON.stringify(later.workflow)));
  });

  it('reads a state.json written before the journal (format version 1, no journal) as it was', async () => {
    const runDir = aRunDir();
    const driver = aCodingRun(4);
    driver.send({ type: 'PAUSE' });
    const old = aSnapshot(driver.state, '2026-01-01T00:00:09.000Z');
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, 'state.json'), `${JSON.stringify({ formatVersion: 1, ...old }, null, 1)}\n`);
    expect(await RunStateStore.load(runDir)).toEqual({ formatVersion: 1, ...JSON.parse(JSON.stringify(old)) });
    expect((await listRuns(path.resolve(runDir, '..', '..', '..'))).map((run) => run.phase)).toEqual(['PAUSED']);
  });

  it('listRuns reads the phase and time of the last journal line', async () => {
    const runDir = aRunDir();
    const store = new RunStateStore(runDir);
    const driver = aCodingRun(3);
    await saveSteps(store, driver, 0);
    driver.done(driver.inFlight()[0]!);
    await store.save(aSnapshot({ ...driver.state, phase: 'CODE_REVIEW' }, '2026-01-01T00:05:00.000Z'));
    const [run] = await listRuns(path.resolve(runDir, '..', '..', '..'));
    expect(run).toMatchObject({ phase: 'CODE_REVIEW', savedAt: '2026-01-01T00:05:00.000Z' });
  });
});
