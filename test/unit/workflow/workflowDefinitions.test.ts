import { describe, expect, it } from 'vitest';
import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import type { RoleDefinition } from '../../../extension/engine/roles/roleSchema';
import { joinProblems, workflowRules, type WorkflowRules } from '../../../extension/engine/workflow/workflowRules';
import type { WorkflowDefinition } from '../../../extension/protocol/workflowDefinition';
import type { WorkItem, WorkResult } from '../../../extension/engine/workflow/workflowTypes';
import { Driver, EVERY_ROLE, aConfig, aResult, defaultResult, filePaths, playRun, type Responder } from './workflowFixtures';

/** A custom role as the roles file would define it, merged (defaults filled in). */
function customRole(id: string, joins?: RoleDefinition['joins']): RoleDefinition {
  return {
    id,
    name: id,
    description: `The ${id}.`,
    category: 'review',
    required: false,
    builtin: false,
    capabilities: [],
    inputArtifacts: [],
    outputArtifacts: [],
    prompt: `You are the ${id}.`,
    active: true,
    instances: 1,
    ...(joins ? { joins } : {}),
  };
}

function rulesFor(custom: RoleDefinition[], definition?: WorkflowDefinition, hasChecker = false): WorkflowRules {
  return workflowRules([...BUILTIN_ROLES, ...custom], definition, hasChecker);
}

function configWith(rules: WorkflowRules, extra: Record<string, number> = {}) {
  return aConfig({ rules, instances: { ...EVERY_ROLE, ...extra } });
}

const auditor = customRole('security-auditor', { step: 'CODE_REVIEW', after: 'code-sceptic' });

describe('workflow definitions: the rules made from the roles file', () => {
  it('is the built-in workflow when nothing is defined', () => {
    expect(rulesFor([])).toEqual({ documentation: true, testing: true, reviewers: [{ role: 'code-sceptic' }], phaseSteps: [], tests: { when: 'end' } });
  });

  it('puts a joining reviewer after the role it names, and one without `after` after the Sceptic', () => {
    const perf = customRole('performance-reviewer', { step: 'CODE_REVIEW', after: 'security-auditor', files: 'src/**/*.ts' });
    const style = customRole('style-reviewer', { step: 'CODE_REVIEW' });
    expect(rulesFor([perf, auditor, style]).reviewers).toEqual([
      { role: 'code-sceptic' },
      { role: 'security-auditor' },
      { role: 'performance-reviewer', files: 'src/**/*.ts' },
      { role: 'style-reviewer' },
    ]);
  });

  it('refuses a join on a built-in role, an `after` that is not in the step, and a circle of `after`s', () => {
    const builtinJoin: RoleDefinition = { ...BUILTIN_ROLES.find((role) => role.id === 'debugger')!, joins: { step: 'CODE_REVIEW' } };
    const stranger = customRole('late-reviewer', { step: 'CODE_REVIEW', after: 'debugger' });
    const a = customRole('reviewer-a', { step: 'CODE_REVIEW', after: 'reviewer-b' });
    const b = customRole('reviewer-b', { step: 'CODE_REVIEW', after: 'reviewer-a' });
    const problems = joinProblems([...BUILTIN_ROLES.filter((role) => role.id !== 'debugger'), builtinJoin, stranger, a, b]);
    expect(problems.map((problem) => problem.roleId)).toEqual(['debugger', 'late-reviewer', 'reviewer-a', 'reviewer-b']);
    expect(problems[1]!.message).toContain('"debugger" does not take part in CODE_REVIEW');
    expect(problems[2]!.message).toContain('circle');
    // Roles in a circle are never reached, so the rules leave them out rather than loop.
    expect(rulesFor([a, b]).reviewers).toEqual([{ role: 'code-sceptic' }]);
  });

  it('turns the gate on only when the run has a checker and the definition leaves it on', () => {
    expect(rulesFor([], undefined, true).diagnosticsRounds).toBe(2);
    expect(rulesFor([], { diagnostics: { maxRounds: 4 } }, true).diagnosticsRounds).toBe(4);
    expect(rulesFor([], { diagnostics: { enabled: false } }, true).diagnosticsRounds).toBeUndefined();
    expect(rulesFor([], undefined, false).diagnosticsRounds).toBeUndefined();
  });
});

