/*
 * Our private `kilo serve`: started on demand, restarted with backoff when it dies, and killed
 * with the extension or CLI (on dispose, and by a synchronous exit hook as a last resort).
 */
import fs from 'node:fs';
import path from 'node:path';
import { OrchestraError, describeError } from '../engine/util/errors';
import { TypedEmitter } from '../engine/util/typedEvents';
import { KILO_INSTALL_HINT } from './kiloBinary';
import { KILO_OFFLINE_ENV, KILO_QUIET_ENV } from './kiloEnv';
import { launchKiloServe, type KiloConnection, type KiloLogLine, type KiloProcess } from './kiloProcess';
import { reclaimStaleLocks } from './staleLocks';

export type { KiloConnection, KiloLogLine } from './kiloProcess';

export { KILO_OFFLINE_ENV, KILO_QUIET_ENV } from './kiloEnv';

/** Longest wait between two restart attempts. */
export const MAX_RESTART_DELAY_MS = 15_000;

/** Wait before restart `attempt` (1, 2 …): `baseMs × 2^(attempt-1)`, at most 15 s. */
export function restartDelayMs(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** (attempt - 1), MAX_RESTART_DELAY_MS);
}

export interface KiloServerEvents {
  /** `start()` brought a server up. */
  'server:ready': (connection: KiloConnection) => void;
  /** A server that had been ready exited; `expected` when we stopped it. */
  'server:exited': (exit: { code: number | null; signal: NodeJS.Signals | null; expected: boolean }) => void;
  /** A restart will be tried after `delayMs`. */
  'server:restarting': (restart: { attempt: number; delayMs: number }) => void;
  /** A restart succeeded: new port, new password. */
  'server:restarted': (connection: KiloConnection) => void;
  /** `maxRestarts` restarts in a row failed; nothing more is tried until `start()` is called again. */
  'server:failed': (error: OrchestraError) => void;
}

export interface KiloServerOptions {
  /** Path of the `kilo` binary (see `locateKiloBinary`). */
  binary: string;
  /** Working directory of the server process. */
  cwd: string;
  /** Extra environment, e.g. `KILO_CONFIG_CONTENT`; wins over the defaults, but never over our password. */
  env?: Record<string, string>;
  /** A private home: sets HOME and the XDG folders under it (tests, the offline demo). */
  home?: string;
  /** Adds `KILO_OFFLINE_ENV`. */
  offline?: boolean;
  /** From spawn to healthy (default 30 s). */
  startTimeoutMs?: number;
  /** Restarts in a row before giving up (default 5). */
  maxRestarts?: number;
  /** First restart delay, doubled each attempt (default 500 ms). */
  restartBaseMs?: number;
  /** A server up this long counts as recovered: the restart count starts again (default 30 s). */
  stableAfterMs?: number;
  /** Between SIGTERM and SIGKILL when stopping (default 3 s). */
  stopTimeoutMs?: number;
  /** Every line the server prints (stdout as info, stderr as warn) and our own notes. */
  log?: (line: KiloLogLine) => void;
  fetch?: typeof fetch;
}

/**
 * Runs one private `kilo serve` on 127.0.0.1 with a fresh random password per process.
 *
 * Restart policy: when a ready server dies unexpectedly it is restarted after `restartDelayMs`;
 * every attempt counts, and the count only starts again once a server has stayed up for
 * `stableAfterMs`. After `maxRestarts` attempts in a row `server:failed` is emitted.
 */
export class KiloServer {
  readonly events: TypedEmitter<KiloServerEvents>;
  private current: KiloProcess | undefined;
  private ready: KiloConnection | undefined;
  private launching: Promise<KiloConnection> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private stableTimer: NodeJS.Timeout | undefined;
  private restartAttempts = 0;
  private disposed = false;
  private exitHook: (() => void) | undefined;
  /** Callers of `start()` waiting for a scheduled restart; rejected on dispose. */
  private readonly waiters = new Set<(error: OrchestraError) => void>();

