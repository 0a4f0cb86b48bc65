import { OrchestraError } from '../engine/util/errors';
import { toWorkspaceRelative } from '../engine/util/paths';

/** One rule of a Kilo session's permission ruleset. Kilo applies the LAST rule that matches. */
export interface PermissionRule {
  permission: string;
  pattern: string;
  action: 'allow' | 'deny' | 'ask';
}

/** Commands the Debugger may run; each ends in ` *`, which Kilo also matches without arguments. */
export const DEBUGGER_TEST_COMMANDS = ['npm test *', 'node --test *', 'npx vitest *'] as const;

/** The role that runs tests and therefore gets a narrow `bash` allowance. */
const TEST_RUNNER_ROLE = 'debugger';

/**
 * The ruleset that confines one piece of work: the agent may write only `grants` (workspace-relative)
 * and may not leave the workspace, ask questions, fetch the web or spawn sub-agents. Every permission
 * starts with a blanket deny so that a ruleset appended after an older one fully overrides it.
 *
 * With no grants the last `edit` rule is the blanket deny, and Kilo then drops `write` and `edit`
 * from the tools it offers: the read-only roles never see them.
 */
export function permissionRulesFor(roleId: string, grants: readonly string[]): PermissionRule[] {
  const rules: PermissionRule[] = [{ permission: 'edit', pattern: '*', action: 'deny' }];
  for (const grant of new Set(grants.map(grantPattern))) rules.push({ permission: 'edit', pattern: grant, action: 'allow' });
  rules.push({ permission: 'external_directory', pattern: '*', action: 'deny' });
  rules.push({ permission: 'bash', pattern: '*', action: 'deny' });
  if (roleId === TEST_RUNNER_ROLE) {
    for (const command of DEBUGGER_TEST_COMMANDS) rules.push({ permission: 'bash', pattern: command, action: 'allow' });
  }
  for (const permission of ['question', 'webfetch', 'websearch', 'task']) rules.push({ permission, pattern: '*', action: 'deny' });
  return rules;
}

/**
 * The `edit` pattern for one granted file. Kilo's patterns know only `*` and `?` as wildcards and
 * have no escape for them, so a path containing either would grant more than itself: it is refused.
 */
export function grantPattern(grant: string): string {
  const relative = toWorkspaceRelative(grant);
  if (/[*?]/.test(relative)) {
    throw new OrchestraError('unsafe-path', `The granted path ${JSON.stringify(grant)} contains a wildcard character (* or ?), which Kilo cannot match literally.`);
  }
  return relative;
}
