import fs from 'node:fs/promises';
import { OrchestraError } from '../util/errors';
import { nearest } from '../util/nearestName';
import { DiagnosticsGateSchema, RoleJoinSchema, WorkflowDefinitionSchema } from '../../protocol/workflowDefinition';
import { BUILTIN_ROLES } from './builtinRoles';
import { ProfileSchema, RoleOverrideSchema, RolesConfigSchema, type Profile, type RoleDefinition, type RolesConfig } from './roleSchema';

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

/**
 * Validates a roles configuration from any source (file, settings) with a one-line error. Strict:
 * an unknown key is refused with the nearest valid name, and a role or profile id given twice is
 * refused (the second entry would silently win or be dropped).
 */
export function parseRolesConfig(raw: unknown, source: string): RolesConfig {
  const parsed = RolesConfigSchema.safeParse(raw);
  if (!parsed.success) {
    // An unknown key is usually a typo, and then the "missing" field it meant is reported too: name the typo.
    const issue = parsed.error.issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${formatPath(issue.path)}` : '';
    if (issue?.code === 'unrecognized_keys') throw invalid(source, unknownKeyProblem(where, issue.keys, issue.path));
    // A bad record key hides its reason one level down.
    const inner = issue?.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
    throw invalid(source, `${where ? `${where}: ` : ''}${oneLine(inner ?? issue?.message ?? 'the configuration is invalid')}`);
  }
  const config = parsed.data;
  const twice = firstRepeat(config.roles.map((role) => role.id));
  if (twice) throw invalid(source, `roles[${twice.index}].id: "${twice.id}" is already defined at roles[${twice.first}]; put all changes to a role in one entry.`);
  const twiceProfile = firstRepeat(config.profiles.map((profile) => profile.id));
  if (twiceProfile) throw invalid(source, `profiles[${twiceProfile.index}].id: "${twiceProfile.id}" is already defined at profiles[${twiceProfile.first}]; give each profile its own id.`);
  return config;
}

function invalid(source: string, problem: string): OrchestraError {
  return new OrchestraError('invalid-config', `${source}: ${problem}`, { hint: 'Correct the roles configuration and try again.' });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** `roles[1].instance: unknown key; did you mean "instances"?` */
function unknownKeyProblem(where: string, keys: string[], path: ReadonlyArray<PropertyKey>): string {
  const key = keys[0] ?? '?';
  const known = knownKeysAt(path);
  const near = nearest(key, known);
  const shown = JSON.stringify(key.slice(0, 60));
  const at = where ? `${where}.${/^[A-Za-z_$][\w$]*$/.test(key) ? key : `[${shown}]`}` : /^[A-Za-z_$][\w$]*$/.test(key) ? key : `[${shown}]`;
  const advice = near ? `did you mean "${near}"?` : `the keys here are ${known.join(', ')}.`;
  return `${at}: unknown key; ${advice}`;
}

/** The keys the schema allows for the object at `path` (top level, a role, a profile, a cost). */
function knownKeysAt(path: ReadonlyArray<PropertyKey>): string[] {
  const [section, , field] = path;
  if (path.length === 0) return Object.keys(RolesConfigSchema.shape);
  if (section === 'roles' && field === 'joins') return Object.keys(RoleJoinSchema.shape);
  if (section === 'roles') return Object.keys(RoleOverrideSchema.shape);
  if (section === 'profiles' && field === 'cost') return ['input', 'output'];
  if (section === 'profiles') return Object.keys(ProfileSchema.shape);
  if (section === 'workflow' && path[1] === 'diagnostics') return Object.keys(DiagnosticsGateSchema.shape);
  if (section === 'workflow' && path[1] === 'tests') return ['when', 'files'];
  if (section === 'workflow') return Object.keys(WorkflowDefinitionSchema.shape);
  return [];
}

function firstRepeat(ids: string[]): { id: string; index: number; first: number } | undefined {
  const seen = new Map<string, number>();
  for (const [index, id] of ids.entries()) {
    const first = seen.get(id);
    if (first !== undefined) return { id, index, first };
    seen.set(id, index);
  }
  return undefined;
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
