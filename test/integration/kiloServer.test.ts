import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateKiloBinary } from '../../extension/kilo/kiloBinary';
import { KiloServer, privateHomeEnv, type KiloConnection, type KiloServerEvents } from '../../extension/kilo/kiloServer';
import { rejection } from '../unit/support/errors';
import { isAlive } from '../unit/support/process';
import { KILO_UNDER_TEST, KILO_VERSION_UNDER_TEST, PINNED_KILO } from './kiloRunHarness';

// Runs the REAL Kilo CLI binary (the pinned @kilocode/cli-linux-x64 7.7.7, or KILO_ORCHESTRA_KILO_PATH) in a private home, offline. The tests of the
// shared server run in order: start, authentication, crash and restart, dispose.
const root = path.resolve(__dirname, '../..');
const KILO_BIN = KILO_UNDER_TEST;
const START_TIMEOUT_MS = 60_000;

function next<K extends keyof KiloServerEvents & string>(server: KiloServer, event: K): Promise<Parameters<KiloServerEvents[K]>[0]> {
  return new Promise((resolve) => server.events.once(event, ((value: Parameters<KiloServerEvents[K]>[0]) => resolve(value)) as KiloServerEvents[K]));
}


/** Processes of process group `pgid` that have not exited (zombies excluded). */
function liveGroupMembers(pgid: number): string[] {
  const table = execFileSync('ps', ['-eo', 'pid=,pgid=,stat=,args='], { encoding: 'utf8' });
  return table
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, group, stat]) => Number(group) === pgid && !stat?.startsWith('Z'))
    .map((fields) => fields.join(' '));
}

async function health(connection: KiloConnection): Promise<unknown> {
  const response = await fetch(`${connection.baseUrl}/global/health`, { headers: { authorization: connection.authHeader } });
  return response.json();
}

describe('KiloServer on the real kilo binary', () => {
  let temp: string;
  let server: KiloServer;
  let first: KiloConnection;
  const seen: string[] = [];
  const output: string[] = [];

  beforeAll(() => {
    if (!fs.existsSync(KILO_BIN)) throw new Error(`${KILO_BIN} is missing: run npm ci (it installs @kilocode/cli-linux-x64).`);
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-server-it-'));
    const workspace = path.join(temp, 'workspace');
    fs.mkdirSync(workspace);
    server = new KiloServer({
      binary: KILO_BIN,
      cwd: workspace,
      home: path.join(temp, 'home'),
      offline: true,
      startTimeoutMs: START_TIMEOUT_MS,
      restartBaseMs: 100,
      log: (line) => output.push(`${line.level}: ${line.message}`),
    });
    for (const event of ['server:ready', 'server:exited', 'server:restarting', 'server:restarted', 'server:failed'] as const) server.events.on(event, () => seen.push(event));
  });

  afterAll(async () => {
    await server?.dispose();
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  });

  it('finds the project binary and reads its version 7.7.7, without touching the real home', async () => {
    const env = { ...process.env, ...privateHomeEnv(path.join(temp, 'version-home')) };
    const binary = await locateKiloBinary({ projectRoot: root, searchPath: false, env });
    expect(binary).toEqual({ path: PINNED_KILO, source: 'project', version: '7.7.7' });
  }, 30_000);

  it(`starts a healthy server on 127.0.0.1 reporting version ${KILO_VERSION_UNDER_TEST}`, async () => {
    const started = Date.now();
    first = await server.start();
    console.info(`kilo serve ${KILO_VERSION_UNDER_TEST}: healthy ${Date.now() - started} ms after spawn`);
    expect(first.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.version).toBe(KILO_VERSION_UNDER_TEST);
    expect(await health(first)).toEqual({ healthy: true, version: KILO_VERSION_UNDER_TEST });
    expect(output.some((line) => line.includes('kilo server listening on http://127.0.0.1:'))).toBe(true);
    expect(fs.existsSync(path.join(temp, 'home', '.local', 'share', 'kilo'))).toBe(true);
  }, START_TIMEOUT_MS);

  it('answers 401 to a request without the password and 200 with it', async () => {
    expect((await fetch(`${first.baseUrl}/global/health`)).status).toBe(401);
    const wrong = `Basic ${Buffer.from('kilo:not-the-password').toString('base64')}`;
    expect((await fetch(`${first.baseUrl}/global/health`, { headers: { authorization: wrong } })).status).toBe(401);
    expect((await server.request('/global/health')).status).toBe(200);
  });

  it('restarts a killed server with a new healthy connection', async () => {
    const restarting = next(server, 'server:restarting');
    const restarted = next(server, 'server:restarted');
    const killed = Date.now();
    process.kill(first.pid, 'SIGKILL');
    expect(await restarting).toEqual({ attempt: 1, delayMs: 100 });
    const second = await restarted;
    console.info(`kilo serve ${KILO_VERSION_UNDER_TEST}: restarted and healthy ${Date.now() - killed} ms after SIGKILL`);
    expect(seen).toEqual(['server:ready', 'server:exited', 'server:restarting', 'server:restarted']);
    expect(second.pid).not.toBe(first.pid);
    expect(second.password).not.toBe(first.password);
    expect(server.connection).toBe(second);
    expect(await health(second)).toEqual({ healthy: true, version: KILO_VERSION_UNDER_TEST });
    // Kilo's own binary ran under the killed npm wrapper: the group kill took it down too.
    expect(isAlive(first.pid)).toBe(false);
    expect(liveGroupMembers(first.pid)).toEqual([]);
  }, START_TIMEOUT_MS);

  it('dispose kills the server and no restart follows', async () => {
    const connection = server.connection;
    if (!connection) throw new Error('the server is not running');
    const exited = next(server, 'server:exited');
    const disposing = Date.now();
    await server.dispose();
    console.info(`kilo serve ${KILO_VERSION_UNDER_TEST}: stopped ${Date.now() - disposing} ms after dispose`);
    expect(await exited).toMatchObject({ expected: true });
    expect(isAlive(connection.pid)).toBe(false);
    expect(liveGroupMembers(connection.pid)).toEqual([]);
    expect(await fetch(`${connection.baseUrl}/global/health`).then(() => 'answered', () => 'refused')).toBe('refused');
    expect(server.connection).toBeUndefined();
    expect(seen.slice(4)).toEqual(['server:exited']);
    expect((await rejection(server.start())).reason).toBe('aborted');
  }, 30_000);

  it('rejects with backend-unavailable and the output when the binary exits at once', async () => {
    const script = path.join(temp, 'kilo-exits');
    fs.writeFileSync(script, '#!/bin/sh\necho "Error: unknown config key" >&2\nexit 2\n', { mode: 0o755 });
    const failing = new KiloServer({ binary: script, cwd: temp, home: path.join(temp, 'home2') });
    try {
      const error = await rejection(failing.start());
      expect(error.reason).toBe('backend-unavailable');
      expect(error.message).toContain('exited with code 2');
      expect(error.message).toContain('Error: unknown config key');
    } finally {
      await failing.dispose();
    }
  });
});
