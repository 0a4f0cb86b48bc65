import fs from 'node:fs/promises';
import { OrchestraError } from '../util/errors';
import { BUILTIN_ROLES } from './builtinRoles';
import { RolesConfigSchema, type Profile, type RoleDefinition, type RolesConfig } from './roleSchema';

/**
 * Reads a `--roles FILE`. Every problem (missing file, invalid JSON, a field the schema refuses)
 * becomes one `invalid-config` error whose message is `<file>: <first problem>`.
 */
export async function loadRolesConfigFile(file: string): Promise<RolesConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new OrchestraError('invalid-config', `${file}: ${readProblem(error)}`, { cause: error, hint: 'Pass the path of a roles JSON file that exists.' });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new OrchestraError('invalid-config', `${file}: invalid JSON, ${jsonProblem(error, text)}.`, { cause: error, hint: 'Fix the JSON syntax of the roles file.' });
  }
  return parseRolesConfig(raw, file);
}

/** Validates a roles configuration from any source (file, settings) with a one-line error. */
export function parseRolesConfig(raw: unknown, source: string): RolesConfig {
  const parsed = RolesConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
    // A bad record key hides its reason one level down.
    const inner = issue?.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
    throw new OrchestraError('invalid-config', `${source}: ${where}${inner ?? issue?.message ?? 'the configuration is invalid'}`, { hint: 'Correct the roles configuration and try again.' });
  }
  return parsed.data;
}

/**
 * A configuration for simulated runs: every built-in role active, each on its own simulated model
 * so reports show several models with different costs.
 */
export function simulatedRolesConfig(): RolesConfig {
  return everyRoleOnItsOwnProfile((role) => ({
    id: `sim-${role.id}`,
    label: `Simulated ${role.name}`,
    providerID: 'simulated',
    modelID: `sim-${role.id}`,
    ...(SIMULATED_PRICES[role.id] ? { cost: SIMULATED_PRICES[role.id] } : {}),
  }));
}

/**
 * USD per million tokens (input/output) of the simulated models, shaped like strong planners and
 * reviewers with cheap coders, so reports, cost roll-ups and cost previews show real differences.
 */
const SIMULATED_PRICES: Record<string, { input: number; output: number }> = {
  organiser: { input: 3, output: 15 },
  architect: { input: 15, output: 75 },
  'primary-coder': { input: 0.27, output: 1.1 },
  'secondary-coder': { input: 0.4, output: 1.6 },
  'code-sceptic': { input: 5, output: 25 },
  'documentation-writer': { input: 1.25, output: 10 },
  debugger: { input: 1.1, output: 4.4 },
};

/** Every built-in role active, each assigned the profile `profileFor` gives it. */
export function everyRoleOnItsOwnProfile(profileFor: (role: RoleDefinition) => Profile): RolesConfig {
  const profiles = BUILTIN_ROLES.map(profileFor);
  return {
    profiles,
    roles: BUILTIN_ROLES.map((role) => ({ id: role.id, active: true })),
    assignments: Object.fromEntries(BUILTIN_ROLES.map((role, index) => [role.id, profiles[index]!.id])),
  };
}

function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'the roles file does not exist.';
  if (code === 'EISDIR') return 'this is a folder, not a roles file.';
  if (code === 'EACCES' || code === 'EPERM') return 'the roles file cannot be read (permission denied).';
  return `the roles file cannot be read (${error instanceof Error ? error.message : String(error)}).`;
}

/** Turns V8's "at position N" into a line and column a person can find. */
function jsonProblem(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0]!.replace(/\s*\(line \d+ column \d+\)$/, '');
  const position = /at position (\d+)/.exec(message);
  if (!position) return first.replace(/\.$/, '');
  const offset = Number(position[1]);
  const before = text.replace(/^\uFEFF/, '').slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${first.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}
