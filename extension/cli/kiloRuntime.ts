import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentBackend } from '../engine/backends/agentBackend';
import { everyRoleOnItsOwnProfile, loadRolesConfigFile } from '../engine/roles/rolesConfigFile';
import type { RolesConfig } from '../engine/roles/roleSchema';
import { resolveRoles, type RoleResolution } from '../engine/roles/roleValidation';
import { locateKiloBinary } from '../kilo/kiloBinary';
import { buildKiloConfig } from '../kilo/kiloConfig';
import { KiloServer, privateHomeEnv } from '../kilo/kiloServer';
import { startKiloTeamServer } from '../kilo/kiloTeamServer';
import { orchestraScript } from '../../scripts/scriptedModel/orchestraScript';
import { startScriptedModel, type ScriptedModel, type ScriptedModelOptions } from '../../scripts/scriptedModel/scriptedModelServer';
import { UsageError, type RunArgs } from './cliArgs';

export interface KiloRuntime {
  backend: AgentBackend;
  roles: RoleResolution;
  /** One line for the terminal: binary, version, models. */
  description: string;
  /** The scripted model's request log, when the run uses it. */
  scripted?: ScriptedModel;
  server: KiloServer;
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
}

export async function startKiloRuntime(args: RunArgs, log: (line: string) => void, overrides: KiloRuntimeOverrides = {}): Promise<KiloRuntime> {
  if (!fs.existsSync(path.join(args.workspace, '.git'))) {
    // Kilo computes diffs and matches file grants relative to the git root.
    throw new UsageError(`The kilo backend needs the workspace to be the root of a git repository; run "git init" in ${args.workspace} first.`);
  }
  const offline = Object.keys(args.models).length === 0;
  // The offline run keeps Kilo's database and logs out of the user's home, even for `kilo --version`.
  const home = offline ? fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-orchestra-home-')) : undefined;
  // Until the cleanups below exist, a failure must remove the private home itself.
  const abandonHome = (error: unknown): never => {
    if (home) fs.rmSync(home, { recursive: true, force: true });
    throw error;
  };
  const binary = await locateKiloBinary({ explicitPath: args.kiloPath, projectRoot: packageRoot(), searchPath: true, env: home ? { ...process.env, ...privateHomeEnv(home) } : process.env }).catch(abandonHome);
  const scripted = offline
    ? await startScriptedModel({ script: orchestraScript({ rejectFirstPlan: true, rejectFilesOnce: ['src/overdue.js'] }), latencyMs: args.simLatencyMs, ...overrides.scripted }).catch(abandonHome)
    : undefined;
  const cleanups: Array<() => Promise<void> | void> = [];
  if (scripted) cleanups.push(() => scripted.close());
  if (home) cleanups.push(() => fs.rmSync(home, { recursive: true, force: true }));
  const dispose = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const config = scripted ? scriptedRolesConfig(scripted.url) : await realRolesConfig(args);
    const roles = resolveRoles(config);
    const kiloConfig = buildKiloConfig({ roles: roles.roles.filter((role) => role.active), profiles: roles.profiles, secret: (name) => process.env[name] });
    if (scripted) kiloConfig.enabled_providers = ['scripted'];
    const team = await startKiloTeamServer({
      binary: binary.path,
      workspace: args.workspace,
      kiloConfig,
      ...(home ? { home } : {}),
      ...(overrides.restartBaseMs !== undefined ? { restartBaseMs: overrides.restartBaseMs } : {}),
      ...(overrides.stallMs !== undefined ? { stallMs: overrides.stallMs } : {}),
      log,
    });
    cleanups.push(() => team.dispose());
    const { connection } = team;
    const models = new Set(roles.profiles.map((p) => `${p.providerID}/${p.modelID}`)).size;
    const description = `kilo ${connection.version} (${binary.source}: ${binary.path}) on ${connection.baseUrl}, ${models} models${scripted ? ' (scripted, offline)' : ''}`;
    return { backend: team.backend, roles, description, scripted, server: team.server, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
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

/** Every built-in role on its own scripted model, so the request log proves the routing. */
function scriptedRolesConfig(baseURL: string): RolesConfig {
  return everyRoleOnItsOwnProfile((role) => ({
    id: `scripted-${role.id}`,
    label: `Scripted ${role.name}`,
    providerID: 'scripted',
    modelID: `${role.id}-model`,
    baseURL,
    ...(SCRIPTED_PRICES[role.id] ? { cost: SCRIPTED_PRICES[role.id] } : {}),
  }));
}

/** The roles file (if any) with each `--model ROLE=provider/model` as that role's profile. */
async function realRolesConfig(args: RunArgs): Promise<RolesConfig> {
  const base: RolesConfig = args.rolesFile ? await loadRolesConfigFile(args.rolesFile) : { profiles: [], roles: [], assignments: {} };
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
