import { describe, expect, it } from 'vitest';
import { PHASES, TERMINAL_PHASES, type Phase } from '../../../extension/engine/workflow/workflowTypes';
import { Driver, aConfig, aResult, defaultResult, playRun } from './workflowFixtures';

/** Reaches `phase` in a run where the sceptic rejects the first plan and the first review of file 1. */
function reach(phase: Phase): Driver {
  const rejected = new Set<string>();
  const onceRejected = (key: string) => !rejected.has(key) && rejected.add(key) !== undefined;
  if (phase === 'IDLE') return new Driver();
  if (phase === 'PAUSED') {
    const driver = reach('CODE_IMPLEMENTATION');
    driver.send({ type: 'PAUSE' });
    return driver;
  }
  return playRun({
    respond: (work) => {
      if (work.kind === 'review-plan' && onceRejected('plan')) return aResult().withArtifacts('rp').rejected('No').build();
      if (work.kind === 'review-code' && work.file === 'src/file1.ts' && onceRejected('file1')) return aResult().withArtifacts('rc').rejected('No').build();
      return defaultResult(work);
    },
    until: (d) => d.state.phase === phase,
  });
}

describe('lifecycle: pause and resume', () => {
  it('aborts everything in flight on pause and remembers the phase', () => {
    const driver = reach('CODE_IMPLEMENTATION');
    const running = Object.keys(driver.state.inFlight);
    const { state, effects } = driver.send({ type: 'PAUSE' });

    expect(state).toMatchObject({ phase: 'PAUSED', pausedFrom: 'CODE_IMPLEMENTATION' });
    expect(effects).toEqual([{ type: 'abort', workIds: running }]);
  });

  it('holds back what results produce while paused and lets the remembered phase follow them', () => {
    const driver = reach('CODE_IMPLEMENTATION');
    driver.send({ type: 'PAUSE' });
    const { state, effects } = driver.done(driver.work('implement', 'src/file1.ts'), aResult().withArtifacts('code-1').build());

    expect(effects).toEqual([]);
    expect(state).toMatchObject({ phase: 'PAUSED', pausedFrom: 'CODE_REVIEW' });
    expect(state.deferred).toEqual([{ type: 'dispatch', work: expect.objectContaining({ kind: 'review-code', file: 'src/file1.ts' }) }]);
    expect(driver.inFlight('review-code')).toEqual([]);
  });

  it('still reports artifact status while paused', () => {
    const driver = playRun({ config: aConfig({ instances: { architect: 1 } }), until: (d) => d.state.phase === 'CODE_IMPLEMENTATION' });
    driver.send({ type: 'PAUSE' });
    const { effects } = driver.done(driver.work('implement', 'src/file1.ts'), aResult().withArtifacts('code-1').build());

    expect(effects).toEqual([{ type: 'artifactStatus', artifactId: 'code-1', status: 'completed' }]);
  });

  it('holds aborted work and sends it again, with everything held back, on resume', () => {
    const driver = reach('CODE_IMPLEMENTATION');
    driver.send({ type: 'PAUSE' });
    const [first, second] = driver.inFlight('implement');
    driver.send({ type: 'WORK_ABORTED', workId: first!.id });
    driver.done(second!, aResult().withArtifacts('code-2').build());
    expect(driver.state.inFlight[first!.id]).toBeUndefined();
    expect(driver.state.deferred.map((e) => e.type === 'dispatch' && e.work.kind)).toEqual(['implement', 'review-code']);

    const { state, effects } = driver.send({ type: 'RESUME' });

    expect(state.phase).toBe('CODE_REVIEW');
    expect(state.pausedFrom).toBeUndefined();
    expect(state.deferred).toEqual([]);
    expect(effects.map((e) => e.type === 'dispatch' && [e.work.kind, e.work.file])).toEqual([
      ['implement', first!.file],
      ['review-code', second!.file],
    ]);
    expect(Object.keys(state.inFlight)).toEqual(expect.arrayContaining([first!.id]));
  });

  it('accepts the result of work that was aborted while paused', () => {
    const driver = reach('CODE_IMPLEMENTATION');
    driver.send({ type: 'PAUSE' });
    const work = driver.work('implement', 'src/file1.ts');
    driver.send({ type: 'WORK_ABORTED', workId: work.id });
    const { state } = driver.send({ type: 'WORK_DONE', workId: work.id, result: aResult().withArtifacts('late').build() });

    expect(state.files[0]).toMatchObject({ stage: 'reviewing', codeArtifactId: 'late' });
    expect(state.deferred.some((e) => e.type === 'dispatch' && e.work.id === work.id)).toBe(false);
  });

  it('asks an open decision again on resume', () => {
    const driver = reach('PLANNING');
    driver.done(driver.work('plan'));
    const open = driver.decision();
    driver.send({ type: 'PAUSE' });
    const { effects } = driver.send({ type: 'RESUME' });

    expect(effects).toEqual([{ type: 'decide', request: open }]);
  });

  it('applies a decision made while paused and holds back the work it starts', () => {
    const driver = reach('PLANNING');
    driver.done(driver.work('plan'));
    const review = driver.work('review-plan');
    driver.send({ type: 'PAUSE' });
    const { state, effects } = driver.decide('approve_plan');

    // The review that ran beside the question is stopped; the scaffolding waits for the resume.
    expect(effects).toEqual([{ type: 'abort', workIds: [review.id] }, expect.objectContaining({ type: 'artifactStatus', status: 'approved' })]);
    expect(state).toMatchObject({ phase: 'PAUSED', pausedFrom: 'STRUCTURE_CREATION' });
    const resumed = driver.send({ type: 'RESUME' });
    expect(resumed.effects).toEqual([{ type: 'dispatch', work: expect.objectContaining({ kind: 'structure' }) }]);
  });

  it('sends aborted work again at once when the run is not paused', () => {
    const driver = reach('PLANNING');
    const work = driver.work('plan');
    const { effects } = driver.send({ type: 'WORK_ABORTED', workId: work.id });

    expect(effects).toEqual([{ type: 'dispatch', work }]);
  });
});

