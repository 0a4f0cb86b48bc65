import { describe, expect, it } from 'vitest';
import type { UserChange } from '../../../extension/engine/workflow/userChangeSchema';
import { UserChangeSchema } from '../../../extension/engine/workflow/userChangeSchema';
import { Driver, EVERY_ROLE, REQUIRED_ONLY, aConfig, deepFreeze, defaultResult, filePaths, playRun } from './workflowFixtures';

const FILES = filePaths(2);
const change = (value: UserChange) => ({ type: 'USER_CHANGE', change: value }) as const;

/** A run played with approving reviews and passing tests until `until` holds. */
function runUntil(until: (driver: Driver) => boolean, instances: Record<string, number> = EVERY_ROLE): Driver {
  return playRun({
    config: aConfig({ instances }),
    respond: (work) => defaultResult(work, FILES),
    decide: (request) => (request.point === 'plan-ready' ? 'approve_plan' : request.recommended),
    until,
  });
}

function finish(driver: Driver): Driver {
  return playRun({ respond: (work) => defaultResult(work, FILES), decide: (request) => request.recommended }, driver);
}

const inPhase = (phase: string) => (driver: Driver) => driver.state.phase === phase;

describe('user changes: adding a file', () => {
  it('during implementation sends the new file to a coder at once, and the run ends with it approved', () => {
    const driver = runUntil(inPhase('CODE_IMPLEMENTATION'));
    const { effects } = driver.send(change({ kind: 'add-file', path: 'src/report.js', purpose: 'Lists overdue loans by member.' }));

    expect(driver.effectsOf('dispatch', effects).map(({ work }) => [work.kind, work.file, work.grants])).toEqual([['implement', 'src/report.js', ['src/report.js']]]);
    finish(driver);
    expect(driver.state.phase).toBe('COMPLETED');
    expect(driver.state.files.map((file) => [file.path, file.stage])).toEqual([...FILES.map((path) => [path, 'approved']), ['src/report.js', 'approved']]);
  });

  it('while the plan is being written waits, and joins the plan once it is approved', () => {
    const driver = new Driver();
    driver.start(aConfig());
    driver.send(change({ kind: 'add-file', path: 'src/report.js', purpose: 'Report.' }));
    expect(driver.state.files).toEqual([]);
    expect(driver.state.pendingAdditions?.map((file) => file.path)).toEqual(['src/report.js']);

    finish(driver);
    expect(driver.state.phase).toBe('COMPLETED');
    expect(driver.state.files.map((file) => file.path)).toEqual([...FILES, 'src/report.js']);
    expect(driver.state.pendingAdditions).toBeUndefined();
  });

  it('during testing stops the tests, goes back to coding, and documents and tests again afterwards', () => {
    const driver = runUntil(inPhase('TESTING'));
    const testWork = driver.work('test');
    const { effects } = driver.send(change({ kind: 'add-file', path: 'src/report.js', purpose: 'Report.' }));

    expect(driver.effectsOf('abort', effects)).toEqual([{ type: 'abort', workIds: [testWork.id] }]);
    expect(driver.state.phase).toBe('CODE_IMPLEMENTATION');
    expect(driver.state.documented).toBe(false);
    expect(driver.try({ type: 'WORK_DONE', workId: testWork.id, result: defaultResult(testWork) }).rejected).toMatch(/in flight/);
    finish(driver);
    expect(driver.phases.slice(-4)).toEqual(['CODE_REVIEW', 'DOCUMENTATION', 'TESTING', 'COMPLETED']);
  });

  it('refuses a path already in the plan, or a pattern, and leaves the state as it was', () => {
    const driver = runUntil(inPhase('CODE_IMPLEMENTATION'));
    const before = driver.state;

    expect(driver.try(change({ kind: 'add-file', path: FILES[0]!, purpose: 'again' })).rejected).toMatch(/already in the plan/);
    expect(driver.try(change({ kind: 'add-file', path: 'src/*.js', purpose: 'all' })).rejected).toMatch(/pattern/);
    expect(driver.state).toBe(before);
  });

  it('is refused once the run has ended', () => {
    const driver = finish(runUntil(() => false));
    expect(driver.try(change({ kind: 'add-file', path: 'src/late.js', purpose: 'late' })).rejected).toMatch(/ended/);
  });
});

