import { describe, expect, it } from 'vitest';
import type { WorkflowConfig } from '../../../extension/engine/workflow/workflowTypes';
import { Driver, EVERY_ROLE, REQUIRED_ONLY, aConfig, aResult, defaultResult, playRun } from './workflowFixtures';

/** Plays until the run reaches `phase` with the plan decision answered (with a review request). */
function runUntil(phase: string, config: WorkflowConfig = aConfig()): Driver {
  return playRun({ config, until: (d) => d.state.phase === phase && d.state.decision?.point !== 'plan-ready' });
}

function rejectPlan(driver: Driver): void {
  driver.done(driver.work('review-plan'), aResult().withArtifacts('review').rejected('Not good enough').build());
}

describe('decisions: loop limits', () => {
  it('asks to escalate once the plan was revised the most allowed times, and pauses on escalate', () => {
    const driver = runUntil('PLAN_REVIEW', aConfig({ maxPlanRevisions: 1 }));
    rejectPlan(driver);
    driver.decide('revise_plan');
    driver.done(driver.work('revise-plan'));
    rejectPlan(driver);

    const request = driver.decision();
    expect(request).toMatchObject({ point: 'loop-limit', options: ['approve_plan', 'escalate'], recommended: 'escalate' });

    const { state, effects } = driver.decide('escalate', 'Going in circles');
    expect(state.phase).toBe('PAUSED');
    expect(state.pausedFrom).toBe('PLAN_REVIEW');
    expect(state.decision).toBeUndefined();
    expect(state.attention).toEqual({ reason: expect.stringContaining('Going in circles'), decision: request });
    expect(effects).toEqual([{ type: 'attention', attention: state.attention }]);
  });

  it('applies the first option that is not escalate when the person resumes without choosing', () => {
    const driver = runUntil('PLAN_REVIEW', aConfig({ maxPlanRevisions: 0 }));
    rejectPlan(driver);
    driver.decide('escalate');
    const { state, effects } = driver.send({ type: 'RESUME' });

    expect(state.phase).toBe('STRUCTURE_CREATION');
    expect(state.attention).toBeUndefined();
    expect(state.plan?.approved).toBe(true);
    expect(driver.effectsOf('dispatch', effects)[0]!.work.kind).toBe('structure');
  });

  it('applies the action the person chooses on resume, and refuses escalate or an action not offered', () => {
    const driver = runUntil('PLAN_REVIEW');
    rejectPlan(driver);
    driver.decide('escalate');

    expect(driver.try({ type: 'RESUME', action: { action: 'escalate', reason: '' } }).rejected).toMatch(/not a way to resume/);
    expect(driver.try({ type: 'RESUME', action: { action: 'fix_file', reason: '' } }).rejected).toMatch(/not a way to resume/);

    const { state } = driver.send({ type: 'RESUME', action: { action: 'revise_plan', reason: 'One more try' } });
    expect(state.phase).toBe('PLAN_REVISION');
  });

  it('offers only accept or escalate once a file was fixed the most allowed times', () => {
    const driver = playRun({
      config: aConfig({ maxFixRounds: 1 }),
      respond: (work) => (work.kind === 'review-code' && work.file === 'src/file1.ts' ? aResult().withArtifacts('r').rejected('Still wrong').build() : defaultResult(work)),
      until: (d) => d.state.decision?.point === 'loop-limit',
    });

    expect(driver.decision()).toMatchObject({ point: 'loop-limit', file: 'src/file1.ts', options: ['accept_file', 'escalate'], recommended: 'escalate' });
    expect(driver.state.files[0]!.fixes).toBe(1);
    driver.decide('escalate');
    expect(driver.state).toMatchObject({ phase: 'PAUSED', pausedFrom: 'CODE_REVIEW' });
  });

  it('lets running work finish while a person is asked, without aborting it', () => {
    const driver = playRun({
      respond: (work) => (work.kind === 'review-code' && work.file === 'src/file1.ts' ? aResult().withArtifacts('r').rejected('No').build() : defaultResult(work)),
      until: (d) => d.state.decision?.point === 'file-reviewed',
    });
    const running = driver.inFlight();
    const { effects } = driver.decide('escalate');

    expect(driver.effectsOf('abort', effects)).toEqual([]);
    expect(driver.inFlight()).toEqual(running);
  });
});

