import { describe, expect, it } from 'vitest';
import { DISABLED_TOOLS, READ_TOOLS, grantPattern, permissionRulesFor } from '../../../extension/kilo/permissionRules';
import type { PermissionRule } from '../../../extension/kilo/permissionRules';
import { thrown } from '../support/errors';

/** Kilo's own matcher (7.7.7): only * and ? are wildcards; a trailing " *" also matches nothing. */
function kiloMatches(value: string, pattern: string): boolean {
  let source = pattern.replaceAll('\\', '/').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  if (source.endsWith(' .*')) source = `${source.slice(0, -3)}( .*)?`;
  return new RegExp(`^${source}$`, 's').test(value.replaceAll('\\', '/'));
}

/** The action Kilo takes: the last rule whose permission and pattern match wins; no rule means the agent's default. */
function decide(rules: PermissionRule[], permission: string, value: string): string | undefined {
  return rules.filter((rule) => kiloMatches(permission, rule.permission) && kiloMatches(value, rule.pattern)).at(-1)?.action;
}

/** Kilo 7.7.7 offers a tool unless the last rule for its permission with pattern `*` is a deny. */
function offered(rules: PermissionRule[], tool: string): boolean {
  const permission = ['write', 'edit', 'patch', 'multiedit'].includes(tool) ? 'edit' : tool;
  const last = rules.filter((rule) => kiloMatches(permission, rule.permission)).at(-1);
  return !(last?.pattern === '*' && last.action === 'deny');
}

const TEST_COMMAND = [{ command: 'npm test', withArguments: false }];

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

  it('denies the shell to a role with no allowed commands, so Kilo does not even offer bash', () => {
    const rules = permissionRulesFor('debugger', []);
    expect(decide(rules, 'bash', 'npm test')).toBe('deny');
    expect(offered(rules, 'bash')).toBe(false);
  });

  it('asks about every shell command of a role with allowed commands, so each one is checked whole by the backend', () => {
    const rules = permissionRulesFor('debugger', [], TEST_COMMAND);
    expect(rules.filter((rule) => rule.permission === 'bash')).toEqual([{ permission: 'bash', pattern: '*', action: 'ask' }]);
    for (const command of ['npm test', 'npm test --prefix /x', 'rm -rf /']) expect(decide(rules, 'bash', command)).toBe('ask');
    expect(offered(rules, 'bash')).toBe(true);
  });

  it('offers only the read tools and StructuredOutput by default, and no background-process or other tool', () => {
    const rules = permissionRulesFor('code-sceptic', []);
    for (const tool of READ_TOOLS) expect(offered(rules, tool), tool).toBe(true);
    for (const tool of [...DISABLED_TOOLS, 'bash', 'write', 'edit', 'patch', 'multiedit', 'batch', 'lsp', 'a_tool_of_a_later_kilo']) expect(offered(rules, tool), tool).toBe(false);
    expect(rules[0]).toEqual({ permission: '*', pattern: '*', action: 'deny' });
  });

  it("keeps the workspace's .env files unreadable, as Kilo's defaults would ask for them", () => {
    const rules = permissionRulesFor('architect', []);
    expect(decide(rules, 'read', 'src/a.ts')).toBe('allow');
    expect(decide(rules, 'read', '.env')).toBe('deny');
    expect(decide(rules, 'read', 'config/.env.local')).toBe('deny');
    expect(decide(rules, 'read', '.env.example')).toBe('allow');
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