describe('user changes: instructions and reopening', () => {
  it('hands new instructions to the next work on a file not yet approved', () => {
    const driver = runUntil(inPhase('STRUCTURE_CREATION'));
    driver.send(change({ kind: 'change-instructions', path: FILES[0]!, instructions: 'Use a Map, not an array.' }));
    finish(driver);

    const implement = driver.effectsOf('dispatch').find(({ work }) => work.kind === 'implement' && work.file === FILES[0]);
    expect(implement?.work.note).toContain('Use a Map, not an array.');
    const other = driver.effectsOf('dispatch').find(({ work }) => work.kind === 'implement' && work.file === FILES[1]);
    expect(other?.work.note).toBeUndefined();
  });

  it('never changes the state it was given, also for a file waiting to join the plan', () => {
    const driver = new Driver();
    driver.start(aConfig());
    driver.send(change({ kind: 'add-file', path: 'src/report.js', purpose: 'Report.' }));
    const before = deepFreeze(driver.state);
    driver.send(change({ kind: 'change-instructions', path: 'src/report.js', instructions: 'Sort by member.' }));

    expect(before.pendingAdditions?.[0]?.instructions).toBeUndefined();
    expect(driver.state.pendingAdditions?.[0]?.instructions).toBe('Sort by member.');
    const coding = runUntil(inPhase('DOCUMENTATION'));
    const frozen = deepFreeze(coding.state);
    expect(() => coding.send(change({ kind: 'reopen-file', path: FILES[0]!, to: 'fix', reason: 'r' }))).not.toThrow();
    expect(frozen.files[0]?.stage).toBe('approved');
  });

  it('refuses new instructions for an approved file, pointing to reopening it', () => {
    const driver = runUntil(inPhase('DOCUMENTATION'));
    expect(driver.try(change({ kind: 'change-instructions', path: FILES[0]!, instructions: 'x' })).rejected).toMatch(/already approved.*fix/);
  });

  it('sends an approved file back for review or for a fix with the reason as its finding', () => {
    const driver = runUntil(inPhase('DOCUMENTATION'));
    const review = driver.send(change({ kind: 'reopen-file', path: FILES[0]!, to: 'review', reason: 'Check the date handling.' }));
    expect(driver.effectsOf('dispatch', review.effects).map(({ work }) => [work.kind, work.file])).toEqual([['review-code', FILES[0]]]);

    const fix = driver.send(change({ kind: 'reopen-file', path: FILES[1]!, to: 'fix', reason: 'Return 404 for a missing member.' }));
    const [fixWork] = driver.effectsOf('dispatch', fix.effects);
    expect([fixWork?.work.kind, fixWork?.work.file]).toEqual(['fix', FILES[1]]);
    expect(fixWork?.work.note).toContain('Return 404 for a missing member.');
    finish(driver);
    expect(driver.state.phase).toBe('COMPLETED');
  });

  it('refuses to reopen a file still in work, or for review when the team has no sceptic', () => {
    const coding = runUntil(inPhase('CODE_IMPLEMENTATION'));
    expect(coding.try(change({ kind: 'reopen-file', path: FILES[0]!, to: 'review', reason: 'r' })).rejected).toMatch(/still being worked on/);

    const noSceptic = runUntil(inPhase('DOCUMENTATION'), { ...REQUIRED_ONLY, 'documentation-writer': 1 });
    expect(noSceptic.try(change({ kind: 'reopen-file', path: FILES[0]!, to: 'review', reason: 'r' })).rejected).toMatch(/no Code Sceptic/);
  });
});

describe('user changes: optional steps and profiles', () => {
  it('skipping documentation ahead of time leaves it out of the run', () => {
    const driver = runUntil(inPhase('CODE_IMPLEMENTATION'));
    driver.send(change({ kind: 'skip-step', step: 'documentation' }));
    finish(driver);
    expect(driver.phases).not.toContain('DOCUMENTATION');
    expect(driver.state.phase).toBe('COMPLETED');
  });

  it('skipping the running documentation stops its work and moves on to testing', () => {
    const driver = runUntil(inPhase('DOCUMENTATION'));
    const documenting = driver.inFlight('document').map((work) => work.id);
    const { effects } = driver.send(change({ kind: 'skip-step', step: 'documentation' }));

    expect(driver.effectsOf('abort', effects)).toEqual([{ type: 'abort', workIds: documenting }]);
    expect(driver.state.phase).toBe('TESTING');
  });

  it('skipping the running tests completes the run', () => {
    const driver = runUntil(inPhase('TESTING'));
    driver.send(change({ kind: 'skip-step', step: 'testing' }));
    expect(driver.state.phase).toBe('COMPLETED');
  });

  it('restores a skipped step while it is still ahead, and refuses what cannot be skipped or restored', () => {
    const driver = runUntil(inPhase('CODE_IMPLEMENTATION'));
    expect(driver.try(change({ kind: 'restore-step', step: 'testing' })).rejected).toMatch(/not left out/);
    driver.send(change({ kind: 'skip-step', step: 'testing' }));
    expect(driver.try(change({ kind: 'skip-step', step: 'testing' })).rejected).toMatch(/already left out/);
    driver.send(change({ kind: 'restore-step', step: 'testing' }));
    finish(driver);
    expect(driver.phases).toContain('TESTING');

    const noWriter = runUntil(inPhase('CODE_IMPLEMENTATION'), REQUIRED_ONLY);
    expect(noWriter.try(change({ kind: 'skip-step', step: 'documentation' })).rejected).toMatch(/no Documentation Writer/);
  });

  it('moves every agent of a role to another profile from its next work, and refuses roles the team lacks', () => {
    const driver = runUntil(inPhase('CODE_IMPLEMENTATION'), { ...EVERY_ROLE, 'secondary-coder': 2 });
    driver.send(change({ kind: 'set-role-profile', role: 'secondary-coder', profileId: 'cheap' }));
    expect(driver.state.agentProfiles).toEqual({ 'secondary-coder-1': 'cheap', 'secondary-coder-2': 'cheap' });
    expect(driver.try(change({ kind: 'set-role-profile', role: 'security-auditor', profileId: 'cheap' })).rejected).toMatch(/no security-auditor/);
    expect(driver.try(change({ kind: 'set-role-profile', role: 'organiser', profileId: 'cheap' })).rejected).toMatch(/Agent Roles tab/);
  });
});

