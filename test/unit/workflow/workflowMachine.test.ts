import { describe, expect, it } from 'vitest';
import { initialWorkflowState, transition } from '../../../extension/engine/workflow/workflowMachine';
import type { WorkItem, WorkflowEvent, WorkflowState } from '../../../extension/engine/workflow/workflowTypes';
import { Driver, REQUIRED_ONLY, aConfig, aResult, deepFreeze, defaultResult, filePaths, playRun, type Responder } from './workflowFixtures';

/** The sceptic rejects the first plan and the first review of file 2; everything else passes. */
function rejectFirstPlanAndOneFile(): Responder {
  let planReviews = 0;
  let file2Reviews = 0;
  return (work) => {
    if (work.kind === 'review-plan' && planReviews++ === 0) return aResult().withArtifacts('plan-review-1').rejected('The plan misses error handling.').build();
    if (work.kind === 'review-code' && work.file === 'src/file2.ts' && file2Reviews++ === 0) {
      return aResult().withArtifacts('code-review-1').rejected('Off-by-one in the loop.').build();
    }
    return defaultResult(work);
  };
}

describe('workflow machine: the run from start to finish', () => {
  it('passes through every phase when the sceptic rejects the first plan and one file', () => {
    const driver = playRun({ respond: rejectFirstPlanAndOneFile() });

    expect(driver.phases).toEqual([
      'IDLE',
      'PLANNING',
      'PLAN_REVIEW',
      'PLAN_REVISION',
      'PLAN_REVIEW',
      'STRUCTURE_CREATION',
      'CODE_IMPLEMENTATION',
      'CODE_REVIEW',
      'CODE_FIXING',
      'CODE_REVIEW',
      'DOCUMENTATION',
      'TESTING',
      'COMPLETED',
    ]);
    expect(driver.effectsOf('finish')).toEqual([{ type: 'finish', phase: 'COMPLETED', reason: expect.stringContaining('tests pass') }]);
    expect(driver.state.files.map((f) => f.stage)).toEqual(['approved', 'approved', 'approved']);
    expect(driver.state.files[1]!.fixes).toBe(1);
    expect(driver.state.plan).toMatchObject({ revisions: 1, approved: true });
    expect(driver.state.inFlight).toEqual({});
  });

  it('starts by asking architect-1 for a plan without any write grant', () => {
    const driver = new Driver();
    const { effects, state } = driver.start(aConfig(), 'Add a login page');

    expect(state.phase).toBe('PLANNING');
    expect(state.task).toBe('Add a login page');
    expect(effects).toEqual([{ type: 'dispatch', work: { id: 'w1', kind: 'plan', role: 'architect', instance: 1, grants: [], inputs: [], attempt: 1 } }]);
  });

  it('starts the plan review at once and asks the Organiser beside it whether to wait for it', () => {
    const driver = new Driver();
    driver.start();
    const { effects, state } = driver.done(driver.work('plan'), aResult().withArtifacts('plan-1').withFiles(2).build());

    expect(state.phase).toBe('PLAN_REVIEW');
    expect(state.plan).toEqual({ artifactId: 'plan-1', revisions: 0, approved: false, reviewAhead: true });
    expect(effects).toEqual([
      { type: 'dispatch', work: expect.objectContaining({ id: 'w2', kind: 'review-plan', role: 'code-sceptic', instance: 1, grants: [], inputs: ['plan-1'] }) },
      {
        type: 'decide',
        request: { id: 'd3', point: 'plan-ready', options: ['request_plan_review', 'approve_plan'], recommended: 'request_plan_review', question: expect.stringContaining('started reviewing') },
      },
    ]);
  });

  it('takes the review once the Organiser asks for it, whichever of the two comes first', () => {
    const answerFirst = new Driver();
    answerFirst.start();
    answerFirst.done(answerFirst.work('plan'), aResult().withArtifacts('plan-1').withFiles(2).build());
    const waiting = answerFirst.decide('request_plan_review');
    expect(waiting.effects).toEqual([]);
    expect(waiting.state.phase).toBe('PLAN_REVIEW');
    const approved = answerFirst.done(answerFirst.work('review-plan'), aResult().withArtifacts('review-1').approved().build());
    expect(approved.state.phase).toBe('STRUCTURE_CREATION');
    expect(approved.effects[0]).toEqual({ type: 'artifactStatus', artifactId: 'plan-1', status: 'approved', reviewedBy: 'code-sceptic-1', reviewArtifactId: 'review-1' });

    const reviewFirst = new Driver();
    reviewFirst.start();
    reviewFirst.done(reviewFirst.work('plan'), aResult().withArtifacts('plan-1').withFiles(2).build());
    const held = reviewFirst.done(reviewFirst.work('review-plan'), aResult().withArtifacts('review-1').approved().build());
    expect(held.state.phase).toBe('PLAN_REVIEW');
    expect(held.state.plan).toMatchObject({ approved: false, approvedBy: 'code-sceptic-1' });
    expect(held.effects).toEqual([]);
    const answered = reviewFirst.decide('request_plan_review');
    expect(answered.state.phase).toBe('STRUCTURE_CREATION');
    expect(answered.state.plan).toEqual({ artifactId: 'plan-1', revisions: 0, approved: true, reviewArtifactId: 'review-1' });
    expect(answered.effects[0]).toEqual({ type: 'artifactStatus', artifactId: 'plan-1', status: 'approved', reviewedBy: 'code-sceptic-1', reviewArtifactId: 'review-1' });
  });

  it('stops the review when the Organiser approves the plan without it', () => {
    const driver = new Driver();
    driver.start();
    driver.done(driver.work('plan'), aResult().withArtifacts('plan-1').withFiles(2).build());
    const review = driver.work('review-plan');
    const { state, effects } = driver.decide('approve_plan');

    expect(state.phase).toBe('STRUCTURE_CREATION');
    expect(effects).toContainEqual({ type: 'abort', workIds: [review.id] });
    expect(driver.inFlight('review-plan')).toEqual([]);
    expect(driver.try({ type: 'WORK_DONE', workId: review.id, result: aResult().withArtifacts('late').rejected('Too late').build() }).rejected).toBeDefined();
  });

  it('asks about the findings of a review that came in before the Organiser answered, once it has', () => {
    const driver = new Driver();
    driver.start();
    driver.done(driver.work('plan'), aResult().withArtifacts('plan-1').withFiles(2).build());
    driver.done(driver.work('review-plan'), aResult().withArtifacts('review-1').rejected('Too vague.').build());
    expect(driver.decision().point).toBe('plan-ready');

    driver.decide('request_plan_review');
    expect(driver.decision()).toMatchObject({ point: 'plan-reviewed', question: expect.stringContaining('Too vague.') });
  });

  it('sends a saved run that was asked before reviews ran ahead to review when the Organiser asks for it', () => {
    // The state an older version saved: still PLANNING, the plan-ready question open, no review running.
    const older = new Driver();
    older.start();
    older.done(older.work('plan'), aResult().withArtifacts('plan-1').withFiles(2).build());
    const review = older.work('review-plan');
    const { reviewAhead: _ahead, ...plan } = older.state.plan!;
    const { [review.id]: _review, ...inFlight } = older.state.inFlight;
    older.state = { ...older.state, phase: 'PLANNING', plan, inFlight };
    const { state, effects } = older.decide('request_plan_review');

    expect(state.phase).toBe('PLAN_REVIEW');
    expect(effects).toEqual([{ type: 'dispatch', work: expect.objectContaining({ kind: 'review-plan', role: 'code-sceptic', inputs: ['plan-1'] }) }]);
  });

  it('revises the plan with the findings as note and reviews the revision again', () => {
    const driver = new Driver();
    driver.start();
    driver.done(driver.work('plan'), aResult().withArtifacts('plan-1').withFiles(2).build());
    driver.decide('request_plan_review');
    driver.done(driver.work('review-plan'), aResult().withArtifacts('review-1').rejected('Too vague.').build());
    expect(driver.decision()).toMatchObject({ point: 'plan-reviewed', options: ['revise_plan', 'approve_plan', 'escalate'], recommended: 'revise_plan' });

    const revising = driver.decide('revise_plan');
    expect(revising.state.phase).toBe('PLAN_REVISION');
    expect(revising.effects[0]).toEqual({ type: 'artifactStatus', artifactId: 'plan-1', status: 'needs-revision', reviewArtifactId: 'review-1' });
    expect(driver.work('revise-plan')).toMatchObject({ role: 'architect', instance: 1, inputs: ['plan-1', 'review-1'], note: '- [major] Too vague.' });

    const revised = driver.done(driver.work('revise-plan'), aResult().withArtifacts('plan-1').withFiles(['src/a.ts']).build());
    expect(revised.state.phase).toBe('PLAN_REVIEW');
    expect(revised.state.plan).toMatchObject({ revisions: 1, approved: false });
    expect(revised.state.files.map((f) => f.path)).toEqual(['src/a.ts']);
    expect(driver.work('review-plan').inputs).toEqual(['plan-1']);
  });

  it('marks the plan approved by its reviewer and moves on to the structure', () => {
    const driver = new Driver();
    driver.start();
    driver.done(driver.work('plan'), aResult().withArtifacts('plan-1').withFiles(2).build());
    driver.decide('request_plan_review');
    const { state, effects } = driver.done(driver.work('review-plan'), aResult().withArtifacts('review-1').approved().build());

    expect(state.phase).toBe('STRUCTURE_CREATION');
    expect(effects[0]).toEqual({ type: 'artifactStatus', artifactId: 'plan-1', status: 'approved', reviewedBy: 'code-sceptic-1', reviewArtifactId: 'review-1' });
  });

  it('keeps each planned path once, in plan order', () => {
    const driver = new Driver();
    driver.start(aConfig({ instances: REQUIRED_ONLY }));
    const { state } = driver.done(driver.work('plan'), aResult().withArtifacts('plan-1').withFiles(['b.ts', 'a.ts', 'b.ts', 'c.ts', 'a.ts']).build());

    expect(state.files.map((f) => f.path)).toEqual(['b.ts', 'a.ts', 'c.ts']);
  });

  it('sends a plan that lists no files back to the Architect instead of failing', () => {
    const driver = new Driver();
    driver.start();
    const { state } = driver.done(driver.work('plan'), aResult().withArtifacts('plan-1').withFiles([]).build());

    expect(state.phase).toBe('PLAN_REVISION');
    expect(driver.work('revise-plan').note).toMatch(/no files/);
  });

  it('fails at once when the settings cannot work', () => {
    const driver = new Driver();
    const { state } = driver.start(aConfig({ batchSize: 0 }));

    expect(state.phase).toBe('FAILED');
    expect(state.outcome?.reason).toMatch(/batchSize/);
  });
});

