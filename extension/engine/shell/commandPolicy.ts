import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * Which shell commands agents may run. Commands are the user's, never the model's: the test command
 * comes from the project (its package.json `test` script means exactly `npm test`) or from the user,
 * and any other command must match a pattern the user allowed. A model's command string is compared
 * whole; nothing it adds (flags, paths, `&&`, redirections) can widen what runs.
 */
export const CommandTextSchema = z
  .string()
  .min(1)
  .max(500)
  .refine((text) => !/[\r\n\0]/.test(text) && text.trim() === text, 'A command is one line with no leading or trailing spaces.');

/** The command settings of a roles file (or the extension's settings). */
export const CommandSettingsSchema = z.object({
  /** The one command the Debugger runs, exactly as written; default `npm test` when package.json has a test script. */
  testCommand: CommandTextSchema.optional(),
  /** Commands any role may run: exact, or ending in ` *` for plain extra arguments (see `checkCommand`). */
  allowedCommands: z.array(CommandTextSchema).max(50).optional(),
});
export type CommandSettings = z.infer<typeof CommandSettingsSchema>;

/** What a run allows, resolved once at its start. */
export interface CommandPolicy {
  /** Undefined: the project has no test command, so the Debugger gets no shell at all. */
  testCommand: string | undefined;
  allowedCommands: readonly string[];
  /**
   * When the test command is `npm test`: the package.json scripts it runs (`pretest`, `test`,
   * `posttest`) as they were at run start. A coder granted package.json must not change what runs.
   */
  testScripts?: NpmTestScripts;
}

/** The scripts `npm test` runs, by name; a missing one is absent. */
export type NpmTestScripts = Partial<Record<(typeof NPM_TEST_SCRIPTS)[number], string>>;
const NPM_TEST_SCRIPTS = ['pretest', 'test', 'posttest'] as const;
/** How much of a changed script the refusal quotes. */
const MAX_SCRIPT_IN_REASON = 120;

/** One allowed command: `command` itself, or (withArguments) followed by plain arguments. */
export interface CommandRule {
  command: string;
  withArguments: boolean;
  /** For `npm test`: the scripts it ran at run start; the command is refused once package.json differs. */
  scripts?: NpmTestScripts;
}

/** The role that runs the test command. */
export const TEST_RUNNER_ROLE = 'debugger';

/** The user's test command, else `npm test` when the workspace's package.json has `scripts.test`. */
export function resolveCommandPolicy(workspace: string, settings: CommandSettings = {}): CommandPolicy {
  const scripts = readTestScripts(workspace);
  const testCommand = settings.testCommand ?? (scripts?.test?.trim() ? 'npm test' : undefined);
  // `npm test` runs whatever package.json says, so what it says now is part of the policy.
  return { testCommand, allowedCommands: settings.allowedCommands ?? [], ...(testCommand === 'npm test' ? { testScripts: scripts ?? {} } : {}) };
}

/** package.json's `pretest`/`test`/`posttest` scripts; undefined when there is no readable package.json. */
function readTestScripts(workspace: string): NpmTestScripts | undefined {
  let manifest: unknown;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(workspace, 'package.json'), 'utf8'));
  } catch {
    // No package.json, or one that does not parse: the project names no test command.
    return undefined;
  }
  const scripts = (manifest as { scripts?: unknown } | null)?.scripts;
  const found: NpmTestScripts = {};
  for (const name of NPM_TEST_SCRIPTS) {
    const text = typeof scripts === 'object' && scripts !== null ? (scripts as Record<string, unknown>)[name] : undefined;
    if (typeof text === 'string') found[name] = text;
  }
  return found;
}

/** Why `npm test` may not run now: a script it runs differs from run start (was X, now Y). */
export function testScriptChange(workspace: string, before: NpmTestScripts): string | undefined {
  const now = readTestScripts(workspace) ?? {};
  for (const name of NPM_TEST_SCRIPTS) {
    if (now[name] === before[name]) continue;
    return `The ${name} script in package.json changed during the run: was ${quoteScript(before[name])}, now ${quoteScript(now[name])}.`;
  }
  return undefined;
}

function quoteScript(text: string | undefined): string {
  if (text === undefined) return 'none';
  return JSON.stringify(text.length > MAX_SCRIPT_IN_REASON ? `${text.slice(0, MAX_SCRIPT_IN_REASON)}…` : text);
}

/** The commands one role may run: the test command (Debugger only, exact) and the user's patterns. */
export function commandRulesFor(roleId: string, policy: CommandPolicy): CommandRule[] {
  const rules: CommandRule[] = [];
  if (roleId === TEST_RUNNER_ROLE && policy.testCommand !== undefined) {
    rules.push({ command: policy.testCommand, withArguments: false, ...(policy.testScripts ? { scripts: policy.testScripts } : {}) });
  }
  for (const pattern of policy.allowedCommands) {
    rules.push(pattern.endsWith(' *') ? { command: pattern.slice(0, -2), withArguments: true } : { command: pattern, withArguments: false });
  }
  return rules;
}

/** `changed`: the command is allowed, but what it runs changed during the run (a finding of its own). */
export type CommandVerdict = { allowed: true } | { allowed: false; reason: string; changed?: true };

