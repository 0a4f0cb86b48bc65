import { describe, expect, it } from 'vitest';
import { restore } from '../../../extension/engine/workflow/workflowMachine';
import { WorkflowStateSchema } from '../../../extension/engine/workflow/workflowSchema';
import { Driver, EVERY_ROLE, aConfig, aResult, defaultResult, filePaths, playRun } from './workflowFixtures';

// The final tests read the code, not its documents: once every file is approved they run beside the
// documentation, and the run moves on when both are done, whichever finishes first.

const FILES = filePaths(2);

/** A run with the whole team played until the documents and the tests are both in flight. */
function atDocumentation(): Driver {
  return playRun({
    config: aConfig({ instances: EVERY_ROLE }),
    respond: (work) => defaultResult(work, FILES),
    until: (driver) => driver.state.phase === 'DOCUMENTATION',
  });
}

const failing = (work: { id: string }) => aResult().withArtifacts(`report@${work.id}`).withFailures({ file: FILES[0], message: 'expected 2, got 3' }).build();

describe('tests beside the documentation', () => {
  it('start with the documents, one final run and no more', () => {
    const driver = atDocumentation();
    expect(driver.inFlight('document')).not.toHaveLength(0);
    expect(driver.inFlight('test')).toHaveLength(1);
    expect(driver.work('test').files).toBeUndefined();
  });

  it('that pass first wait for the documents; the run then completes without starting them again', () => {
    const driver = atDocumentation();
    driver.done(driver.work('test'));
    expect(driver.state.phase).toBe('DOCUMENTATION');
    expect(driver.state.testsBeside).toBe('passed');

    for (const work of driver.inFlight('document')) driver.done(work);
    expect(driver.state.phase).toBe('COMPLETED');
    expect(driver.state.outcome?.reason).toMatch(/the tests pass/);
    expect(driver.effectsOf('dispatch').filter((effect) => effect.work.kind === 'test')).toHaveLength(1);
  });

  it('that fail first keep their failures on the files and are decided once the documents are done', () => {
    const driver = atDocumentation();
    driver.done(driver.work('test'), failing(driver.work('test')));
    expect(driver.state.decision).toBeUndefined();
    expect(driver.state.files.find((file) => file.path === FILES[0])?.openFindings).toMatch(/expected 2, got 3/);

    for (const work of driver.inFlight('document')) driver.done(work);
    expect(driver.state.phase).toBe('TESTING');
    expect(driver.decision()).toMatchObject({ point: 'tests-failed', recommended: 'fix_test_failures' });
    driver.decide('fix_test_failures');
    expect(driver.state.phase).toBe('CODE_FIXING');
    playRun({ respond: (work) => defaultResult(work, FILES) }, driver);
    // Fixed code is tested again after the fix, not documented again.
    expect(driver.state.phase).toBe('COMPLETED');
    expect(driver.effectsOf('dispatch').filter((effect) => effect.work.kind === 'test')).toHaveLength(2);
    expect(driver.phases.filter((phase) => phase === 'DOCUMENTATION')).toHaveLength(1);
  });

  it('that outlast the documents are waited for in TESTING', () => {
    const driver = atDocumentation();
    for (const work of driver.inFlight('document')) driver.done(work);
    expect(driver.state.phase).toBe('TESTING');
    expect(driver.inFlight('test')).toHaveLength(1);
    driver.done(driver.work('test'));
    expect(driver.state.phase).toBe('COMPLETED');
  });

  it('keep their outcome through a save and a restore', () => {
    const driver = atDocumentation();
    driver.done(driver.work('test'));
    const restored = new Driver(restore(WorkflowStateSchema.parse(JSON.parse(JSON.stringify(driver.state)))));
    expect(restored.state.testsBeside).toBe('passed');
    restored.send({ type: 'RESUME' });
    for (const work of restored.inFlight('document')) restored.done(work);
    expect(restored.state.phase).toBe('COMPLETED');
    expect(restored.effectsOf('dispatch').filter((effect) => effect.work.kind === 'test')).toEqual([]);
  });

  it('that passed are forgotten when a file goes back to coding, so the changed code is tested again', () => {
    const driver = atDocumentation();
    driver.done(driver.work('test'));
    driver.send({ type: 'USER_CHANGE', change: { kind: 'add-file', path: 'src/report.js', purpose: 'Report.' } });
    expect(driver.state.testsBeside).toBeUndefined();
    playRun({ respond: (work) => defaultResult(work, FILES) }, driver);
    expect(driver.state.phase).toBe('COMPLETED');
    expect(driver.effectsOf('dispatch').filter((effect) => effect.work.kind === 'test')).toHaveLength(2);
  });

  it('stop when the user skips testing, and the documents go on', () => {
    const driver = atDocumentation();
    const tests = driver.work('test');
    const { effects } = driver.send({ type: 'USER_CHANGE', change: { kind: 'skip-step', step: 'testing' } });
    expect(driver.effectsOf('abort', effects)).toEqual([{ type: 'abort', workIds: [tests.id] }]);
    expect(driver.state.phase).toBe('DOCUMENTATION');
    for (const work of driver.inFlight('document')) driver.done(work);
    expect(driver.state.phase).toBe('COMPLETED');
    expect(driver.state.outcome?.reason).not.toMatch(/tests pass/);
  });

  // A custom step that joins documentation may change the code, so the tests then wait for it:
  // workflowDefinitions.test.ts ('runs a step that joins documentation once …').
});
