import type { CommandRule } from '../engine/shell/commandPolicy';
import { OrchestraError } from '../engine/util/errors';
import { toWorkspaceRelative } from '../engine/util/paths';

/** One rule of a Kilo session's permission ruleset. Kilo applies the LAST rule that matches. */
export interface PermissionRule {
  permission: string;
  pattern: string;
  action: 'allow' | 'deny' | 'ask';
}

/**
 * The tools every role may use besides its grants. Kilo 7.7.7 offers a tool only when the last rule
 * for its permission with pattern `*` is not a deny, so after the blanket `* * deny` these are the
 * only tools a model sees (plus `edit`/`write` for grants and `bash` for allowed commands). Anything
 * else Kilo offers (background_process, task, todowrite, schedule_wakeup, board_post, skill,
 * kilo_local_recall, webfetch …, and tools of later versions) stays off by construction.
 */
export const READ_TOOLS = ['read', 'glob', 'grep', 'list', 'StructuredOutput'] as const;

/**
 * The ruleset that confines one piece of work: the agent may read the workspace (not its `.env`
 * files), write only `grants` (workspace-relative), and run a shell command only when `commands`
 * allow one. Then every bash call is an `ask`, answered by the session backend after comparing the
 * whole command with `commands` (Kilo's own matching would let a workdir elsewhere in the workspace
 * through). With no commands `bash` ends in a blanket deny and Kilo does not offer the tool.
 *
 * Every permission starts with a blanket deny so that a ruleset appended after an older one fully
 * overrides it. With no grants the last `edit` rule is the blanket deny, and Kilo then drops `write`
 * and `edit` from the tools it offers: the read-only roles never see them. The role's shell powers
 * arrive resolved in `commands` (commandRulesFor), so the role id itself no longer changes the rules.
 */
export function permissionRulesFor(_roleId: string, grants: readonly string[], commands: readonly CommandRule[] = []): PermissionRule[] {
  const rules: PermissionRule[] = [{ permission: '*', pattern: '*', action: 'deny' }];
  for (const permission of READ_TOOLS) rules.push({ permission, pattern: '*', action: 'allow' });
  // Kilo's own defaults ask before reading secrets; an ask would be refused anyway, so deny it.
  rules.push({ permission: 'read', pattern: '*.env', action: 'deny' }, { permission: 'read', pattern: '*.env.*', action: 'deny' }, { permission: 'read', pattern: '*.env.example', action: 'allow' });
  // Kilo 7.7.7 checks a read's real path too (external_directory, and a `read` pattern relative to the
  // worktree); this keeps a read through a link out refused even where external_directory were relaxed.
  // Its edit tools match the named path only: grants are resolved on disk before they get here.
  rules.push({ permission: 'read', pattern: '../*', action: 'deny' });
  rules.push({ permission: 'edit', pattern: '*', action: 'deny' });
  for (const grant of new Set(grants.map(grantPattern))) rules.push({ permission: 'edit', pattern: grant, action: 'allow' });
  rules.push({ permission: 'external_directory', pattern: '*', action: 'deny' });
  rules.push({ permission: 'bash', pattern: '*', action: commands.length > 0 ? 'ask' : 'deny' });
  return rules;
}

/**
 * Tools switched off in each role's Kilo agent as well (kiloConfig), so they stay off even where a
 * session ruleset were ignored: the ones that start processes or later turns, spawn sub-agents, or
 * reach outside the workspace.
 */
export const DISABLED_TOOLS = [
  'background_process',
  'notebook_execute',
  'schedule_wakeup',
  'cancel_wakeup',
  'task',
  'board_post',
  'board_read',
  'kilo_local_recall',
  'agent_manager',
  'repo_clone',
  'webfetch',
  'websearch',
  'codesearch',
  'semantic_search',
  'todowrite',
  'skill',
  'question',
] as const;

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
