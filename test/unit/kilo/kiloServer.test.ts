import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KiloServer, restartDelayMs, type KiloServerEvents, type KiloServerOptions } from '../../../extension/kilo/kiloServer';
import { rejection } from '../support/errors';
import { fakeServeBinary, type FakeServeMode } from './fakeKiloBinaries';
import { isAlive } from '../support/process';

// Real child processes (small node scripts standing in for `kilo serve`), real timers kept short.
const servers: KiloServer[] = [];
const temps: string[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.dispose()));
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function aServer(mode: FakeServeMode, options: Partial<KiloServerOptions> & { serveLaunches?: number } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-server-'));
  temps.push(dir);
  const { serveLaunches, ...rest } = options;
  const lines: Array<{ level: string; message: string }> = [];
  const logWaiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  const server = new KiloServer({
    binary: fakeServeBinary(dir, mode, serveLaunches === undefined ? {} : { serveLaunches }),
    cwd: dir,
    home: path.join(dir, 'home'),
    restartBaseMs: 10,
    startTimeoutMs: 10_000,
    log: (line) => {
      lines.push(line);
      for (const waiter of logWaiters.filter((w) => w.pattern.test(line.message))) waiter.resolve();
    },
    ...rest,
  });
  servers.push(server);
  const waitForLog = (pattern: RegExp) => new Promise<void>((resolve) => logWaiters.push({ pattern, resolve }));
  return { server, dir, lines, waitForLog };
}

function next<K extends keyof KiloServerEvents & string>(server: KiloServer, event: K): Promise<Parameters<KiloServerEvents[K]>[0]> {
  return new Promise((resolve) => server.events.once(event, ((value: Parameters<KiloServerEvents[K]>[0]) => resolve(value)) as KiloServerEvents[K]));
}

function record(server: KiloServer): Array<{ event: string; value: unknown }> {
  const seen: Array<{ event: string; value: unknown }> = [];
  for (const event of ['server:ready', 'server:exited', 'server:restarting', 'server:restarted', 'server:failed'] as const) {
    server.events.on(event, (value: unknown) => seen.push({ event, value }));
  }
  return seen;
}


async function refuses(baseUrl: string): Promise<boolean> {
  return fetch(`${baseUrl}/global/health`).then(
    () => false,
    () => true,
  );
}

describe('restartDelayMs', () => {
  it('doubles from the base delay and stops at 15 s', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => restartDelayMs(attempt, 500))).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(restartDelayMs(6, 500)).toBe(15_000);
    expect(restartDelayMs(20, 500)).toBe(15_000);
  });
});

