/*
 * One `kilo serve` process: spawned in its own process group (the npm `kilo` is a node wrapper
 * around the real binary, so both must go together), its output read line by line, its URL found,
 * its health awaited. `KiloServer` adds the lifecycle around it: restarts, events, disposal.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import readline from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { OrchestraError, describeError } from '../engine/util/errors';
import { KILO_INSTALL_HINT, kiloCommand } from './kiloBinary';

/** The only address our server may listen on. */
export const LOOPBACK_HOST = '127.0.0.1';

/** How to reach a running private `kilo serve`. Satisfies `KiloEndpoint`. */
export interface KiloConnection {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  baseUrl: string;
  password: string;
  /** The whole `Authorization` header value: `Basic base64(kilo:<password>)`. */
  authHeader: string;
  /** The server's own version, from `GET /global/health`. */
  version: string;
  /** The spawned process, leader of its process group. */
  pid: number;
}

export interface KiloLogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface KiloExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const TAIL_LINES = 20;
const URL_LINE = /listening on (https?:\/\/\S+)/;
const HEALTH_POLL_MS = 100;
const HEALTH_REQUEST_MS = 2_000;
/** After the leader exits, how long a stray holder of our pipes may delay `close`. */
const PIPE_DRAIN_MS = 1_000;

export class KiloProcess {
  readonly pid: number | undefined;
  /** Resolves once the process has exited and all of its output has been read. */
  readonly closed: Promise<KiloExit>;
  /** Set once `closed` has resolved. */
  exit: KiloExit | undefined;
  /** True once we asked it to stop, so its exit is expected. */
  stopping = false;
  private readonly tail: string[] = [];
  private url: string | undefined;
  private readonly urlListeners = new Set<(url: string) => void>();
  private spawnError: Error | undefined;

  constructor(child: ChildProcess, private readonly log: (line: KiloLogLine) => void) {
    this.pid = child.pid;
    for (const [stream, level] of [[child.stdout, 'info'], [child.stderr, 'warn']] as const) {
      if (stream) readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.onLine(line, level));
    }
    child.once('exit', () => {
      // The wrapper's child (or anything else in the group) must not outlive it holding our pipes.
      this.killGroup('SIGKILL');
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, PIPE_DRAIN_MS).unref();
    });
    child.on('error', (error) => {
      if (this.pid === undefined) this.spawnError = error;
      else this.log({ level: 'warn', message: `kilo serve (pid ${this.pid}): ${error.message}` });
    });
    this.closed = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  /** Signals the whole process group; a group that is already gone is fine. */
  killGroup(signal: NodeJS.Signals): void {
    if (this.pid === undefined) return;
    try {
      if (process.platform === 'win32') spawnSync('taskkill', ['/pid', String(this.pid), '/T', '/F'], { windowsHide: true });
      else process.kill(-this.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') this.log({ level: 'error', message: `Could not send ${signal} to kilo serve (pid ${this.pid}): ${describeError(error)}` });
    }
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs: number): Promise<KiloExit> {
    this.stopping = true;
    if (this.exit) return this.exit;
    this.killGroup('SIGTERM');
    const escalation = setTimeout(() => this.killGroup('SIGKILL'), graceMs);
    try {
      return await this.closed;
    } finally {
      clearTimeout(escalation);
    }
  }

  /** The URL printed on `kilo server listening on …`, or an error once it exits or `deadline` passes. */
  waitForUrl(deadline: number, timeoutMs: number): Promise<string> {
    if (this.url) return Promise.resolve(this.url);
    return new Promise((resolve, reject) => {
      const settle = (done: () => void): void => {
        clearTimeout(timer);
        this.urlListeners.delete(onUrl);
        done();
      };
      const onUrl = (url: string): void => settle(() => resolve(url));
      const timer = setTimeout(() => settle(() => reject(new Error(`it printed no URL within ${timeoutMs} ms`))), Math.max(0, deadline - Date.now()));
      this.urlListeners.add(onUrl);
      void this.closed.then(() => settle(() => reject(new Error(`it ${this.describeExit()} before printing its URL`))));
    });
  }

  /** `exited with code 3`, `was killed by SIGKILL`, `could not be started: …`. */
  describeExit(): string {
    if (this.spawnError) return `could not be started (${this.spawnError.message})`;
    if (!this.exit) return 'is running';
    return this.exit.signal ? `was killed by ${this.exit.signal}` : `exited with code ${this.exit.code}`;
  }

  /** The last lines it printed, ready to append to an error message. */
  describeOutput(): string {
    if (this.tail.length === 0) return ' It printed nothing.';
    return `\nLast output of kilo serve:\n${this.tail.map((line) => `  ${line}`).join('\n')}`;
  }

  private onLine(line: string, level: 'info' | 'warn'): void {
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    this.log({ level, message: line });
    const url = this.url ? undefined : URL_LINE.exec(line)?.[1];
    if (!url) return;
    this.url = url;
    for (const listener of [...this.urlListeners]) listener(url);
  }
}

