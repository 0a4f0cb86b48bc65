import { describe, expect, it } from 'vitest';
import { DEBUGGER_TEST_COMMANDS, grantPattern, permissionRulesFor } from '../../../extension/kilo/permissionRules';
import type { PermissionRule } from '../../../extension/kilo/permissionRules';
import { thrown } from '../support/errors';

/** Kilo's own matcher (7.7.7): only * and ? are wildcards; a trailing " *" also matches nothing. */
function kiloMatches(value: string, pattern: string): boolean {
  let source = pattern.replaceAll('\\', '/').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  if (source.endsWith(' .*')) source = `${source.slice(0, -3)}( .*)?`;
  return new RegExp(`^${source}$`, 's').test(value.replaceAll('\\', '/'));
}

/** The action Kilo takes: the last matching rule wins; no rule means the agent's default. */
function decide(rules: PermissionRule[], permission: string, value: string): string | undefined {
  return rules.filter((rule) => rule.permission === permission && kiloMatches(value, rule.pattern)).at(-1)?.action;
}

describe('permissionRulesFor', () => {
  it('denies every edit first and then allows each granted file, so only grants are writable', () => {
    const rules = permissionRulesFor('secondary-coder', ['src/a.ts', './src/b.ts']);
    const edits = rules.filter((rule) => rule.permission === 'edit');
    expect(edits).toEqual([
      { permission: 'edit', pattern: '*', action: 'deny' },
      { permission: 'edit', pattern: 'src/a.ts', action: 'allow' },
      { permission: 'edit', pattern: 'src/b.ts', action: 'allow' },
    ]);
    expect(decide(rules, 'edit', 'src/a.ts')).toBe('allow');
    expect(decide(rules, 'edit', 'src/b.ts')).toBe('allow');
    expect(decide(rules, 'edit', 'src/c.ts')).toBe('deny');
    expect(decide(rules, 'edit', 'src/a.ts.bak')).toBe('deny');
  });

  it('ends the edit rules with a blanket deny for a read-only role, so Kilo offers no write tools', () => {
    const rules = permissionRulesFor('code-sceptic', []);
    expect(rules.filter((rule) => rule.permission === 'edit')).toEqual([{ permission: 'edit', pattern: '*', action: 'deny' }]);
    expect(decide(rules, 'edit', 'anything.ts')).toBe('deny');
  });

  it('denies leaving the workspace, questions, web access and sub-agents for every role', () => {
    const rules = permissionRulesFor('architect', ['plan.md']);
    expect(decide(rules, 'external_directory', '/etc/*')).toBe('deny');
    expect(decide(rules, 'question', '*')).toBe('deny');
    expect(decide(rules, 'webfetch', 'https://example.com')).toBe('deny');
    expect(decide(rules, 'task', 'general')).toBe('deny');
    expect(decide(rules, 'bash', 'npm test')).toBe('deny');
  });

  it('lets only the debugger run the test commands, and nothing else on the shell', () => {
    const rules = permissionRulesFor('debugger', []);
    for (const command of ['npm test', 'npm test -- --run', 'node --test test/a.test.js', 'npx vitest run']) {
      expect(decide(rules, 'bash', command)).toBe('allow');
    }
    for (const command of ['rm -rf /', 'npm install left-pad', 'npm testing', 'curl example.com']) {
      expect(decide(rules, 'bash', command)).toBe('deny');
    }
    expect(rules.filter((rule) => rule.permission === 'bash').map((rule) => rule.pattern)).toEqual(['*', ...DEBUGGER_TEST_COMMANDS]);
    expect(decide(permissionRulesFor('primary-coder', []), 'bash', 'npm test')).toBe('deny');
  });

  it('refuses a granted path with a wildcard character, which Kilo cannot match literally', () => {
    expect(thrown(() => permissionRulesFor('primary-coder', ['src/*.ts'])).reason).toBe('unsafe-path');
    expect(thrown(() => grantPattern('src/what?.ts')).reason).toBe('unsafe-path');
  });

  it('keeps characters that are literal for Kilo, such as brackets and braces', () => {
    const rules = permissionRulesFor('primary-coder', ['app/[id]/page.tsx', 'src/{a}.ts']);
    expect(decide(rules, 'edit', 'app/[id]/page.tsx')).toBe('allow');
    expect(decide(rules, 'edit', 'app/i/page.tsx')).toBe('deny');
    expect(decide(rules, 'edit', 'src/{a}.ts')).toBe('allow');
  });

  it('refuses absolute paths and escapes from the workspace', () => {
    expect(thrown(() => grantPattern('/etc/passwd')).reason).toBe('unsafe-path');
    expect(thrown(() => grantPattern('../outside.ts')).reason).toBe('unsafe-path');
  });
});
