import { describe, expect, it } from 'vitest';
import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import { PHASES } from '../../../extension/engine/workflow/workflowTypes';
import { BUILT_IN_ROLE_NAMES, agentDisplayName, agentIdDisplayName, decisionInWords, durationInWords, phaseInWords, sinceStartInWords } from '../../../extension/protocol/vocabulary';

describe('agent display names', () => {
  it('knows the built-in roles by the names the engine gives them', () => {
    expect(BUILT_IN_ROLE_NAMES).toEqual(Object.fromEntries(BUILTIN_ROLES.map((role) => [role.id, role.name])));
  });

  it('names each built-in role instance once, the coders numbered', () => {
    const names = [
      ['organiser', 1],
      ['architect', 1],
      ['primary-coder', 1],
      ['secondary-coder', 1],
      ['secondary-coder', 2],
      ['code-sceptic', 1],
      ['documentation-writer', 1],
      ['debugger', 1],
    ].map(([role, instance]) => agentDisplayName(role as string, instance as number, BUILTIN_ROLES));
    expect(names).toEqual(['Organiser', 'Architect', 'Primary Coder', 'Coder 1', 'Coder 2', 'Code Sceptic', 'Documentation Writer', 'Debugger']);
  });

  it('gives the same name with or without the roles configuration at hand', () => {
    for (const role of BUILTIN_ROLES) {
      expect(agentDisplayName(role.id, 1)).toBe(agentDisplayName(role.id, 1, BUILTIN_ROLES));
    }
  });

  it('uses a name the user gave a role, numbered when the role runs several instances', () => {
    const roles = [
      { id: 'secondary-coder', name: 'Implementer' },
      { id: 'security-auditor', name: 'Security Auditor', instances: 2 },
      { id: 'architect', name: '  ' },
    ];
    expect(agentDisplayName('secondary-coder', 3, roles)).toBe('Implementer 3');
    expect(agentDisplayName('security-auditor', 1, roles)).toBe('Security Auditor 1');
    expect(agentDisplayName('architect', 1, roles)).toBe('Architect');
    expect(agentDisplayName('data-wrangler', 1)).toBe('Data Wrangler');
    expect(agentDisplayName('data-wrangler', 2)).toBe('Data Wrangler 2');
  });

  it('reads agent ids and the two other parties of a conversation', () => {
    expect(['secondary-coder-2', 'primary-coder-1', 'organiser-1', 'organiser', 'user', 'odd'].map((id) => agentIdDisplayName(id))).toEqual([
      'Coder 2',
      'Primary Coder',
      'Organiser',
      'Organiser',
      'You',
      'Odd',
    ]);
  });
});

describe('phases in words', () => {
  it('puts every phase the engine knows in words, none of them raw', () => {
    for (const phase of PHASES) {
      const words = phaseInWords(phase);
      expect(words).not.toMatch(/_|^[A-Z ]+$/);
      expect(words.length).toBeGreaterThan(3);
    }
    expect(phaseInWords('PLAN_REVIEW')).toBe('Reviewing the plan');
    expect(phaseInWords('CODE_IMPLEMENTATION')).toBe('Writing the code');
  });

  it('gives every phase its own words', () => {
    expect(new Set(PHASES.map(phaseInWords)).size).toBe(PHASES.length);
  });

  it('puts a phase it does not know in sentence case', () => {
    expect(phaseInWords('SECURITY_AUDIT')).toBe('Security audit');
  });
});

describe('times as durations', () => {
  it('says how long, from seconds to hours', () => {
    expect([0, 850, 42_000, 80_000, 185_000, 3_725_000].map(durationInWords)).toEqual(['0s', '0s', '42s', '1m 20s', '3m 05s', '1h 02m']);
  });

  it('marks time since the start with a plus', () => {
    expect([0, 80_000].map(sinceStartInWords)).toEqual(['+0s', '+1m 20s']);
  });
});

describe('decisionInWords', () => {
  it('spells out the point and the action, with the file when there is one', () => {
    expect(decisionInWords('plan-ready', 'request_plan_review')).toBe('Plan ready: request plan review');
    expect(decisionInWords('code-review', 'approve_file', 'src/a.js')).toBe('Code review (src/a.js): approve file');
  });
});
