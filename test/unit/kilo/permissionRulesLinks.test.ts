import { describe, expect, it } from 'vitest';
import { permissionRulesFor, type PermissionRule } from '../../../extension/kilo/permissionRules';

// Kilo 7.7.7 asks `read` with two patterns, the path as named and its real path, both relative to
// the worktree, and refuses when any pattern is denied (the last matching rule decides each).

function kiloMatches(value: string, pattern: string): boolean {
  const source = pattern.replaceAll('\\', '/').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(value.replaceAll('\\', '/'));
}

function readRefused(rules: PermissionRule[], named: string, real: string): boolean {
  const action = (value: string) => rules.filter((rule) => kiloMatches('read', rule.permission) && kiloMatches(value, rule.pattern)).at(-1)?.action;
  return [named, real].some((value) => action(value) === 'deny');
}

describe('permission rules and symlinks', () => {
  it('refuses a read whose real path is outside the workspace, for every role', () => {
    for (const role of ['architect', 'secondary-coder', 'code-sceptic']) {
      const rules = permissionRulesFor(role, ['src/a.ts']);
      expect(readRefused(rules, 'src/fines.js', '../../tmp/outside.txt'), role).toBe(true);
      expect(readRefused(rules, 'lib/keep.js', '../outside/lib/keep.js'), role).toBe(true);
    }
  });

  it('still lets a role read the workspace, through a link that stays inside too', () => {
    const rules = permissionRulesFor('code-sceptic', []);
    expect(readRefused(rules, 'src/a.ts', 'src/a.ts')).toBe(false);
    expect(readRefused(rules, 'src/core/x.ts', 'packages/core/x.ts')).toBe(false);
    expect(readRefused(rules, '..hidden/x.ts', '..hidden/x.ts')).toBe(false);
  });
});