describe('workflow definitions: the machine follows them', () => {
  it('never enters DOCUMENTATION when the definition turns documentation off', () => {
    const driver = playRun({ config: configWith(rulesFor([], { documentation: false })) });
    expect(driver.state.phase).toBe('COMPLETED');
    expect(driver.phases).not.toContain('DOCUMENTATION');
    expect(driver.phases).toContain('TESTING');
  });

  it('ends after the reviews when documentation and testing are both off', () => {
    const driver = playRun({ config: configWith(rulesFor([], { documentation: false, testing: false })) });
    expect(driver.phases.slice(-2)).toEqual(['CODE_REVIEW', 'COMPLETED']);
  });

  it('has every file reviewed by the Sceptic and then the auditor; the artifact is approved by the last one', () => {
    const driver = playRun({ config: configWith(rulesFor([auditor]), { 'security-auditor': 1 }) });
    const reviews = driver.effectsOf('dispatch').filter((effect) => effect.work.kind === 'review-code');
    for (const file of filePaths(3)) {
      expect(reviews.filter((effect) => effect.work.file === file).map((effect) => effect.work.role)).toEqual(['code-sceptic', 'security-auditor']);
    }
    const approvals = driver.effectsOf('artifactStatus').filter((effect) => effect.status === 'approved' && effect.artifactId.startsWith('code@'));
    expect(approvals).toHaveLength(3);
    expect(approvals.every((effect) => effect.reviewedBy === 'security-auditor-1')).toBe(true);
    expect(driver.state.phase).toBe('COMPLETED');
  });

  it('sends a file the second reviewer rejects back to its coder, then through both reviewers again', () => {
    let rejected = false;
    const respond: Responder = (work) => {
      if (work.kind === 'review-code' && work.role === 'security-auditor' && work.file === 'src/file2.ts' && !rejected) {
        rejected = true;
        return aResult().withArtifacts('audit-1').rejected('User input reaches the query unescaped.').build();
      }
      return defaultResult(work);
    };
    const questions: string[] = [];
    const driver = playRun({
      config: configWith(rulesFor([auditor]), { 'security-auditor': 1 }),
      respond,
      decide: (request) => {
        questions.push(request.question);
        return request.recommended;
      },
    });
    const onFile2 = driver.effectsOf('dispatch').filter((effect) => effect.work.file === 'src/file2.ts').map((effect) => `${effect.work.kind}:${effect.work.role}`);
    expect(onFile2).toEqual([
      'implement:secondary-coder',
      'review-code:code-sceptic',
      'review-code:security-auditor',
      'fix:secondary-coder',
      'review-code:code-sceptic',
      'review-code:security-auditor',
    ]);
    expect(questions.some((question) => question.includes('src/file2.ts by security-auditor'))).toBe(true);
    expect(driver.effectsOf('dispatch').find((effect) => effect.work.kind === 'fix')?.work.note).toContain('unescaped');
    expect(driver.state.phase).toBe('COMPLETED');
  });

  it('asks a reviewer with a files pattern only about the files it matches', () => {
    const sql = customRole('sql-reviewer', { step: 'CODE_REVIEW', files: '*.sql' });
    const files = ['src/app.ts', 'db/schema.sql', 'db/seed.sql'];
    const driver = playRun({ config: configWith(rulesFor([sql]), { 'sql-reviewer': 1 }), respond: (work) => defaultResult(work, files) });
    const bySql = driver.effectsOf('dispatch').filter((effect) => effect.work.role === 'sql-reviewer').map((effect) => effect.work.file);
    expect(bySql).toEqual(['db/schema.sql', 'db/seed.sql']);
    expect(driver.state.phase).toBe('COMPLETED');
  });

  it('runs a step that joins documentation once, after the Documentation Writer, with its own grants and the code as input', () => {
    const changelog = customRole('changelog-writer', { step: 'DOCUMENTATION', writes: ['CHANGELOG.md'] });
    const driver = playRun({ config: configWith(rulesFor([changelog]), { 'changelog-writer': 1 }) });
    const kinds = driver.effectsOf('dispatch').map((effect) => effect.work.kind);
    const steps = driver.effectsOf('dispatch').filter((effect) => effect.work.kind === 'step');
    expect(steps).toHaveLength(1);
    expect(steps[0]!.work).toMatchObject({ role: 'changelog-writer', grants: ['CHANGELOG.md'], files: filePaths(3) });
    expect(steps[0]!.work.inputs.filter((id) => id.startsWith('code@'))).toHaveLength(3);
    expect(kinds.indexOf('step')).toBeGreaterThan(kinds.lastIndexOf('document'));
    expect(kinds.indexOf('step')).toBeLessThan(kinds.indexOf('test'));
    expect(driver.state.phase).toBe('COMPLETED');
  });

  it('runs a step that joins testing after the tests pass, and finishes after it', () => {
    const release = customRole('release-checker', { step: 'TESTING' });
    const driver = playRun({ config: configWith(rulesFor([release]), { 'release-checker': 1 }) });
    const kinds = driver.effectsOf('dispatch').map((effect) => effect.work.kind);
    expect(kinds.slice(-2)).toEqual(['test', 'step']);
    expect(driver.phases.slice(-2)).toEqual(['TESTING', 'COMPLETED']);
  });
});