describe('workflow machine: optional roles', () => {
  it('skips plan review, code review, documentation and testing when only the required roles take part', () => {
    const driver = playRun({ config: aConfig({ instances: REQUIRED_ONLY }) });

    expect(driver.phases).toEqual(['IDLE', 'PLANNING', 'STRUCTURE_CREATION', 'CODE_IMPLEMENTATION', 'COMPLETED']);
    expect(driver.effectsOf('decide')).toEqual([]);
    expect(driver.effectsOf('dispatch').map((e) => e.work.kind)).not.toContain('review-code');
    expect(driver.effectsOf('artifactStatus').filter((e) => e.status === 'completed')).toHaveLength(4); // the plan and 3 files
  });

  it('skips documentation but still tests when only the debugger is added', () => {
    const driver = playRun({ config: aConfig({ instances: { ...REQUIRED_ONLY, debugger: 1 } }) });

    expect(driver.phases).toEqual(['IDLE', 'PLANNING', 'STRUCTURE_CREATION', 'CODE_IMPLEMENTATION', 'TESTING', 'COMPLETED']);
  });

  it('treats required roles configured with zero instances as one', () => {
    const driver = new Driver();
    const { state } = driver.start(aConfig({ instances: { architect: 0 } }));

    expect(state.config.instances).toMatchObject({ organiser: 1, architect: 1, 'primary-coder': 1, 'secondary-coder': 1 });
    expect(driver.work('plan').instance).toBe(1);
  });

  it('documents in batches, granting the overview only to the first batch', () => {
    const driver = playRun({
      config: aConfig({ batchSize: 2, instances: { ...REQUIRED_ONLY, 'documentation-writer': 2 } }),
      respond: (work) => defaultResult(work, filePaths(3)),
      until: (d) => d.state.phase === 'DOCUMENTATION',
    });

    expect(driver.inFlight('document').map((w) => ({ instance: w.instance, grants: w.grants, files: w.files }))).toEqual([
      { instance: 1, grants: ['src/file1.ts', 'src/file2.ts', 'docs/OVERVIEW.md'], files: ['src/file1.ts', 'src/file2.ts'] },
      { instance: 2, grants: ['src/file3.ts'], files: ['src/file3.ts'] },
    ]);
  });
});

