import { describe, expect, it } from 'vitest';
import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import type { RoleDefinition } from '../../../extension/engine/roles/roleSchema';
import { workflowRules } from '../../../extension/engine/workflow/workflowRules';
import type { RoleJoin } from '../../../extension/protocol/workflowDefinition';
import { afterChoices, scheduleInWords, stepMembers, workflowOverlapInWords, workflowSequence, workflowSequenceInWords } from '../../../extension/protocol/workflowSequence';

/** A custom role as the tab holds it (a RoleCard fits the engine's RoleDefinition). */
function custom(id: string, name: string, joins?: RoleJoin, active = true): RoleDefinition {
  return {
    id,
    name,
    description: `The ${name}.`,
    category: 'custom',
    required: false,
    builtin: false,
    capabilities: [],
    inputArtifacts: [],
    outputArtifacts: [],
    prompt: `You are the ${name}.`,
    active,
    instances: 1,
    ...(joins ? { joins } : {}),
  };
}

const auditor = custom('security-auditor', 'Security Auditor', { step: 'CODE_REVIEW', after: 'code-sceptic' });
const perf = custom('perf-reviewer', 'Performance Reviewer', { step: 'CODE_REVIEW', after: 'security-auditor', files: 'src/**' });
const changelog = custom('changelog-writer', 'Changelog Writer', { step: 'DOCUMENTATION', writes: ['CHANGELOG.md'] });
const releaseCheck = custom('release-checker', 'Release Checker', { step: 'TESTING' });

describe('workflowSequence: the workflow in words', () => {
  it('describes the built-in workflow', () => {
    expect(workflowSequenceInWords(BUILTIN_ROLES, undefined)).toBe(
      'Plan → Plan review (up to 3 revisions) → File structure → Code → Diagnostics check (up to 2 rounds) → Code review by Code Sceptic (up to 3 fix rounds) → Documentation by Documentation Writer → Tests at the end, beside the documentation (up to 2 fix cycles) → Done',
    );
  });

  it('says that each file takes the steps on its own, naming only the steps that run', () => {
    expect(workflowOverlapInWords(BUILTIN_ROLES, undefined)).toBe(
      'Each file takes these steps on its own, so they overlap: a file is coded as soon as its scaffold batch is in, and reviewed, then documented while the others are still being coded.',
    );
    expect(workflowOverlapInWords(BUILTIN_ROLES, { documentation: false })).toMatch(/is in, and reviewed while the others/);
    const noSceptic = BUILTIN_ROLES.map((role) => (role.id === 'code-sceptic' ? { ...role, active: false } : role));
    expect(workflowOverlapInWords(noSceptic, { documentation: false })).toMatch(/scaffold batch is in\.$/);
    expect(workflowOverlapInWords([...noSceptic, auditor], { documentation: false })).toMatch(/and reviewed while/);
  });

  it('names a second reviewer after the Code Sceptic and leaves out documentation that is off (the issue’s roles file)', () => {
    const steps = workflowSequence([...BUILTIN_ROLES, auditor], { documentation: false });
    expect(steps).toContain('Code review by Code Sceptic, then Security Auditor (up to 3 fix rounds)');
    expect(steps.some((step) => step.startsWith('Documentation'))).toBe(false);
    expect(steps.at(-2)).toBe('Tests at the end (up to 2 fix cycles)');
  });

  it('orders chained reviewers with their file patterns, phase steps after the phase’s own role, and the test schedule', () => {
    const steps = workflowSequence([...BUILTIN_ROLES, perf, auditor, changelog, releaseCheck], { tests: { when: 'every-files', files: 5 }, maxFixRounds: 1, diagnostics: { enabled: false } });
    expect(steps).toEqual([
      'Plan',
      'Plan review (up to 3 revisions)',
      'File structure',
      'Code',
      'Code review by Code Sceptic, then Security Auditor, then Performance Reviewer (src/**) (up to 1 fix round)',
      'Documentation by Documentation Writer, then Changelog Writer',
      'Tests every 5 approved files and at the end (up to 2 fix cycles), then Release Checker',
      'Done',
    ]);
  });

  it('leaves out a phase that is off with the custom steps that join it, and roles that are off or follow one that is', () => {
    const offAuditor = { ...auditor, active: false };
    const steps = workflowSequence([...BUILTIN_ROLES, offAuditor, perf, changelog], { documentation: false, testing: false, maxPlanRevisions: 0 });
    expect(steps).toContain('Plan review (no revisions)');
    expect(steps).toContain('Code review by Code Sceptic (up to 3 fix rounds)');
    expect(steps.some((step) => step.startsWith('Documentation'))).toBe(false);
    expect(steps.some((step) => step.startsWith('Tests'))).toBe(false);
  });

  it('keeps a phase step when the phase is on but its own role is not in the team', () => {
    const noWriter = BUILTIN_ROLES.map((role) => (role.id === 'documentation-writer' ? { ...role, active: false } : role));
    expect(workflowSequence([...noWriter, changelog], undefined)).toContain('Documentation by Changelog Writer');
  });

  it('says when milestone tests run', () => {
    expect(scheduleInWords({ when: 'end' })).toBe('at the end');
    expect(scheduleInWords({ when: 'every-files', files: 1 })).toBe('every 1 approved file and at the end');
    expect(scheduleInWords({ when: 'each-folder' })).toBe('after each folder and at the end');
  });
});

describe('stepMembers: the order the engine runs a step in', () => {
  const cases: Array<{ name: string; roles: RoleDefinition[] }> = [
    { name: 'none joining', roles: [] },
    { name: 'a chain of reviewers given out of order', roles: [perf, auditor] },
    { name: 'two after the Code Sceptic, in the roles’ order', roles: [custom('b-review', 'B', { step: 'CODE_REVIEW' }), custom('a-review', 'A', { step: 'CODE_REVIEW', after: 'code-sceptic' })] },
    { name: 'a follower of a role that is off', roles: [{ ...auditor, active: false }, perf] },
    { name: 'phase steps', roles: [changelog, releaseCheck, custom('notes', 'Notes', { step: 'DOCUMENTATION', after: 'changelog-writer', files: 'docs/**' })] },
  ];

  it.each(cases)('matches the engine’s rules: $name', ({ roles }) => {
    const all = [...BUILTIN_ROLES, ...roles];
    const rules = workflowRules(all, undefined, false);
    expect(stepMembers(all, 'CODE_REVIEW')).toEqual(rules.reviewers.map(({ role, files }) => ({ id: role, ...(files !== undefined ? { files } : {}) })));
    for (const phase of ['DOCUMENTATION', 'TESTING'] as const) {
      const fromRules = rules.phaseSteps.filter((step) => step.phase === phase).map((step) => step.role);
      expect(stepMembers(all, phase).slice(1).map((member) => member.id)).toEqual(fromRules);
    }
  });
});

describe('afterChoices: whom a role may follow', () => {
  it('offers the step’s own role and the other roles joining it, never the role itself or those that follow it', () => {
    const roles = [...BUILTIN_ROLES, auditor, perf, custom('third', 'Third', { step: 'CODE_REVIEW', after: 'perf-reviewer' }), changelog];
    expect(afterChoices(roles, 'CODE_REVIEW', 'security-auditor')).toEqual(['code-sceptic']);
    expect(afterChoices(roles, 'CODE_REVIEW', 'third')).toEqual(['code-sceptic', 'security-auditor', 'perf-reviewer']);
    expect(afterChoices(roles, 'DOCUMENTATION', 'new-role')).toEqual(['documentation-writer', 'changelog-writer']);
  });
});