  constructor(private readonly options: KiloServerOptions) {
    this.events = new TypedEmitter<KiloServerEvents>({
      onListenerError: (error, event) => this.log('error', `A ${event} listener failed: ${describeError(error)}`),
    });
  }

  /** The running server, or undefined while it is starting, restarting, failed or disposed. */
  get connection(): KiloConnection | undefined {
    return this.ready;
  }

  /**
   * Starts the server, or returns the one running or starting. During a restart it waits for it.
   * @throws OrchestraError `backend-unavailable` (with the server's last output), `aborted` once disposed.
   */
  start(): Promise<KiloConnection> {
    if (this.disposed) return Promise.reject(disposedError());
    if (this.ready) return Promise.resolve(this.ready);
    if (this.launching) return this.launching;
    if (this.restartTimer) return this.nextRestart();
    this.restartAttempts = 0;
    return this.launch().then((connection) => {
      this.events.emit('server:ready', connection);
      return connection;
    });
  }

  /** `fetch(baseUrl + route)` with our Authorization header (unless `init` sets one); `route` starts with `/`. */
  async request(route: string, init: RequestInit = {}): Promise<Response> {
    const connection = this.ready;
    if (!connection) throw new OrchestraError('backend-unavailable', 'kilo serve is not running.', { retryable: !this.disposed });
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', connection.authHeader);
    return (this.options.fetch ?? fetch)(`${connection.baseUrl}${route}`, { ...init, headers });
  }