describe('workflow machine: events that are not allowed', () => {
  const started = (): Driver => {
    const driver = new Driver();
    driver.start();
    return driver;
  };
  const withDecision = (): Driver => {
    const driver = started();
    driver.done(driver.work('plan'), aResult().withArtifacts('plan-1').withFiles(1).build());
    return driver;
  };
  const cases: Array<[string, () => Driver, (driver: Driver) => WorkflowEvent, RegExp]> = [
    ['START when already started', started, () => ({ type: 'START', task: 'again', config: aConfig() }), /already started/],
    ['WORK_DONE for an unknown work id', started, () => ({ type: 'WORK_DONE', workId: 'w99', result: aResult().build() }), /No work w99/],
    ['WORK_DONE for an id that is an Object member', started, () => ({ type: 'WORK_DONE', workId: 'constructor', result: aResult().build() }), /No work/],
    ['WORK_FAILED for an unknown work id', started, () => ({ type: 'WORK_FAILED', workId: 'w99', message: 'x', retryable: true }), /No work/],
    ['WORK_ABORTED for an unknown work id', started, () => ({ type: 'WORK_ABORTED', workId: 'w99' }), /No work/],
    ['DECIDE when no decision is open', started, () => ({ type: 'DECIDE', decisionId: 'd1', action: { action: 'approve_plan', reason: '' } }), /No decision/],
    ['DECIDE with a wrong decision id', withDecision, () => ({ type: 'DECIDE', decisionId: 'd77', action: { action: 'approve_plan', reason: '' } }), /not the open one/],
    ['DECIDE with an action not in the options', withDecision, (d) => ({ type: 'DECIDE', decisionId: d.decision().id, action: { action: 'fix_file', reason: '' } }), /not an option/],
    ['PAUSE before the run started', () => new Driver(), () => ({ type: 'PAUSE' }), /not started/],
    ['PAUSE when already paused', () => { const d = started(); d.send({ type: 'PAUSE' }); return d; }, () => ({ type: 'PAUSE' }), /already paused/],
    ['RESUME when not paused', started, () => ({ type: 'RESUME' }), /not paused/],
    ['WORK_DONE before the run started', () => new Driver(), () => ({ type: 'WORK_DONE', workId: 'w1', result: aResult().build() }), /not started/],
    ['anything after the run completed', () => playRun(), () => ({ type: 'PAUSE' }), /has ended \(COMPLETED\)/],
    ['CANCEL after the run was cancelled', () => { const d = started(); d.send({ type: 'CANCEL' }); return d; }, () => ({ type: 'CANCEL' }), /has ended/],
  ];

  it.each(cases)('rejects %s and leaves the state as it was', (_name, setup, makeEvent, why) => {
    const driver = setup();
    const before = driver.state;
    const snapshot = structuredClone(before);
    const result = transition(before, makeEvent(driver));

    expect(result.rejected).toMatch(why);
    expect(result.state).toBe(before);
    expect(result.effects).toEqual([]);
    expect(before).toEqual(snapshot);
  });
});