describe('lifecycle: cancel and fail', () => {
  // Every phase a run can still leave: all but the terminal ones.
  const phases: Phase[] = PHASES.filter((phase) => !TERMINAL_PHASES.includes(phase));

  it.each(phases)('cancels from %s: aborts all in-flight work, then finishes', (phase) => {
    const driver = reach(phase);
    expect(driver.state.phase).toBe(phase);
    const running = Object.keys(driver.state.inFlight);
    const { state, effects } = driver.send({ type: 'CANCEL', reason: 'Changed my mind' });

    expect(effects).toEqual([
      { type: 'abort', workIds: running },
      { type: 'finish', phase: 'CANCELLED', reason: 'Changed my mind' },
    ]);
    expect(state).toMatchObject({ phase: 'CANCELLED', inFlight: {}, deferred: [], outcome: { reason: 'Changed my mind' } });
    expect(driver.try({ type: 'RESUME' }).rejected).toMatch(/has ended/);
  });

  it('fails with the given reason', () => {
    const driver = reach('CODE_REVIEW');
    const { state, effects } = driver.send({ type: 'FAIL', reason: 'Disk full' });

    expect(state.phase).toBe('FAILED');
    expect(driver.effectsOf('finish', effects)).toEqual([{ type: 'finish', phase: 'FAILED', reason: 'Disk full' }]);
  });
});

