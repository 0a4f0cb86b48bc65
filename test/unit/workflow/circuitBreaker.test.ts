import { describe, expect, it } from 'vitest';
import { restore } from '../../../extension/engine/workflow/workflowMachine';
import { WorkflowStateSchema } from '../../../extension/engine/workflow/workflowSchema';
import type { WorkItem, WorkKind } from '../../../extension/engine/workflow/workflowTypes';
import { Driver, EVERY_ROLE, aConfig, deepFreeze, playRun } from './workflowFixtures';

/** Plays a run until the first `kind` work (of `file`) is in flight, then fails it on every attempt. */
function breakOn(kind: WorkKind, file?: string): { driver: Driver; work: WorkItem } {
  const driver = playRun({
    config: aConfig({ instances: EVERY_ROLE }),
    until: (d) => d.inFlight(kind).some((work) => file === undefined || work.file === file),
  });
  const work = driver.work(kind, file);
  for (let i = 0; i < 3; i++) driver.send({ type: 'WORK_FAILED', workId: work.id, message: 'HTTP 503 Service Unavailable', retryable: true });
  return { driver, work };
}

const heldIds = (driver: Driver): string[] => driver.state.deferred.flatMap((effect) => (effect.type === 'dispatch' ? [effect.work.id] : []));

describe('circuit breaker: the stop', () => {
  it('stops the run with retry, reassign and skip for a file, naming the agent, the work and the last error', () => {
    const { driver, work } = breakOn('implement', 'src/file2.ts');
    const { attention } = driver.state;
    expect(driver.state.phase).toBe('PAUSED');
    expect(attention?.reason).toBe('implement of src/file2.ts by secondary-coder-1 failed 3 times; last error: HTTP 503 Service Unavailable');
    expect(attention?.decision).toMatchObject({
      point: 'circuit-breaker',
      options: ['retry_work', 'reassign_work', 'skip_work'],
      recommended: 'retry_work',
      file: 'src/file2.ts',
      work: { id: work.id, kind: 'implement', attempt: 1 },
    });
    expect(heldIds(driver)).toContain(work.id);
    // The machine stays restorable: the open breaker is plain data.
    expect(JSON.parse(JSON.stringify(driver.state))).toEqual(driver.state);
  });

  it('offers no skip for the plan or the structure: the run cannot go on without them', () => {
    for (const kind of ['plan', 'structure'] as const) {
      const { driver } = breakOn(kind);
      expect(driver.state.attention?.decision?.options).toEqual(['retry_work', 'reassign_work']);
      expect(driver.try({ type: 'RESUME', action: { action: 'skip_work', reason: '' } }).rejected).toMatch(/not a way to resume circuit-breaker/);
    }
  });

  it('the Organiser cannot answer it: only a person resuming the run can', () => {
    const { driver } = breakOn('implement', 'src/file1.ts');
    const decisionId = driver.state.attention!.decision!.id;
    expect(driver.try({ type: 'DECIDE', decisionId, action: { action: 'retry_work', reason: '' } }).rejected).toBeDefined();
  });
});

