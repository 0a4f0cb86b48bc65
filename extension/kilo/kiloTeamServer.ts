import type { CommandPolicy } from '../engine/shell/commandPolicy';
import { kiloVersionProblem, probePermissionRules } from './kiloFitness';
import { KiloHttp } from './kiloHttp';
import { KiloServer, type KiloConnection, type KiloServerOptions } from './kiloServer';
import { KiloSessionBackend } from './kiloSessionBackend';

/** Without a limit Kilo retries a failing provider forever; the engine has its own bounded retries. */
const RETRY_LIMIT_ENV = { KILO_SESSION_RETRY_LIMIT: '4' };

export interface KiloTeamServerOptions {
  binary: string;
  workspace: string;
  /** The Kilo config for the team (buildKiloConfig), handed over in memory, never written to disk. */
  kiloConfig: Record<string, unknown>;
  /** A private Kilo home, offline but for the configured providers (tests, the offline demo). */
  home?: string;
  restartBaseMs?: number;
  /** How long the server may take to report healthy (default 30 s). */
  startTimeoutMs?: number;
  /** A turn with no sign of progress this long is reported stalled, and after as long again retried (default 90 s). */
  stallMs?: number;
  /** The shell commands agents may run (default: the project's `npm test` for the Debugger, nothing else). */
  commands?: CommandPolicy;
  /** Kilo's warnings and errors (its info lines are left out). */
  log: (message: string) => void;
}

export interface KiloTeamServer {
  server: KiloServer;
  connection: KiloConnection;
  /** The session backend itself, so a resume can hand it the saved sessions (`reattach`). */
  backend: KiloSessionBackend;
  /** Closes the sessions, then stops the server. */
  dispose(): Promise<void>;
}

/** `snapshotInitialization` is in the prompt schema from 7.7 on (checked in 7.7.2, 7.7.7, 7.7.9; absent in 7.0.33). */
export function takesSnapshotWait(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 7 || (major === 7 && minor >= 7);
}

/**
 * Our private `kilo serve` for one run's team and the session backend on it: the part the CLI and
 * the extension share. A failed start stops the server before the error goes on.
 * @throws OrchestraError `invalid-config` (one line) for a Kilo too old to enforce file grants.
 */
export async function startKiloTeamServer(options: KiloTeamServerOptions): Promise<KiloTeamServer> {
  const serverOptions: KiloServerOptions = {
    binary: options.binary,
    cwd: options.workspace,
    env: { ...RETRY_LIMIT_ENV, KILO_CONFIG_CONTENT: JSON.stringify(options.kiloConfig) },
    ...(options.home ? { home: options.home, offline: true } : {}),
    ...(options.restartBaseMs !== undefined ? { restartBaseMs: options.restartBaseMs } : {}),
    ...(options.startTimeoutMs !== undefined ? { startTimeoutMs: options.startTimeoutMs } : {}),
    log: (line) => {
      if (line.level !== 'info') options.log(`kilo: ${line.message}`);
    },
  };
  const server = new KiloServer(serverOptions);
  try {
    const connection = await server.start();
    const tooOld = kiloVersionProblem(connection.version, options.binary);
    if (tooOld) throw tooOld;
    const http = new KiloHttp({ connection: () => server.connection, directory: options.workspace });
    await probePermissionRules(http, { version: connection.version, binary: options.binary }, options.log);
    const backend = new KiloSessionBackend({
      connection: () => server.connection ?? connection,
      workspace: options.workspace,
      ...(options.stallMs !== undefined ? { stallMs: options.stallMs } : {}),
      ...(options.commands ? { commands: options.commands } : {}),
      waitForSnapshots: takesSnapshotWait(connection.version),
    });
    return {
      server,
      connection,
      backend,
      dispose: async () => {
        await backend.dispose();
        await server.dispose();
      },
    };
  } catch (error) {
    await server.dispose();
    throw error;
  }
}