describe('workflow definitions: the diagnostics gate', () => {
  const gated = () => configWith(rulesFor([], undefined, true));
  const errors = (file: string): WorkResult => ({ artifactIds: [], diagnostics: [{ file, severity: 'major', message: "line 1: Type 'string' is not assignable to type 'number'." }] });

  it('sends a file with errors straight back to its coder, and the Sceptic sees it only once it is clean', () => {
    let checks = 0;
    const respond: Responder = (work) => (work.kind === 'check' && work.file === 'src/file1.ts' && checks++ === 0 ? errors(work.file) : defaultResult(work));
    const driver = playRun({ config: gated(), respond });
    const onFile1 = driver.effectsOf('dispatch').filter((effect) => effect.work.file === 'src/file1.ts').map((effect) => effect.work.kind);
    expect(onFile1).toEqual(['implement', 'check', 'fix', 'check', 'review-code']);
    const fix = driver.effectsOf('dispatch').find((effect) => effect.work.kind === 'fix')!.work;
    expect(fix.note).toContain('The checker found 1 error');
    // The gate's send-back is not a review round: the file still has every fix round for its reviews.
    expect(driver.state.files[0]).toMatchObject({ fixes: 0, diagnostics: 0, stage: 'approved' });
    expect(driver.state.phase).toBe('COMPLETED');
  });

  it('lets a file through to review after the most rounds, with the errors in the reviewer\'s note', () => {
    const respond: Responder = (work) => (work.kind === 'check' ? errors(work.file ?? '') : defaultResult(work));
    const driver = playRun({ config: gated(), respond });
    const onFile1 = driver.effectsOf('dispatch').filter((effect) => effect.work.file === 'src/file1.ts');
    expect(onFile1.map((effect) => effect.work.kind)).toEqual(['implement', 'check', 'fix', 'check', 'fix', 'check', 'review-code']);
    expect(onFile1.at(-1)!.work.note).toContain('still reports 1 error after 2 rounds');
    expect(driver.state.phase).toBe('COMPLETED');
  });

  it('shows the file as checking while the gate runs', () => {
    const driver = new Driver();
    driver.start(gated());
    driver.done(driver.work('plan'));
    driver.decide('approve_plan');
    driver.done(driver.work('structure'));
    driver.done(driver.work('implement', 'src/file1.ts'));
    expect(driver.state.files[0]!.stage).toBe('checking');
    expect(driver.state.phase).toBe('CODE_IMPLEMENTATION');
  });
});

