/*
 * Kilo for one run in the extension: the Kilo Code extension's bundled binary, our private
 * `kilo serve` on 127.0.0.1 (random password, see KiloServer) configured with one agent per role,
 * and the session backend. No `vscode` import: the extension passes paths, settings and secrets in.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AgentBackend } from '../engine/backends/agentBackend';
import type { RoleResolution } from '../engine/roles/roleValidation';
import { OrchestraError } from '../engine/util/errors';
import { describeBinarySource, locateKiloBinary } from '../kilo/kiloBinary';
import { buildKiloConfig } from '../kilo/kiloConfig';
import { KiloHttp, type KiloEndpoint } from '../kilo/kiloHttp';
import { privateHomeEnv } from '../kilo/kiloServer';
import { startKiloTeamServer } from '../kilo/kiloTeamServer';
import { priceProfilesFromKilo } from '../kilo/kiloPrices';
import { resolveCommandPolicy, type CommandSettings } from '../engine/shell/commandPolicy';

export interface ExtensionKiloOptions {
  workspace: string;
  roles: RoleResolution;
  /** The Kilo Code extension's folder (`bin/kilo` inside it), when it is installed. */
  kiloExtensionPath?: string;
  /** `kiloOrchestra.kiloPath`; when set, the only binary tried. */
  kiloPath?: string;
  /** This extension's folder: a development checkout has the pinned `kilo` in node_modules. */
  extensionPath?: string;
  /** API key by env-style name (`apiKeyEnv` of a profile): SecretStorage first, then process.env. */
  secret: (name: string) => Promise<string | undefined>;
  /**
   * A private Kilo home with no network beyond the configured providers (tests). Without it the
   * user's own Kilo setup, credentials included, is used as it is.
   */
  privateHome?: string;
  /** `kiloOrchestra.stallSeconds` in ms: quiet before a turn counts as stalled (default 90 s). */
  stallMs?: number;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** The user's test command and allowed shell commands; without them the project's `npm test` only. */
  commands?: CommandSettings;
}

export interface ExtensionKiloRuntime {
  backend: AgentBackend;
  connection: () => KiloEndpoint | undefined;
  /** One line for the log: binary, version, address. */
  description: string;
  dispose(): Promise<void>;
}

/**
 * Starts the runtime; every failure is an OrchestraError with a `hint` (`backend-unavailable` when
 * there is no Kilo binary, `invalid-config` for a missing key or a workspace that is not a git root).
 */
export async function startExtensionKiloRuntime(options: ExtensionKiloOptions): Promise<ExtensionKiloRuntime> {
  if (!fs.existsSync(path.join(options.workspace, '.git'))) {
    // Kilo computes diffs and matches file grants relative to the git root; checkpoints need git too.
    throw new OrchestraError('invalid-config', `The folder ${options.workspace} is not the root of a git repository.`, {
      hint: 'Run "git init" in it (or open the repository\'s root folder), then start the task again.',
    });
  }
  const binary = await locateKiloBinary({
    explicitPath: options.kiloPath,
    extensionPath: options.kiloExtensionPath,
    projectRoot: options.extensionPath,
    searchPath: true,
    // Even `kilo --version` writes into Kilo's data folders.
    ...(options.privateHome ? { env: { ...process.env, ...privateHomeEnv(options.privateHome) } } : {}),
    log: (line) => options.log('warn', line.message),
  });
  const active = options.roles.roles.filter((role) => role.active);
  const keys = new Map<string, string | undefined>();
  for (const profile of options.roles.profiles) {
    if (profile.apiKeyEnv && !keys.has(profile.apiKeyEnv)) keys.set(profile.apiKeyEnv, await options.secret(profile.apiKeyEnv));
  }
  const kiloConfig = buildKiloConfig({ roles: active, profiles: options.roles.profiles, secret: (name) => keys.get(name) });
  const custom = customProvidersOnly(options.roles);
  // Roles all on custom OpenAI-compatible endpoints need none of the user's other providers.
  if (custom) kiloConfig.enabled_providers = custom;
  const team = await startKiloTeamServer({
    binary: binary.path,
    workspace: options.workspace,
    kiloConfig,
    commands: resolveCommandPolicy(options.workspace, options.commands),
    ...(options.privateHome ? { home: options.privateHome } : {}),
    ...(options.stallMs !== undefined ? { stallMs: options.stallMs } : {}),
    log: (message) => options.log('warn', message),
  });
  // The roles' profiles take Kilo's prices before the run reads them (budgets, the dashboard's unpriced marks).
  const http = new KiloHttp({ connection: () => team.server.connection, directory: options.workspace });
  await priceProfilesFromKilo(options.roles.profiles, http, (line) => options.log('warn', line));
  return {
    backend: team.backend,
    connection: () => team.server.connection,
    description: `kilo ${team.connection.version} (${describeBinarySource(binary.source)}: ${binary.path}) on ${team.connection.baseUrl}`,
    dispose: () => team.dispose(),
  };
}

/** The provider ids when every active role runs on a profile with a base URL; otherwise undefined. */
function customProvidersOnly(roles: RoleResolution): string[] | undefined {
  const profiles = roles.roles.filter((role) => role.active).map((role) => roles.profiles.find((profile) => profile.id === roles.assignments[role.id]));
  if (profiles.length === 0 || profiles.some((profile) => !profile?.baseURL)) return undefined;
  return [...new Set(profiles.map((profile) => profile!.providerID))];
}