describe('decisions: failed tests', () => {
  const failing = (file?: string) => aResult().withArtifacts('report-1').withFailures({ file, message: 'expected 2, got 3' }).build();

  it('sends every file a failure names back to its coder and tests again without documenting again', () => {
    const driver = runUntil('TESTING');
    driver.done(driver.work('test'), failing('src/file2.ts'));
    expect(driver.state.testCycles).toBe(1);
    expect(driver.decision()).toMatchObject({ point: 'tests-failed', options: ['fix_test_failures', 'complete', 'escalate'], recommended: 'fix_test_failures' });

    const { state } = driver.decide('fix_test_failures');
    expect(state.phase).toBe('CODE_FIXING');
    expect(state.files.map((f) => f.stage)).toEqual(['approved', 'fixing', 'approved']);
    expect(driver.work('fix', 'src/file2.ts')).toMatchObject({ instance: state.files[1]!.coder, note: '- a test: expected 2, got 3', inputs: [state.files[1]!.codeArtifactId, 'report-1'] });

    driver.done(driver.work('fix', 'src/file2.ts'));
    driver.done(driver.work('review-code', 'src/file2.ts'));
    expect(driver.state.phase).toBe('TESTING');
    expect(driver.phases.filter((p) => p === 'DOCUMENTATION')).toHaveLength(1);
  });

  it('asks to escalate when the tests still fail after the most fix cycles allowed', () => {
    const driver = playRun({
      config: aConfig({ maxTestCycles: 1 }),
      respond: (work) => (work.kind === 'test' ? failing('src/file1.ts') : defaultResult(work)),
      until: (d) => d.state.decision?.point === 'loop-limit',
    });

    expect(driver.state.testCycles).toBe(2);
    expect(driver.decision()).toMatchObject({ options: ['complete', 'escalate'], recommended: 'escalate' });
    const { state, effects } = driver.decide('complete');
    expect(state.phase).toBe('COMPLETED');
    expect(driver.effectsOf('finish', effects)).toHaveLength(1);
  });

  it('does not offer a fix when no failure names a file of the plan, and leaves the files alone', () => {
    const driver = runUntil('TESTING');
    driver.done(driver.work('test'), failing('somewhere/else.ts'));

    expect(driver.decision()).toMatchObject({ point: 'tests-failed', options: ['complete', 'escalate'], recommended: 'escalate' });
    expect(driver.state.files.every((f) => f.stage === 'approved' && f.openFindings === undefined)).toBe(true);
  });
});

describe('decisions: spawn requests', () => {
  it('grants a configured role without work of its own and consults it with the reason', () => {
    const driver = runUntil('CODE_IMPLEMENTATION', aConfig({ instances: { ...EVERY_ROLE, 'security-auditor': 0 } }));
    const work = driver.work('implement', 'src/file1.ts');
    driver.done(work, aResult().withArtifacts('code').withSpawn('security-auditor', 'Handles passwords').build());

    expect(driver.decision()).toMatchObject({
      point: 'spawn-request',
      options: ['grant_spawn', 'refuse_spawn'],
      recommended: 'grant_spawn',
      spawn: { role: 'security-auditor', reason: 'Handles passwords', requestedBy: 'secondary-coder-1' },
    });
    const { state, effects } = driver.decide('grant_spawn');

    expect(state.config.instances['security-auditor']).toBe(1);
    expect(effects).toContainEqual({ type: 'spawn', role: 'security-auditor', instance: 1 });
    const consult = driver.work('consult');
    expect(consult).toMatchObject({ role: 'security-auditor', instance: 1, grants: [], note: expect.stringContaining('Handles passwords') });

    const { state: after } = driver.done(consult, aResult().withArtifacts('advice').build());
    expect(after.files).toEqual(state.files);
    expect(after.phase).toBe(state.phase);
  });

  it('adds an instance of a built-in role with work of its own without consulting it', () => {
    const driver = runUntil('CODE_IMPLEMENTATION');
    driver.done(driver.work('implement', 'src/file1.ts'), aResult().withArtifacts('c').withSpawn('code-sceptic').build());
    const { state, effects } = driver.decide('grant_spawn');

    expect(state.config.instances['code-sceptic']).toBe(2);
    expect(driver.effectsOf('spawn', effects)).toEqual([{ type: 'spawn', role: 'code-sceptic', instance: 2 }]);
    expect(driver.inFlight('consult')).toEqual([]);
  });

  it('changes nothing when the Organiser refuses', () => {
    const driver = runUntil('CODE_IMPLEMENTATION');
    driver.done(driver.work('implement', 'src/file1.ts'), aResult().withArtifacts('c').withSpawn('debugger').build());
    const before = driver.state.config.instances;
    const { state, effects } = driver.decide('refuse_spawn');

    expect(state.config.instances).toEqual(before);
    expect(driver.effectsOf('spawn', effects)).toEqual([]);
  });

  it.each([
    ['an unknown role', 'astrologer', {}],
    ['a role at its limit', 'code-sceptic', { maxInstancesPerRole: 1 }],
    ['the organiser', 'organiser', {}],
    ['a role named like an Object member', 'constructor', {}],
  ])('only lets the Organiser refuse %s', (_name, role, overrides) => {
    const driver = runUntil('CODE_IMPLEMENTATION', aConfig(overrides));
    driver.done(driver.work('implement', 'src/file1.ts'), aResult().withArtifacts('c').withSpawn(role).build());

    expect(driver.decision()).toMatchObject({ point: 'spawn-request', options: ['refuse_spawn'], recommended: 'refuse_spawn' });
  });

  it('asks about a spawn only after the flow decision, and never holds up the flow', () => {
    const driver = runUntil('PLAN_REVIEW');
    driver.done(driver.work('review-plan'), aResult().withArtifacts('r').rejected('No').withSpawn('debugger').build());

    expect(driver.decision().point).toBe('plan-reviewed');
    driver.decide('revise_plan');
    expect(driver.decision().point).toBe('spawn-request');
    expect(driver.state.phase).toBe('PLAN_REVISION');
    expect(driver.inFlight('revise-plan')).toHaveLength(1);
  });

  it('activates an optional role that was not taking part when its spawn is granted', () => {
    const driver = runUntil('CODE_IMPLEMENTATION', aConfig({ instances: REQUIRED_ONLY }));
    driver.done(driver.work('implement', 'src/file1.ts'), aResult().withArtifacts('c').withSpawn('code-sceptic').build());
    driver.decide('grant_spawn');
    driver.done(driver.work('implement', 'src/file2.ts'), aResult().withArtifacts('c2').build());

    expect(driver.work('review-code', 'src/file2.ts').role).toBe('code-sceptic');
  });
});
