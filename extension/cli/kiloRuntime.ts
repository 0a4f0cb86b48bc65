import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentBackend } from '../engine/backends/agentBackend';
import { everyRoleOnItsOwnProfile, loadRolesConfigFile } from '../engine/roles/rolesConfigFile';
import type { Profile, RolesConfig } from '../engine/roles/roleSchema';
import { resolveRoles, type RoleResolution } from '../engine/roles/roleValidation';
import { modelName } from '../engine/roles/kiloDefault';
import { describeBinarySource, locateKiloBinary } from '../kilo/kiloBinary';
import { buildKiloConfig } from '../kilo/kiloConfig';
import { KiloServer, privateHomeEnv } from '../kilo/kiloServer';
import { startKiloTeamServer } from '../kilo/kiloTeamServer';
import { readUserDefaultModel } from '../kilo/kiloUserModel';
import { resolveKiloDefault } from './kiloDefaultRoles';
import type { ReattachSummary, SavedSession } from '../kilo/kiloSessionReattach';
import { describeTestCommand, resolveCommandPolicy } from '../engine/shell/commandPolicy';
import { orchestraScript } from '../scriptedModel/orchestraScript';
import { scriptOptionsFromEnv } from '../scriptedModel/scriptOptionsEnv';
import { startScriptedModel, type ScriptedModel, type ScriptedModelOptions } from '../scriptedModel/scriptedModelServer';
import { HOME_PREFIX, openRunHome, releaseRunHome, removeStaleHomes } from './kiloRunHome';
import { UsageError, type RunArgs } from './cliArgs';

export { removeStaleHomes } from './kiloRunHome';

export interface KiloRuntime {
  backend: AgentBackend;
  roles: RoleResolution;
  /** One line for the terminal: binary, version, models. */
  description: string;
  /** With real models: one line per active role naming its model ("Kilo default (…)" for the fallback). */
  roleLines: string[];
  /** The scripted model's request log, when the run uses it. */
  scripted?: ScriptedModel;
  server: KiloServer;
  /** The roles file's `allowControlFiles`, for the run. */
  allowControlFiles?: string[];
  /** Resume: which saved agent sessions the server still has; those agents continue in them. */
  reattachSessions(saved: readonly SavedSession[]): Promise<ReattachSummary>;
  dispose(): Promise<void>;
}

/**
 * Everything a run on real Kilo needs: the binary, our private `kilo serve` with one agent per
 * role, and the session backend. With no `--model` the roles run on the scripted offline model,
 * each under its own model id, in a private Kilo home; with models, the user's own Kilo setup
 * (credentials included) is used as it is.
 */
export interface KiloRuntimeOverrides {
  /** Tests: faults, latency or another script for the scripted model. */
  scripted?: Partial<ScriptedModelOptions>;
  /** Tests: a shorter restart backoff for the Kilo server. */
  restartBaseMs?: number;
  /** Tests: a shorter quiet time before a turn counts as stalled (default 90 s). */
  stallMs?: number;
  /**
   * The run this runtime serves: the offline private home is named by it and kept while the run is
   * unfinished, so a resume after a crash finds the agents' Kilo sessions (without it: removed at exit).
   */
  runId?: string;
}