/** One plain argument: letters, digits and `_ . , : = @ % + / -`; no quotes, spaces or shell syntax. */
const PLAIN_ARGUMENT = /^[A-Za-z0-9_.,:=@%+/-]+$/;
/** Flags that load code, change the project a tool works on, or evaluate text (`--x=v` forms too). */
const FORBIDDEN_FLAGS = new Set(['--prefix', '-C', '--import', '--require', '-r', '-e', '--eval', '-p', '--print', '--loader', '--experimental-loader', '--root', '--dir', '--cwd', '--config', '-c']);

/**
 * Whether `command`, run in `workdir` (Kilo's bash `workdir`, default the workspace), is allowed by
 * `rules`. A rule without arguments must equal the command character for character. A rule with
 * arguments also accepts the command followed by single-space separated plain arguments, none of
 * them a forbidden flag, a `data:` URL or a path that leaves the workspace.
 */
export function checkCommand(command: string, rules: readonly CommandRule[], workspace: string, workdir?: string): CommandVerdict {
  if (rules.length === 0) return { allowed: false, reason: 'No shell commands are allowed in this step.' };
  if (workdir !== undefined && workdir !== '' && !sameFolder(path.resolve(workspace, workdir), workspace)) {
    return { allowed: false, reason: `Commands run only in the workspace, not in ${workdir}.` };
  }
  let reason = `The command is not one of the allowed commands: ${describeRules(rules)}.`;
  for (const rule of rules) {
    if (command === rule.command) {
      const change = rule.scripts ? testScriptChange(workspace, rule.scripts) : undefined;
      return change === undefined ? { allowed: true } : { allowed: false, reason: change, changed: true };
    }
    if (!rule.withArguments || !command.startsWith(`${rule.command} `)) continue;
    const problem = argumentProblem(command.slice(rule.command.length + 1).split(' '), workspace);
    if (problem === undefined) return { allowed: true };
    reason = `${problem} Allowed: ${describeRules(rules)}.`;
  }
  return { allowed: false, reason };
}

function argumentProblem(args: string[], workspace: string): string | undefined {
  for (const arg of args) {
    if (!PLAIN_ARGUMENT.test(arg)) return `The argument ${JSON.stringify(arg)} is not a plain word (no spaces, quotes or shell syntax are allowed).`;
    const flag = arg.split('=', 1)[0]!;
    if (FORBIDDEN_FLAGS.has(flag)) return `The flag ${flag} is not allowed.`;
    if (/data:|:\//i.test(arg)) return `The argument ${JSON.stringify(arg)} is a URL, which is not allowed.`;
    const isFlag = arg.startsWith('-');
    // A flag carries a path only as `--flag=value`, so the value can be checked (`-o/tmp/x` cannot).
    if (isFlag && !arg.includes('=') && arg.includes('/')) return `The argument ${JSON.stringify(arg)} joins a flag and a path; write --flag=value.`;
    const value = isFlag ? arg.slice(arg.indexOf('=') + 1) : arg;
    if (leavesWorkspace(value, workspace)) return `The path ${value} is outside the workspace.`;
  }
  return undefined;
}

/** An absolute path outside the workspace, or a relative one whose `..` steps climb out of it. */
function leavesWorkspace(value: string, workspace: string): boolean {
  const looksLikePath = value.startsWith('/') || value.split('/').includes('..');
  if (!looksLikePath) return false;
  const root = path.resolve(workspace);
  const target = path.resolve(root, value);
  return target !== root && !target.startsWith(root + path.sep);
}

function sameFolder(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return real(a) === real(b);
}

/** The allowed commands as the model is told them: `npm test`, `npm run lint <plain arguments>`. */
export function describeRules(rules: readonly CommandRule[]): string {
  if (rules.length === 0) return 'none';
  return rules.map((rule) => `\`${rule.command}\`${rule.withArguments ? ' (plain arguments allowed)' : ''}`).join(', ');
}

/** For the run's opening line: which command runs the tests, or that none can. */
export function describeTestCommand(policy: CommandPolicy): string {
  return policy.testCommand === undefined ? 'no test command (the Debugger cannot run tests)' : `tests: ${policy.testCommand}`;
}

/** Why `roleId` cannot run tests under `policy`, or undefined when it can (or is not the test runner). */
export function testsNotRunReason(roleId: string, policy: CommandPolicy): string | undefined {
  if (roleId !== TEST_RUNNER_ROLE || policy.testCommand !== undefined) return undefined;
  return 'the project has no test command (no `test` script in package.json, and none set in the roles file or the settings)';
}

/** The line added to a work prompt so the model knows what it may run (or that it can run nothing). */
export function commandNote(roleId: string, rules: readonly CommandRule[]): string | undefined {
  if (rules.length > 0) return `Shell commands you may run, exactly as written and only in the workspace: ${describeRules(rules)}. Any other command is refused and reported.`;
  if (roleId === TEST_RUNNER_ROLE) {
    return 'This project has no test command (no `test` script in package.json and none set by the user), so you cannot run tests: say so in `summary`, report `tests` with 0 passed and 0 failed, and run no shell commands.';
  }
  return undefined;
}
