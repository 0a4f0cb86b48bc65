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
    draft.state.files.push({ path: 'src/added.ts', purpose: '', stage: 'pending', fixes: 0 });
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