export async function startKiloRuntime(args: RunArgs, log: (line: string) => void, overrides: KiloRuntimeOverrides = {}): Promise<KiloRuntime> {
  if (!fs.existsSync(path.join(args.workspace, '.git'))) {
    // Kilo computes diffs and matches file grants relative to the git root.
    throw new UsageError(`The kilo backend needs the workspace to be the root of a git repository; run "git init" in ${args.workspace} first.`);
  }
  const offline = Object.keys(args.models).length === 0;
  // The roles file is read and checked before anything starts, so a bad one costs no server start.
  const rolesFile = args.rolesFile ? await loadRolesConfigFile(args.rolesFile) : undefined;
  if (offline && rolesFile) refuseProfilesOffline(rolesFile, args.rolesFile!);
  const configFor = (baseURL: string): RolesConfig => (offline ? scriptedRolesConfig(baseURL, rolesFile) : realRolesConfig(args, rolesFile));
  // With real models a role nobody assigned runs on the user's Kilo default: read from their config
  // files now, so a problem costs no server start; the server's own answer decides once it runs.
  const userDefault = offline ? undefined : readUserDefaultModel(args.workspace, process.env);
  const provisional = offline ? {} : { kiloDefault: userDefault ?? UNKNOWN_DEFAULT };
  refuseInvalidRoles(resolveRoles(configFor(SCRIPTED_URL_PLACEHOLDER), provisional));
  // The offline run keeps Kilo's database and logs out of the user's home, even for `kilo --version`.
  if (offline) removeStaleHomes(os.tmpdir());
  const runId = overrides.runId;
  const runHome = offline && runId !== undefined ? await openRunHome(os.tmpdir(), runId, args.workspace) : undefined;
  if (runHome?.stoppedServers.length) log(`note: stopped the Kilo server left running by the killed process of run ${runId} (pid ${runHome.stoppedServers.join(', ')}).`);
  if (runHome?.removedLocks.length) log(`note: removed ${runHome.removedLocks.length} Kilo lock(s) the killed process of run ${runId} left in its home.`);
  // Else named with our pid, so the next start can tell a dead process's leftover home from a live one's.
  const home = runHome?.dir ?? (offline ? fs.mkdtempSync(path.join(os.tmpdir(), `${HOME_PREFIX}${process.pid}-`)) : undefined);
  // A forced exit (a second Ctrl-C) skips dispose: the home still goes, unless its run is unfinished.
  const removeHomeAtExit = (): void => {
    if (home && runId !== undefined) releaseRunHome(home, args.workspace, runId);
    else if (home) fs.rmSync(home, { recursive: true, force: true });
  };
  if (home) process.once('exit', removeHomeAtExit);
  // Until the cleanups below exist, a failure must remove the private home itself.
  const abandonHome = (error: unknown): never => {
    removeHomeAtExit();
    throw error;
  };
  const binary = await locateKiloBinary({ explicitPath: args.kiloPath, projectRoot: packageRoot(), searchPath: true, env: home ? { ...process.env, ...privateHomeEnv(home) } : process.env }).catch(abandonHome);
  const scripted = offline
    ? await startScriptedModel({ script: orchestraScript({ rejectFirstPlan: true, rejectFilesOnce: ['src/overdue.js'], ...scriptOptionsFromEnv() }), latencyMs: args.simLatencyMs, ...scriptedLogFile(), ...overrides.scripted }).catch(abandonHome)
    : undefined;
  const cleanups: Array<() => Promise<void> | void> = [];
  if (scripted) cleanups.push(() => scripted.close());
  if (home) cleanups.push(() => {
    process.off('exit', removeHomeAtExit);
    removeHomeAtExit();
  });
  const dispose = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const provisionalRoles = resolveRoles(configFor(scripted?.url ?? SCRIPTED_URL_PLACEHOLDER), provisional);
    const kiloConfig = buildKiloConfig({ roles: provisionalRoles.roles.filter((role) => role.active), profiles: provisionalRoles.profiles, secret: (name) => process.env[name] });
    if (scripted) kiloConfig.enabled_providers = ['scripted'];
    // The roles file's test command and allowed commands; else the project's own `npm test`.
    const commands = resolveCommandPolicy(args.workspace, rolesFile ?? {});
    const team = await startKiloTeamServer({
      commands,
      binary: binary.path,
      workspace: args.workspace,
      kiloConfig,
      ...(home ? { home } : {}),
      ...(overrides.restartBaseMs !== undefined ? { restartBaseMs: overrides.restartBaseMs } : {}),
      // A home a killed server left has its database to recover first (seen past 30 s on a busy machine).
      ...(runHome?.reused ? { startTimeoutMs: REUSED_HOME_START_TIMEOUT_MS } : {}),
      ...(overrides.stallMs !== undefined ? { stallMs: overrides.stallMs } : {}),
      log,
    });
    cleanups.push(() => team.dispose());
    const { connection } = team;
    // The server's default model and prices replace the provisional ones (the scripted run has its own).
    const roles = offline ? provisionalRoles : await resolveKiloDefault({ endpoint: () => team.server.connection, workspace: args.workspace, config: configFor(SCRIPTED_URL_PLACEHOLDER), userDefault, log });
    const models = new Set(roles.profiles.map((p) => `${p.providerID}/${p.modelID}`)).size;
    const description = `kilo ${connection.version} (${describeBinarySource(binary.source)}: ${binary.path}) on ${connection.baseUrl}, ${models} models${scripted ? ' (scripted, offline)' : ''}, ${describeTestCommand(commands)}`;
    const allowControlFiles = rolesFile?.allowControlFiles;
    const reattachSessions = (saved: readonly SavedSession[]) => team.backend.reattach(saved);
    const roleLines = offline ? [] : roleModelLines(roles);
    return { backend: team.backend, roles, description, roleLines, scripted, server: team.server, ...(allowControlFiles ? { allowControlFiles } : {}), reattachSessions, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/**
 * `KILO_ORCHESTRA_SCRIPTED_LOG`: a file the scripted model appends every request to (one JSON line
 * each), so a test can read what was asked across a killed process and its resume.
 */
function scriptedLogFile(): { logFile?: string } {
  const file = process.env.KILO_ORCHESTRA_SCRIPTED_LOG;
  return file ? { logFile: path.resolve(file) } : {};
}

/**
 * Stand-in prices (USD per million tokens, input/output) for the scripted models, shaped like a
 * strong Organiser, Architect and Sceptic with cheap coders, so the cost roll-up has real figures.
 */
const SCRIPTED_PRICES: Record<string, { input: number; output: number }> = {
  organiser: { input: 3, output: 15 },
  architect: { input: 15, output: 75 },
  'code-sceptic': { input: 15, output: 75 },
  'primary-coder': { input: 0.3, output: 1.2 },
  'secondary-coder': { input: 0.3, output: 1.2 },
  'documentation-writer': { input: 1, output: 5 },
  debugger: { input: 2, output: 8 },
};

/** Stands in for a Kilo default the config files do not name, while the roles are checked before the server says. */
const UNKNOWN_DEFAULT = { providerID: 'kilo', modelID: 'default' };

/** "  Organiser: Kilo default (provider/model)", one per active role. */
export function roleModelLines(roles: RoleResolution): string[] {
  return roles.roles.flatMap((role) => {
    const profile = roles.profiles.find((candidate) => candidate.id === roles.assignments[role.id]);
    return role.active && profile ? [`  ${role.name}: ${modelName(profile)}${profile.cost ? '' : ' (unpriced)'}`] : [];
  });
}

const REUSED_HOME_START_TIMEOUT_MS = 90_000;

/** Stands in for the scripted model's address while the roles are checked before it starts. */
const SCRIPTED_URL_PLACEHOLDER = 'http://127.0.0.1:9/v1';

function scriptedProfile(roleId: string, name: string, baseURL: string): Profile {
  return {
    id: `scripted-${roleId}`,
    label: `Scripted ${name}`,
    providerID: 'scripted',
    modelID: `${roleId}-model`,
    baseURL,
    ...(SCRIPTED_PRICES[roleId] ? { cost: SCRIPTED_PRICES[roleId] } : {}),
  };
}

/**
 * Every role on its own scripted model, so the request log proves the routing. The roles file's
 * role changes (active, instances, prompts, custom roles) apply on top; custom roles get a scripted
 * model of their own.
 */
export function scriptedRolesConfig(baseURL: string, file: RolesConfig | undefined): RolesConfig {
  const builtins = everyRoleOnItsOwnProfile((role) => scriptedProfile(role.id, role.name, baseURL));
  if (!file) return builtins;
  const builtinIds = new Set(builtins.roles.map((role) => role.id));
  const custom = file.roles.filter((role) => !builtinIds.has(role.id));
  const customProfiles = custom.map((role) => scriptedProfile(role.id, role.name ?? role.id, baseURL));
  return {
    ...file,
    profiles: [...builtins.profiles, ...customProfiles],
    // Later entries win in resolveRoles, so the file's changes follow the defaults.
    roles: [...builtins.roles, ...file.roles],
    assignments: { ...builtins.assignments, ...Object.fromEntries(custom.map((role, i) => [role.id, customProfiles[i]!.id])) },
  };
}

/**
 * The offline run has only its scripted models: a roles file that names profiles or assignments
 * asks for models it cannot use, so it is refused rather than quietly ignored.
 */
function refuseProfilesOffline(config: RolesConfig, file: string): void {
  const assigned = Object.keys(config.assignments).length;
  if (config.profiles.length === 0 && assigned === 0) return;
  throw new UsageError(
    `${file}: the offline scripted run (--backend kilo without --model) runs every role on its scripted model, so the file's ${count(config.profiles.length, 'profile')} and ${count(assigned, 'assignment')} cannot apply; remove them, or pass --model ROLE=PROVIDER/MODEL to use real models.`,
  );
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function refuseInvalidRoles(roles: RoleResolution): void {
  if (roles.errors.length === 0) return;
  const more = roles.errors.length > 1 ? ` (and ${roles.errors.length - 1} more)` : '';
  throw new UsageError(`Invalid roles configuration: ${roles.errors[0]!.message}${more}`);
}

/** The roles file (if any) with each `--model ROLE=provider/model` as that role's profile. */
function realRolesConfig(args: RunArgs, file: RolesConfig | undefined): RolesConfig {
  const base: RolesConfig = file ?? { profiles: [], roles: [], assignments: {} };
  const profiles = [...base.profiles];
  const assignments = { ...base.assignments };
  for (const [role, model] of Object.entries(args.models)) {
    const id = `${model.providerID}-${model.modelID}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
    if (!profiles.some((p) => p.id === id)) profiles.push({ id, label: `${model.providerID}/${model.modelID}`, providerID: model.providerID, modelID: model.modelID });
    assignments[role] = id;
  }
  return { ...base, profiles, assignments };
}

/** This package's folder (above dist/cli.js when bundled, above extension/cli in tests). */
function packageRoot(): string | undefined {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'kilo-orchestra') return dir;
    } catch {
      // no package.json here, or not ours: keep climbing
    }
  }
  return undefined;
}