export interface LaunchOptions {
  binary: string;
  cwd: string;
  /** The complete environment, less the password (added here). */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  stopGraceMs: number;
  fetch: typeof fetch;
  log: (line: KiloLogLine) => void;
  /** Called right after spawning, so the owner can stop a process that is still starting. */
  onSpawn: (process: KiloProcess) => void;
}

/**
 * Spawns `kilo serve` on a random loopback port with a fresh password and waits until
 * `GET /global/health` says healthy. On any failure the process group is stopped first.
 * @throws OrchestraError `backend-unavailable` with the last lines of its output.
 */
export async function launchKiloServe(options: LaunchOptions): Promise<{ process: KiloProcess; connection: KiloConnection }> {
  const deadline = Date.now() + options.timeoutMs;
  const password = randomBytes(24).toString('base64url');
  // Kilo reads --port 0 as "4096 if free", so servers started together would race for 4096 (and
  // the Kilo extension's own server may hold it): ask the OS for a free port instead.
  const port = await freeLoopbackPort();
  const { command, args, shell } = kiloCommand(options.binary, ['serve', '--hostname', LOOPBACK_HOST, '--port', String(port)]);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...options.env, KILO_SERVER_USERNAME: 'kilo', KILO_SERVER_PASSWORD: password },
    // Its own process group, so one signal reaches the npm wrapper and the real binary.
    detached: process.platform !== 'win32',
    stdio: ['ignore', 'pipe', 'pipe'],
    shell,
    windowsHide: true,
  });
  const kilo = new KiloProcess(child, options.log);
  options.onSpawn(kilo);
  try {
    const baseUrl = loopbackOrigin(await kilo.waitForUrl(deadline, options.timeoutMs));
    const authHeader = `Basic ${Buffer.from(`kilo:${password}`).toString('base64')}`;
    const version = await waitUntilHealthy(kilo, { baseUrl, authHeader, deadline, timeoutMs: options.timeoutMs, fetch: options.fetch });
    if (kilo.pid === undefined) throw new Error('it has no process id');
    return { process: kilo, connection: { baseUrl, password, authHeader, version, pid: kilo.pid } };
  } catch (error) {
    await kilo.stop(options.stopGraceMs);
    throw new OrchestraError('backend-unavailable', `kilo serve (${options.binary}) did not start: ${describeError(error)}.${kilo.describeOutput()}`, {
      hint: `Check that this Kilo binary works (\`kilo serve\`), or ${KILO_INSTALL_HINT}`,
      retryable: true,
      cause: error,
    });
  }
}

/** `http://127.0.0.1:<port>` for a URL on loopback; anything else is refused. */
function loopbackOrigin(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`it printed an address that is not a URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' || parsed.hostname !== LOOPBACK_HOST) {
    throw new Error(`it listens on ${url}; only http://${LOOPBACK_HOST} is accepted, so it was stopped`);
  }
  return parsed.origin;
}

async function waitUntilHealthy(
  kilo: KiloProcess,
  target: { baseUrl: string; authHeader: string; deadline: number; timeoutMs: number; fetch: typeof fetch },
): Promise<string> {
  let last = 'no answer yet';
  for (;;) {
    if (kilo.exit) throw new Error(`it ${kilo.describeExit()} before reporting healthy`);
    const remaining = target.deadline - Date.now();
    if (remaining <= 0) throw new Error(`it was not healthy within ${target.timeoutMs} ms (last: ${last})`);
    let response: Response | undefined;
    try {
      response = await target.fetch(`${target.baseUrl}/global/health`, {
        headers: { authorization: target.authHeader },
        signal: AbortSignal.timeout(Math.min(remaining, HEALTH_REQUEST_MS)),
      });
      const body: unknown = response.ok ? await response.json() : undefined;
      if (isHealthy(body)) return typeof body.version === 'string' ? body.version : 'unknown';
      last = response.ok ? `answered ${JSON.stringify(body)}` : `HTTP ${response.status}`;
    } catch (error) {
      last = describeError(error);
    }
    // Retrying cannot fix a refused password: the server ignored KILO_SERVER_PASSWORD.
    if (response?.status === 401) throw new Error('it refused our password (HTTP 401 on /global/health)');
    await Promise.race([delay(HEALTH_POLL_MS), kilo.closed]);
  }
}

function isHealthy(body: unknown): body is { healthy: true; version?: unknown } {
  return typeof body === 'object' && body !== null && (body as { healthy?: unknown }).healthy === true;
}

/** A port on 127.0.0.1 that nothing listens on right now. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, LOOPBACK_HOST, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