describe('user changes: moving work between agents', () => {
  const twoCoders = { ...EVERY_ROLE, 'secondary-coder': 2 };

  it("gives a coder's running work and its unapproved files to the other coder; the work goes to it once its abort is back", () => {
    const driver = runUntil(inPhase('CODE_IMPLEMENTATION'), twoCoders);
    const running = driver.inFlight('implement').filter((work) => work.instance === 2);
    expect(running.length).toBeGreaterThan(0);
    const { effects } = driver.send(change({ kind: 'move-work', from: 'secondary-coder-2', to: 'secondary-coder-1' }));

    expect(driver.effectsOf('abort', effects)).toEqual([{ type: 'abort', workIds: running.map((work) => work.id) }]);
    expect(driver.state.files.every((file) => file.coder === 1)).toBe(true);
    const again = driver.send({ type: 'WORK_ABORTED', workId: running[0]!.id });
    expect(driver.effectsOf('dispatch', again.effects).map(({ work }) => [work.id, work.instance])).toEqual([[running[0]!.id, 1]]);
    finish(driver);
    expect(driver.state.phase).toBe('COMPLETED');
    expect(driver.effectsOf('dispatch').filter(({ work }) => work.role === 'secondary-coder' && work.instance === 2 && work.kind === 'fix')).toEqual([]);
  });

  it('refuses agents the team lacks, of different roles, or the same one', () => {
    const driver = runUntil(inPhase('CODE_IMPLEMENTATION'), twoCoders);
    expect(driver.try(change({ kind: 'move-work', from: 'secondary-coder-2', to: 'secondary-coder-7' })).rejected).toMatch(/no agent secondary-coder-7/);
    expect(driver.try(change({ kind: 'move-work', from: 'secondary-coder-2', to: 'code-sceptic-1' })).rejected).toMatch(/different roles/);
    expect(driver.try(change({ kind: 'move-work', from: 'secondary-coder-1', to: 'secondary-coder-1' })).rejected).toMatch(/itself/);
  });

  it('moves one agent to another profile from its next work', () => {
    const driver = runUntil(inPhase('CODE_IMPLEMENTATION'), twoCoders);
    driver.send(change({ kind: 'set-agent-profile', agentId: 'secondary-coder-2', profileId: 'cheap' }));
    expect(driver.state.agentProfiles).toEqual({ 'secondary-coder-2': 'cheap' });
    expect(driver.try(change({ kind: 'set-agent-profile', agentId: 'debugger-4', profileId: 'cheap' })).rejected).toMatch(/no agent debugger-4/);
  });
});

describe('user change schema', () => {
  it('takes only the closed set, with capped text', () => {
    expect(UserChangeSchema.safeParse({ kind: 'delete-everything' }).success).toBe(false);
    expect(UserChangeSchema.safeParse({ kind: 'add-file', path: 'a.js', purpose: 'x'.repeat(5000) }).success).toBe(false);
    expect(UserChangeSchema.safeParse({ kind: 'set-role-profile', role: 'Coder; rm -rf', profileId: 'p' }).success).toBe(false);
    expect(UserChangeSchema.parse({ kind: 'skip-step', step: 'testing' })).toEqual({ kind: 'skip-step', step: 'testing' });
  });
});