describe('lifecycle: failed work', () => {
  it('retries with a growing delay, then pauses for a person and tries afresh on resume', () => {
    const driver = reach('PLANNING');
    const fail = () => driver.send({ type: 'WORK_FAILED', workId: 'w1', message: 'HTTP 500', retryable: true });

    expect(fail().effects).toEqual([{ type: 'dispatch', work: expect.objectContaining({ id: 'w1', attempt: 2 }), delayMs: 1000 }]);
    expect(fail().effects).toEqual([{ type: 'dispatch', work: expect.objectContaining({ id: 'w1', attempt: 3 }), delayMs: 2000 }]);

    const broken = fail();
    expect(broken.state).toMatchObject({ phase: 'PAUSED', pausedFrom: 'PLANNING', inFlight: {} });
    expect(broken.state.attention?.reason).toMatch(/plan by architect-1 failed 3 times; last error: HTTP 500/);
    expect(broken.effects).toEqual([{ type: 'attention', attention: broken.state.attention }]);
    expect(broken.state.deferred).toEqual([{ type: 'dispatch', work: expect.objectContaining({ id: 'w1', attempt: 1 }) }]);

    const resumed = driver.send({ type: 'RESUME' });
    expect(resumed.state.phase).toBe('PLANNING');
    expect(resumed.effects).toEqual([{ type: 'dispatch', work: expect.objectContaining({ id: 'w1', attempt: 1 }) }]);
    expect(resumed.state.inFlight.w1).toBeDefined();
  });

  it('uses the configured base delay and attempt count', () => {
    const driver = new Driver();
    driver.start(aConfig({ retryBaseMs: 50, maxWorkAttempts: 4 }));
    const delays = [1, 2, 3].map(() => driver.send({ type: 'WORK_FAILED', workId: 'w1', message: 'x', retryable: false }).effects[0]);

    expect(delays.map((e) => e?.type === 'dispatch' && e.delayMs)).toEqual([50, 100, 200]);
    expect(driver.send({ type: 'WORK_FAILED', workId: 'w1', message: 'x', retryable: false }).state.phase).toBe('PAUSED');
  });

  it('holds a retry back while paused and sends it with its delay on resume', () => {
    const driver = reach('PLANNING');
    driver.send({ type: 'PAUSE' });
    const failed = driver.send({ type: 'WORK_FAILED', workId: 'w1', message: 'x', retryable: true });

    expect(failed.effects).toEqual([]);
    expect(failed.state.deferred).toEqual([{ type: 'dispatch', work: expect.objectContaining({ id: 'w1', attempt: 2 }), delayMs: 1000 }]);
    expect(driver.send({ type: 'RESUME' }).effects).toEqual(failed.state.deferred);
  });

  it('keeps an escalated decision when work also fails too often, and settles both on resume', () => {
    const driver = playRun({
      config: aConfig({ maxWorkAttempts: 1 }),
      respond: (work) => (work.kind === 'review-code' && work.file === 'src/file1.ts' ? aResult().withArtifacts('r').rejected('No').build() : defaultResult(work)),
      until: (d) => d.state.decision?.point === 'file-reviewed',
    });
    const escalated = driver.decision();
    driver.decide('escalate', 'Unsure');
    const other = driver.inFlight()[0]!;
    driver.send({ type: 'WORK_FAILED', workId: other.id, message: 'boom', retryable: false });

    expect(driver.state.attention?.decision).toEqual(escalated);
    expect(driver.state.attention?.reason).toMatch(/Unsure[\s\S]*failed 1 times/);

    const { state, effects } = driver.send({ type: 'RESUME' });
    expect(state.files[0]!.stage).toBe('fixing');
    expect(driver.effectsOf('dispatch', effects).map((e) => e.work.id)).toEqual(expect.arrayContaining([other.id, driver.work('fix', 'src/file1.ts').id]));
  });

  it('opens the circuit while paused too, keeping the pause and its phase', () => {
    const driver = reach('PLANNING');
    for (let i = 0; i < 2; i++) driver.send({ type: 'WORK_FAILED', workId: 'w1', message: 'x', retryable: true });
    driver.send({ type: 'PAUSE' });
    const { state, effects } = driver.send({ type: 'WORK_FAILED', workId: 'w1', message: 'x', retryable: true });

    expect(state).toMatchObject({ phase: 'PAUSED', pausedFrom: 'PLANNING' });
    expect(state.attention?.reason).toMatch(/failed 3 times/);
    expect(effects).toEqual([{ type: 'attention', attention: state.attention }]);
    expect(state.deferred).toEqual([{ type: 'dispatch', work: expect.objectContaining({ id: 'w1', attempt: 1 }) }]);
  });
});