describe('KiloServer start', () => {
  it('starts on 127.0.0.1 with Basic auth and reports ready', async () => {
    const { server } = aServer('serve');
    const ready = next(server, 'server:ready');
    const connection = await server.start();
    expect(connection.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(connection.version).toBe('0.0.0-fake');
    expect(connection.authHeader).toBe(`Basic ${Buffer.from(`kilo:${connection.password}`).toString('base64')}`);
    expect(await ready).toBe(connection);
    expect(server.connection).toBe(connection);
    expect((await server.request('/global/health')).status).toBe(200);
    expect((await fetch(`${connection.baseUrl}/global/health`)).status).toBe(401);
  });

  it('runs the server with a private home, the quiet settings, our pid and the caller env on top', async () => {
    const { server, dir } = aServer('serve', { env: { KILO_CONFIG_CONTENT: '{"x":1}', KILO_TELEMETRY_LEVEL: 'all' }, offline: true });
    const connection = await server.start();
    const { env } = (await (await server.request('/env')).json()) as { env: Record<string, string> };
    const home = path.join(dir, 'home');
    expect(env).toMatchObject({
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      XDG_STATE_HOME: path.join(home, '.local', 'state'),
      KILO_SERVER_PASSWORD: connection.password,
      KILO_DISABLE_AUTOUPDATE: '1',
      KILO_DISABLE_SHARE: '1',
      KILO_DISABLE_MODELS_FETCH: '1',
      KILO_PARENT_PID: String(process.pid),
      KILO_CONFIG_CONTENT: '{"x":1}',
      KILO_TELEMETRY_LEVEL: 'all',
    });
    expect(fs.existsSync(path.join(home, '.local', 'state'))).toBe(true);
  });

  it('gives every server its own random password', async () => {
    const [first, second] = await Promise.all([aServer('serve').server.start(), aServer('serve').server.start()]);
    expect(first.password).not.toBe(second.password);
    expect(first.password.length).toBeGreaterThanOrEqual(32);
  });

  it('shares one launch between concurrent start calls', async () => {
    const { server } = aServer('serve');
    const seen = record(server);
    const [a, b] = await Promise.all([server.start(), server.start()]);
    expect(a).toBe(b);
    expect(await server.start()).toBe(a);
    expect(seen.filter((e) => e.event === 'server:ready')).toHaveLength(1);
  });

  it('logs every output line, stdout as info and stderr as warn, the last one even without a newline', async () => {
    const { server, lines } = aServer('exit');
    await rejection(server.start());
    expect(lines).toContainEqual({ level: 'info', message: expect.stringMatching(/^fake kilo pid \d+ launch 1$/) });
    expect(lines).toContainEqual({ level: 'warn', message: 'boom: launch 1 refused' });
    expect(lines).toContainEqual({ level: 'warn', message: 'no newline at the end' });
  });

  it('rejects with backend-unavailable and the output when the binary exits at once', async () => {
    const { server } = aServer('exit');
    const error = await rejection(server.start());
    expect(error.reason).toBe('backend-unavailable');
    expect(error.message).toContain('exited with code 3 before printing its URL');
    expect(error.message).toContain('boom: launch 1 refused');
    expect(server.connection).toBeUndefined();
  });

  it('rejects a binary that cannot be started at all', async () => {
    const server = new KiloServer({ binary: path.join(os.tmpdir(), 'no-such-kilo-binary'), cwd: os.tmpdir() });
    servers.push(server);
    const error = await rejection(server.start());
    expect(error.reason).toBe('backend-unavailable');
    expect(error.message).toContain('could not be started');
  });

  it('refuses and stops a server that listens anywhere but 127.0.0.1', async () => {
    const { server, lines } = aServer('public');
    const error = await rejection(server.start());
    expect(error.reason).toBe('backend-unavailable');
    expect(error.message).toContain('0.0.0.0');
    expect(error.message).toContain('only http://127.0.0.1 is accepted');
    expect(isAlive(fakePid(lines))).toBe(false);
  });

  it('gives up after the start timeout, stops the process and reports its output', async () => {
    // Long enough for the fake to print its first line on a loaded machine: the message must carry it.
    const { server, lines } = aServer('silent', { startTimeoutMs: 3000 });
    const error = await rejection(server.start());
    expect(error.message).toContain('printed no URL within 3000 ms');
    expect(error.message).toMatch(/fake kilo pid \d+ launch 1/);
    expect(isAlive(fakePid(lines))).toBe(false);
  });

  it('fails at once when the server refuses our password', async () => {
    const { server } = aServer('unauthorized');
    const error = await rejection(server.start());
    expect(error.message).toContain('refused our password');
  });
});

describe('KiloServer restarts', () => {
  it('restarts a server that dies, with a new password and port', async () => {
    const { server } = aServer('serve');
    const seen = record(server);
    const first = await server.start();
    const restarted = next(server, 'server:restarted');
    process.kill(first.pid, 'SIGKILL');
    const second = await restarted;
    expect(seen.map((e) => e.event)).toEqual(['server:ready', 'server:exited', 'server:restarting', 'server:restarted']);
    expect(seen[1]?.value).toEqual({ code: null, signal: 'SIGKILL', expected: false });
    expect(seen[2]?.value).toEqual({ attempt: 1, delayMs: 10 });
    expect(second.password).not.toBe(first.password);
    expect(second.pid).not.toBe(first.pid);
    expect(server.connection).toBe(second);
    expect((await server.request('/global/health')).status).toBe(200);
  });

  it('kills the whole process group when the wrapper process dies', async () => {
    const { server } = aServer('wrapper');
    const first = await server.start();
    const { pid: serving } = (await (await server.request('/env')).json()) as { pid: number };
    expect(serving).not.toBe(first.pid);
    const restarted = next(server, 'server:restarted');
    process.kill(first.pid, 'SIGKILL');
    await restarted;
    expect(await refuses(first.baseUrl)).toBe(true);
  });

  it('backs off exponentially and gives up after maxRestarts failed restarts', async () => {
    const { server } = aServer('serve', { serveLaunches: 1, maxRestarts: 3 });
    const seen = record(server);
    const first = await server.start();
    const failed = next(server, 'server:failed');
    process.kill(first.pid, 'SIGKILL');
    const error = await failed;
    expect(seen.filter((e) => e.event === 'server:restarting').map((e) => e.value)).toEqual([
      { attempt: 1, delayMs: 10 },
      { attempt: 2, delayMs: 20 },
      { attempt: 3, delayMs: 40 },
    ]);
    expect(error.reason).toBe('backend-unavailable');
    expect(error.message).toContain('gave up after 3 restarts');
    expect(error.message).toContain('boom: launch 4 refused');
    expect(server.connection).toBeUndefined();
  });

  it('counts a restart that dies before it is stable as another attempt', async () => {
    const { server } = aServer('serve', { stableAfterMs: 60_000 });
    const first = await server.start();
    let restarted = next(server, 'server:restarted');
    process.kill(first.pid, 'SIGKILL');
    const second = await restarted;
    const restarting = next(server, 'server:restarting');
    restarted = next(server, 'server:restarted');
    process.kill(second.pid, 'SIGKILL');
    expect(await restarting).toEqual({ attempt: 2, delayMs: 20 });
    await restarted;
  });

  it('starts counting again once a restarted server has stayed up long enough', async () => {
    const { server, waitForLog } = aServer('serve', { stableAfterMs: 50 });
    const first = await server.start();
    const restarted = next(server, 'server:restarted');
    process.kill(first.pid, 'SIGKILL');
    const second = await restarted;
    await waitForLog(/restart count reset/);
    const restarting = next(server, 'server:restarting');
    process.kill(second.pid, 'SIGKILL');
    expect(await restarting).toEqual({ attempt: 1, delayMs: 10 });
  });

  it('lets start() wait for a restart that is under way', async () => {
    const { server } = aServer('serve', { restartBaseMs: 100 });
    const first = await server.start();
    const restarting = next(server, 'server:restarting');
    process.kill(first.pid, 'SIGKILL');
    await restarting;
    const [waited, restarted] = await Promise.all([server.start(), next(server, 'server:restarted')]);
    expect(waited).toBe(restarted);
  });
});

describe('KiloServer dispose', () => {
  it('stops the server, reports an expected exit and never restarts it', async () => {
    const { server } = aServer('serve');
    const seen = record(server);
    const exitListeners = process.listenerCount('exit');
    const connection = await server.start();
    expect(process.listenerCount('exit')).toBe(exitListeners + 1);
    await server.dispose();
    expect(isAlive(connection.pid)).toBe(false);
    expect(seen.map((e) => e.event)).toEqual(['server:ready', 'server:exited']);
    expect(seen[1]?.value).toEqual({ code: null, signal: 'SIGTERM', expected: true });
    expect(server.connection).toBeUndefined();
    expect(process.listenerCount('exit')).toBe(exitListeners);
    expect((await rejection(server.start())).reason).toBe('aborted');
    expect((await rejection(server.request('/global/health'))).reason).toBe('backend-unavailable');
  });

  it('kills a server that ignores SIGTERM once the stop timeout passes', async () => {
    const { server } = aServer('stubborn', { stopTimeoutMs: 200 });
    const connection = await server.start();
    const exited = next(server, 'server:exited');
    await server.dispose();
    expect(await exited).toEqual({ code: null, signal: 'SIGKILL', expected: true });
    expect(isAlive(connection.pid)).toBe(false);
  });

  it('aborts a start that is still under way', async () => {
    const { server, lines, waitForLog } = aServer('silent');
    const starting = server.start();
    await waitForLog(/fake kilo pid/);
    await server.dispose();
    expect((await rejection(starting)).reason).toBe('aborted');
    expect(isAlive(fakePid(lines))).toBe(false);
  });

  it('cancels a scheduled restart', async () => {
    const { server } = aServer('serve', { restartBaseMs: 60_000 });
    const first = await server.start();
    const restarting = next(server, 'server:restarting');
    process.kill(first.pid, 'SIGKILL');
    await restarting;
    const waiting = server.start();
    await server.dispose();
    expect((await rejection(waiting)).reason).toBe('aborted');
    expect(server.connection).toBeUndefined();
  });

  it('kills the server group synchronously from its process exit hook', async () => {
    const { server } = aServer('serve', { maxRestarts: 0 });
    const before = process.listeners('exit');
    await server.start();
    const hook = process.listeners('exit').find((listener) => !before.includes(listener));
    expect(hook).toBeDefined();
    const exited = next(server, 'server:exited');
    hook?.(0);
    expect(await exited).toMatchObject({ signal: 'SIGKILL' });
  });
});

/** The pid the fake printed on its first line. */
function fakePid(lines: Array<{ message: string }>): number {
  const pid = lines.map((line) => /^fake kilo pid (\d+)/.exec(line.message)?.[1]).find(Boolean);
  if (!pid) throw new Error('the fake printed no pid');
  return Number(pid);
}