  /** Stops restarting, then SIGTERM to the process group (SIGKILL after 3 s); resolves once it has exited. */
  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.stableTimer);
    this.restartTimer = undefined;
    for (const reject of [...this.waiters]) reject(disposedError());
    const running = this.current;
    if (running) await running.stop(this.options.stopTimeoutMs ?? 3_000);
    // A launch in flight now fails with `aborted`; its caller was told, so here only wait for it.
    await this.launching?.catch(() => undefined);
    if (this.exitHook) process.off('exit', this.exitHook);
    this.exitHook = undefined;
  }

  private launch(): Promise<KiloConnection> {
    const launching = this.launchOnce().finally(() => {
      if (this.launching === launching) this.launching = undefined;
    });
    this.launching = launching;
    return launching;
  }

  private async launchOnce(): Promise<KiloConnection> {
    this.installExitHook();
    const started = Date.now();
    let launched: Awaited<ReturnType<typeof launchKiloServe>>;
    try {
      launched = await launchKiloServe({
        binary: this.options.binary,
        cwd: this.options.cwd,
        env: this.environment(),
        timeoutMs: this.options.startTimeoutMs ?? 30_000,
        stopGraceMs: this.options.stopTimeoutMs ?? 3_000,
        fetch: this.options.fetch ?? fetch,
        log: (line) => this.options.log?.(line),
        onSpawn: (kilo) => (this.current = kilo),
      });
    } catch (error) {
      this.current = undefined;
      if (this.disposed) throw disposedError(error);
      throw error;
    }
    const { process: kilo, connection } = launched;
    if (this.disposed) {
      await kilo.stop(this.options.stopTimeoutMs ?? 3_000);
      throw disposedError();
    }
    this.ready = connection;
    void kilo.closed.then(() => this.onExit(kilo, connection));
    this.log('info', `kilo serve ${connection.version} ready on ${connection.baseUrl} (pid ${connection.pid}) in ${Date.now() - started} ms`);
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(() => {
      if (this.restartAttempts > 0) this.log('info', `kilo serve stayed up for ${this.stableAfterMs} ms: restart count reset`);
      this.restartAttempts = 0;
    }, this.stableAfterMs);
    this.stableTimer.unref();
    return connection;
  }

  private onExit(kilo: KiloProcess, connection: KiloConnection): void {
    if (this.current === kilo) this.current = undefined;
    if (this.ready === connection) this.ready = undefined;
    clearTimeout(this.stableTimer);
    const expected = kilo.stopping || this.disposed;
    this.events.emit('server:exited', { code: kilo.exit?.code ?? null, signal: kilo.exit?.signal ?? null, expected });
    if (expected || this.disposed) return;
    const problem = `kilo serve (pid ${connection.pid}) ${kilo.describeExit()} unexpectedly`;
    this.log('warn', `${problem}.${kilo.describeOutput()}`);
    this.scheduleRestart(new OrchestraError('backend-failed', problem));
  }

  private scheduleRestart(cause: unknown): void {
    const attempt = ++this.restartAttempts;
    const maxRestarts = this.options.maxRestarts ?? 5;
    if (attempt > maxRestarts) {
      const error = new OrchestraError('backend-unavailable', `kilo serve gave up after ${maxRestarts} restarts: ${describeError(cause)}`, {
        hint: `Check that Kilo works on its own (\`kilo serve\`), or ${KILO_INSTALL_HINT}`,
        cause,
      });
      this.log('error', error.message);
      this.events.emit('server:failed', error);
      for (const reject of [...this.waiters]) reject(error);
      return;
    }
    const delayMs = restartDelayMs(attempt, this.options.restartBaseMs ?? 500);
    this.log('warn', `Restarting kilo serve in ${delayMs} ms (attempt ${attempt} of ${maxRestarts})`);
    this.events.emit('server:restarting', { attempt, delayMs });
    if (this.disposed) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.restart(attempt);
    }, delayMs);
  }

  private async restart(attempt: number): Promise<void> {
    // Nothing else uses our private home, so every lock left there now is the dead server's.
    if (this.options.home) reclaimStaleLocks(path.join(this.options.home, '.local', 'state'), (message) => this.log('warn', message));
    try {
      const connection = await this.launch();
      this.events.emit('server:restarted', connection);
    } catch (error) {
      if (this.disposed) return;
      this.log('warn', `Restart attempt ${attempt} failed: ${describeError(error)}`);
      this.scheduleRestart(error);
    }
  }

  /** Resolves with the next restarted server; rejects when restarts give up or on dispose. */
  private nextRestart(): Promise<KiloConnection> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        restarted.dispose();
        this.waiters.delete(fail);
      };
      const fail = (error: OrchestraError): void => {
        done();
        reject(error);
      };
      const restarted = this.events.on('server:restarted', (connection) => {
        done();
        resolve(connection);
      });
      this.waiters.add(fail);
    });
  }

  private environment(): NodeJS.ProcessEnv {
    const { home, offline } = this.options;
    // The parent pid lets Kilo's own watchdog end the server should we die without running hooks.
    const env: NodeJS.ProcessEnv = { ...process.env, ...KILO_QUIET_ENV, ...(offline ? KILO_OFFLINE_ENV : {}), KILO_PARENT_PID: String(process.pid) };
    if (home) Object.assign(env, privateHomeEnv(home));
    return { ...env, ...this.options.env };
  }

  private installExitHook(): void {
    if (this.exitHook) return;
    // Only synchronous work runs on exit, so no grace period: the group is killed outright.
    this.exitHook = () => this.current?.killGroup('SIGKILL');
    process.on('exit', this.exitHook);
  }

  private get stableAfterMs(): number {
    return this.options.stableAfterMs ?? 30_000;
  }

  private log(level: KiloLogLine['level'], message: string): void {
    this.options.log?.({ level, message });
  }
}

/** HOME and the XDG folders under `home`, created if missing, so Kilo touches nothing of the user's. */
export function privateHomeEnv(home: string): Record<string, string> {
  const env = {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_STATE_HOME: path.join(home, '.local', 'state'),
  };
  try {
    for (const dir of Object.values(env)) fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new OrchestraError('io-failed', `Could not create the private Kilo home ${home}: ${describeError(error)}`, { cause: error });
  }
  return env;
}

function disposedError(cause?: unknown): OrchestraError {
  return new OrchestraError('aborted', 'The Kilo server was disposed.', cause === undefined ? {} : { cause });
}