describe('workflow machine: purity', () => {
  it('never changes its input, even deep-frozen, over a whole run with rejections and a pause', () => {
    let state: WorkflowState = deepFreeze(initialWorkflowState());
    const responder = rejectFirstPlanAndOneFile();
    const step = (event: WorkflowEvent) => {
      const snapshot = structuredClone(state);
      const result = transition(state, event);
      expect(state).toEqual(snapshot);
      state = deepFreeze(result.state);
      return result;
    };
    const driverView = new Driver();
    step({ type: 'START', task: 't', config: aConfig() });
    for (let i = 0; i < 200 && !['COMPLETED', 'FAILED', 'CANCELLED'].includes(state.phase); i++) {
      if (i === 5) step({ type: 'PAUSE' });
      if (i === 6) {
        for (const id of Object.keys(state.inFlight)) step({ type: 'WORK_ABORTED', workId: id });
        step({ type: 'RESUME' });
      }
      step({ type: 'WORK_DONE', workId: 'nope', result: aResult().build() });
      if (state.decision) {
        step({ type: 'DECIDE', decisionId: state.decision.id, action: { action: state.decision.recommended, reason: '' } });
        continue;
      }
      const next: WorkItem | undefined = Object.values(state.inFlight).sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)))[0];
      if (!next) break;
      const result = responder(next, driverView);
      if ('fail' in result) throw new Error('this responder never fails');
      step({ type: 'WORK_DONE', workId: next.id, result });
    }
    expect(state.phase).toBe('COMPLETED');
  });

  it('gives the same answer for the same state and event', () => {
    const driver = playRun({ until: (d) => d.state.phase === 'CODE_REVIEW' });
    const event: WorkflowEvent = { type: 'WORK_DONE', workId: driver.inFlight()[0]!.id, result: defaultResult(driver.inFlight()[0]!) };

    expect(transition(driver.state, event)).toEqual(transition(driver.state, event));
  });

  it('numbers work and decisions from one counter', () => {
    const driver = new Driver();
    driver.start();
    driver.done(driver.work('plan'), aResult().withArtifacts('p').withFiles(1).build());
    driver.decide('request_plan_review');

    expect(driver.effectsOf('decide').map((e) => e.request.id)).toEqual(['d3']);
    expect(driver.work('review-plan').id).toBe('w2');
    expect(driver.state.seq).toBe(3);
  });
});