describe('circuit breaker: the answers', () => {
  it('retry sends the same work again from its first attempt', () => {
    const { driver, work } = breakOn('implement', 'src/file1.ts');
    const { state, effects } = driver.send({ type: 'RESUME', action: { action: 'retry_work', reason: '' } });
    expect(state.attention).toBeUndefined();
    expect(driver.effectsOf('dispatch', effects).map((e) => [e.work.id, e.work.attempt])).toContainEqual([work.id, 1]);
    expect(state.agentProfiles).toBeUndefined();
  });

  it('a plain resume is a retry', () => {
    const { driver, work } = breakOn('review-code', 'src/file1.ts');
    const { effects } = driver.send({ type: 'RESUME' });
    expect(driver.effectsOf('dispatch', effects).map((e) => e.work.id)).toContain(work.id);
  });

  it('reassign moves the agent to the chosen profile and sends the work again; without a profile it is refused', () => {
    const { driver, work } = breakOn('implement', 'src/file3.ts');
    const before = deepFreeze(driver.state);
    expect(driver.try({ type: 'RESUME', action: { action: 'reassign_work', reason: '' } }).rejected).toMatch(/needs the profile/);
    const { state, effects } = driver.send({ type: 'RESUME', action: { action: 'reassign_work', reason: '', profileId: 'spare' } });
    expect(state.agentProfiles).toEqual({ 'secondary-coder-1': 'spare' });
    expect(driver.effectsOf('dispatch', effects).map((e) => e.work.id)).toContain(work.id);
    expect(before.agentProfiles).toBeUndefined();
  });

  it('skip of a file accepts it as its last good code and the run goes on to completion', () => {
    const driver = playRun({ config: aConfig({ instances: EVERY_ROLE }), until: (d) => d.inFlight('fix').length > 0 || d.inFlight('review-code').length > 0 });
    const review = driver.inFlight('review-code')[0]!;
    const file = review.file!;
    const code = driver.state.files.find((f) => f.path === file)!.codeArtifactId;
    for (let i = 0; i < 3; i++) driver.send({ type: 'WORK_FAILED', workId: review.id, message: 'boom', retryable: true });
    const { state, effects } = driver.send({ type: 'RESUME', action: { action: 'skip_work', reason: '' } });
    expect(state.files.find((f) => f.path === file)).toMatchObject({ stage: 'approved', codeArtifactId: code });
    expect(driver.effectsOf('dispatch', effects).map((e) => e.work.id)).not.toContain(review.id);
    expect(driver.effectsOf('artifactStatus', effects)).toContainEqual({ type: 'artifactStatus', artifactId: code, status: 'approved' });
    playRun({}, driver);
    expect(driver.state.phase).toBe('COMPLETED');
  });

  it('skip of a documentation batch counts it as written, and the tests that ran beside it go on', () => {
    const { driver, work } = breakOn('document');
    const [tests] = driver.inFlight('test').concat(driver.state.deferred.flatMap((effect) => (effect.type === 'dispatch' && effect.work.kind === 'test' ? [effect.work] : [])));
    expect(tests).toBeDefined();
    const { state, effects } = driver.send({ type: 'RESUME', action: { action: 'skip_work', reason: '' } });
    expect(heldIds(driver)).not.toContain(work.id);
    expect(state.phase).toBe('TESTING');
    expect(state.documented).toBe(true);
    // The test run beside the documents is still the one: no second one is started.
    expect(driver.effectsOf('dispatch', effects).filter((e) => e.work.kind === 'test' && e.work.id !== tests!.id)).toEqual([]);
    expect(driver.inFlight('test').map((w) => w.id)).toEqual([tests!.id]);
  });

  it('skip of the tests completes the run without claiming the tests pass, once the documents beside them are written', () => {
    const { driver } = breakOn('test');
    expect(driver.inFlight('document').length + heldIds(driver).length).toBeGreaterThan(0);
    let { state } = driver.send({ type: 'RESUME', action: { action: 'skip_work', reason: '' } });
    expect(state.phase).toBe('DOCUMENTATION');
    state = playRun({}, driver).state;
    expect(state.phase).toBe('COMPLETED');
    expect(state.outcome?.reason).toMatch(/testing was skipped by the user after debugger-1 failed every attempt/);
    expect(state.outcome?.reason).not.toMatch(/tests pass/);
  });

  it('a second breaker while one is open is told, and its work is retried on resume', () => {
    const driver = playRun({ config: aConfig({ instances: { ...EVERY_ROLE, 'secondary-coder': 2 } }), until: (d) => d.inFlight('implement').length >= 2 });
    const [first, second] = driver.inFlight('implement');
    // The second is on its last attempt when the first breaks; running work goes on during the stop.
    for (let i = 0; i < 2; i++) driver.send({ type: 'WORK_FAILED', workId: second!.id, message: 'two', retryable: true });
    for (let i = 0; i < 3; i++) driver.send({ type: 'WORK_FAILED', workId: first!.id, message: 'one', retryable: true });
    driver.send({ type: 'WORK_FAILED', workId: second!.id, message: 'two', retryable: true });
    expect(driver.state.attention?.decision?.work?.id).toBe(first!.id);
    expect(driver.state.attention?.reason).toMatch(/last error: one\n.*last error: two/);
    const { effects } = driver.send({ type: 'RESUME', action: { action: 'skip_work', reason: '' } });
    const sent = driver.effectsOf('dispatch', effects).map((e) => e.work.id);
    expect(sent).toContain(second!.id);
    expect(sent).not.toContain(first!.id);
  });
});

describe('circuit breaker: saved and restored', () => {
  it('an open breaker reads back from disk and is answered after a restart as before; a reassignment survives too', () => {
    const { driver, work } = breakOn('implement', 'src/file2.ts');
    const saved = WorkflowStateSchema.parse(JSON.parse(JSON.stringify(driver.state)));
    expect(saved).toEqual(driver.state);
    const restarted = new Driver(restore(saved));
    expect(restarted.state.attention?.decision).toMatchObject({ point: 'circuit-breaker', work: { id: work.id } });
    const { state } = restarted.send({ type: 'RESUME', action: { action: 'reassign_work', reason: '', profileId: 'spare' } });
    expect(WorkflowStateSchema.parse(JSON.parse(JSON.stringify(state))).agentProfiles).toEqual({ 'secondary-coder-1': 'spare' });
    expect(restarted.inFlight('implement').map((w) => w.id)).toContain(work.id);
  });
});