describe('workflow definitions: milestone tests', () => {
  const files = ['lib/a.ts', 'lib/b.ts', 'app/c.ts', 'app/d.ts'];
  const respondWith = (fail?: (work: WorkItem) => WorkResult | undefined): Responder => (work) => fail?.(work) ?? defaultResult(work, files);

  it('tests every two approved files on the files approved so far, and once more at the end', () => {
    const driver = playRun({ config: configWith(rulesFor([], { tests: { when: 'every-files', files: 2 } })), respond: respondWith() });
    const tests = driver.effectsOf('dispatch').filter((effect) => effect.work.kind === 'test');
    expect(tests.length).toBeGreaterThanOrEqual(2);
    expect(tests[0]!.work.files).toHaveLength(2);
    expect(tests.at(-1)!.work.files).toBeUndefined();
    expect(driver.state.phase).toBe('COMPLETED');
  });

  it('tests a folder once all its files are approved', () => {
    const driver = playRun({ config: configWith(rulesFor([], { tests: { when: 'each-folder' } })), respond: respondWith() });
    const milestones = driver.effectsOf('dispatch').filter((effect) => effect.work.kind === 'test' && effect.work.files);
    expect(milestones.length).toBeGreaterThanOrEqual(1);
    for (const milestone of milestones) {
      const folders = new Set(milestone.work.files!.map((file) => file.split('/')[0]));
      expect(folders.size).toBe(1);
    }
    expect(driver.state.phase).toBe('COMPLETED');
  });

  it('sends a file a milestone test fails on back to its coder without stopping the board', () => {
    let failed = false;
    const driver = playRun({
      config: configWith(rulesFor([], { tests: { when: 'every-files', files: 1 } })),
      respond: respondWith((work) => {
        if (work.kind !== 'test' || !work.files?.includes('lib/a.ts') || failed) return undefined;
        failed = true;
        return aResult().withArtifacts(`report@${work.id}`).withFailures({ file: 'lib/a.ts', message: 'expected 2, got 3' }).build();
      }),
    });
    const fix = driver.effectsOf('dispatch').find((effect) => effect.work.kind === 'fix' && effect.work.file === 'lib/a.ts');
    expect(fix?.work.note).toContain('expected 2, got 3');
    expect(driver.state.files.find((file) => file.path === 'lib/a.ts')).toMatchObject({ stage: 'approved', fixes: 1 });
    expect(driver.state.phase).toBe('COMPLETED');
  });
});

describe('workflow definitions: a phase that is off', () => {
  it('is off with the custom steps that join it: no DOCUMENTATION state even with a Changelog Writer', () => {
    const changelog = customRole('changelog-writer', { step: 'DOCUMENTATION', writes: ['CHANGELOG.md'] });
    const driver = playRun({ config: configWith(rulesFor([changelog], { documentation: false }), { 'changelog-writer': 1 }) });
    expect(driver.phases).not.toContain('DOCUMENTATION');
    expect(driver.effectsOf('dispatch').some((effect) => effect.work.kind === 'step')).toBe(false);
    expect(driver.state.phase).toBe('COMPLETED');
  });

  it('still runs a joining step when only the phase\'s own role is missing from the team', () => {
    const changelog = customRole('changelog-writer', { step: 'DOCUMENTATION' });
    const driver = playRun({ config: configWith(rulesFor([changelog]), { 'documentation-writer': 0, 'changelog-writer': 1 }) });
    expect(driver.effectsOf('dispatch').filter((effect) => effect.work.kind === 'step').map((effect) => effect.work.role)).toEqual(['changelog-writer']);
    expect(driver.effectsOf('dispatch').some((effect) => effect.work.kind === 'document')).toBe(false);
    expect(driver.state.phase).toBe('COMPLETED');
  });
});
