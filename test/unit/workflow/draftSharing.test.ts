import { describe, expect, it } from 'vitest';
import { Draft } from '../../../extension/engine/workflow/draft';
import { transition } from '../../../extension/engine/workflow/workflowMachine';
import { Driver, aConfig, deepFreeze, defaultResult, filePaths, playRun } from './workflowFixtures';

/** A run in coding with every file's implementation in flight. */
function aCodingRun(files = 12): Driver {
  return playRun({ config: aConfig(), respond: (work) => defaultResult(work, filePaths(files)), until: (driver) => driver.inFlight('implement').length === files });
}

describe('Draft: file records are shared until written', () => {
  it('a result for one file gives a state that shares every other file record with the state before', () => {
    const driver = aCodingRun();
    const before = driver.state;
    const work = driver.inFlight('implement')[0]!;
    const after = driver.done(work).state;
    const changed = after.files.filter((file, index) => file !== before.files[index]);
    expect(changed.map((file) => file.path)).toEqual([work.file]);
    expect(after.files.find((file) => file.path === work.file)?.stage).not.toBe(before.files.find((file) => file.path === work.file)?.stage);
  });

  it('never writes to the state it started from, even when the records are shared (frozen input)', () => {
    const driver = aCodingRun();
    const frozen = deepFreeze(structuredClone(driver.state));
    const copy = structuredClone(frozen);
    let state = frozen;
    for (const work of Object.values(frozen.inFlight)) {
      const result = transition(state, { type: 'WORK_DONE', workId: work.id, result: defaultResult(work) });
      expect(result.rejected).toBeUndefined();
      state = result.state;
    }
    expect(frozen).toEqual(copy);
    expect(state.files.every((file) => file.stage !== 'implementing')).toBe(true);
  });

  it("file() hands out the draft's own copy, the same one on every call, and the source keeps its record", () => {
    const source = aCodingRun(3).state;
    const draft = new Draft(source);
    const path = source.files[1]!.path;
    const mine = draft.file(path)!;
    mine.stage = 'approved';
    expect(draft.file(path)).toBe(mine);
    expect(source.files[1]!.stage).toBe('implementing');
    expect(draft.state.files[1]).toBe(mine);
    expect(draft.state.files[0]).toBe(source.files[0]);
    expect(draft.file('not/in/the/plan.ts')).toBeUndefined();
  });

  it('finds files by path after files were added and in states passed on from earlier drafts', () => {
    let state = aCodingRun(5).state;
    for (let step = 0; step < 3; step++) state = new Draft(state).result().state;
    const draft = new Draft(state);
    draft.addFile({ path: 'src/added.ts', purpose: '', stage: 'pending', fixes: 0 });
    expect(draft.file('src/added.ts')?.path).toBe('src/added.ts');
    expect(draft.file(state.files[4]!.path)?.path).toBe(state.files[4]!.path);
  });

  it('writableFiles() copies every record once, leaving the source as it was', () => {
    const source = aCodingRun(4).state;
    const draft = new Draft(source);
    const files = draft.writableFiles();
    for (const file of files) file.fixes = 9;
    expect(draft.writableFiles()).toBe(files);
    expect(source.files.every((file) => file.fixes === 0)).toBe(true);
    expect(files.every((file, index) => file !== source.files[index])).toBe(true);
  });
});

describe('Draft: the file list and the work in flight are shared until written', () => {
  it('a transition that changes neither hands on the very same list and record', () => {
    const source = aCodingRun(6).state;
    const state = new Draft(source).result().state;
    expect(state.files).toBe(source.files);
    expect(state.inFlight).toBe(source.inFlight);
  });

  it('a result copies the in-flight record once: the source keeps the finished work, the others are the same items', () => {
    const driver = aCodingRun(6);
    const before = driver.state;
    const work = driver.inFlight('implement')[0]!;
    const after = driver.done(work).state;
    expect(after.inFlight).not.toBe(before.inFlight);
    expect(Object.hasOwn(before.inFlight, work.id)).toBe(true);
    expect(Object.hasOwn(after.inFlight, work.id)).toBe(false);
    for (const other of Object.keys(before.inFlight).filter((id) => id !== work.id)) expect(after.inFlight[other]).toBe(before.inFlight[other]);
  });

  it('putInFlight, dropInFlight and addFile write to the draft’s own copies, never the source’s', () => {
    const source = deepFreeze(structuredClone(aCodingRun(3).state));
    const draft = new Draft(source);
    const [first, second] = Object.values(source.inFlight);
    draft.dropInFlight(first!.id);
    draft.putInFlight({ ...second!, attempt: 2 });
    draft.addFile({ path: 'src/added.ts', purpose: '', stage: 'pending', fixes: 0 });
    const state = draft.result().state;
    expect(Object.keys(state.inFlight)).not.toContain(first!.id);
    expect(state.inFlight[second!.id]?.attempt).toBe(2);
    expect(state.files.map((file) => file.path)).toContain('src/added.ts');
    expect(source.inFlight[first!.id]).toBeDefined();
    expect(source.files).toHaveLength(3);
  });
});
