import fs from 'node:fs';
import path from 'node:path';

/** A shell script standing in for `kilo --version`. */
export function fakeVersionBinary(dir: string, options: { version?: string; name?: string; exitCode?: number; output?: string } = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, options.name ?? 'kilo');
  const output = options.output ?? options.version ?? '7.7.7';
  fs.writeFileSync(file, `#!/bin/sh\necho '${output}'\nexit ${options.exitCode ?? 0}\n`, { mode: 0o755 });
  return file;
}

/**
 * How a fake `kilo serve` behaves:
 * - `serve`: a tiny HTTP server checking Basic auth, with `/global/health` and `/env` (its pid and environment);
 * - `exit`: prints a line on each stream (the last one without a newline) and exits with code 3;
 * - `silent`: never prints its URL; `public`: claims to listen on 0.0.0.0;
 * - `unauthorized`: ignores the password, so every request gets 401;
 * - `stubborn`: serves but ignores SIGTERM;
 * - `wrapper`: serves from a grandchild, as the npm `kilo` wrapper does.
 */
export type FakeServeMode = 'serve' | 'exit' | 'silent' | 'public' | 'unauthorized' | 'stubborn' | 'wrapper';

const SERVER_SCRIPT = `
import fs from 'node:fs';
import http from 'node:http';
const mode = process.env.FAKE_KILO_MODE;
const counter = process.env.FAKE_KILO_COUNTER;
const launch = Number(fs.existsSync(counter) ? fs.readFileSync(counter, 'utf8') : '0') + 1;
fs.writeFileSync(counter, String(launch));
const serveLaunches = Number(process.env.FAKE_KILO_SERVE_LAUNCHES || Infinity);
console.log('fake kilo pid ' + process.pid + ' launch ' + launch);
if (mode === 'exit' || launch > serveLaunches) {
  console.error('boom: launch ' + launch + ' refused');
  process.stderr.write('no newline at the end', () => process.exit(3));
} else if (mode === 'silent') {
  setInterval(() => {}, 1000);
} else {
  if (mode === 'stubborn') process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
  const expected = 'Basic ' + Buffer.from('kilo:' + process.env.KILO_SERVER_PASSWORD).toString('base64');
  const server = http.createServer((req, res) => {
    if (mode === 'unauthorized' || req.headers.authorization !== expected) return res.writeHead(401).end();
    if (req.url === '/global/health') return res.end(JSON.stringify({ healthy: true, version: '0.0.0-fake' }));
    if (req.url === '/env') return res.end(JSON.stringify({ pid: process.pid, env: process.env }));
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1', () => {
    const host = mode === 'public' ? '0.0.0.0' : '127.0.0.1';
    console.log('kilo server listening on http://' + host + ':' + server.address().port);
  });
}
`;

/** A fake `kilo` whose `serve` behaves as `mode`; after `serveLaunches` launches every later one exits at once. */
export function fakeServeBinary(dir: string, mode: FakeServeMode, options: { serveLaunches?: number } = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  const script = path.join(dir, 'fakeKiloServe.mjs');
  fs.writeFileSync(script, SERVER_SCRIPT);
  const file = path.join(dir, `kilo-${mode}`);
  const node = `"${process.execPath}" "${script}"`;
  const lines = [
    '#!/bin/sh',
    `export FAKE_KILO_MODE=${mode}`,
    `export FAKE_KILO_COUNTER="${path.join(dir, `launches-${mode}`)}"`,
    `export FAKE_KILO_SERVE_LAUNCHES=${options.serveLaunches ?? ''}`,
    mode === 'wrapper' ? `${node} "$@" &\nwait` : `exec ${node} "$@"`,
  ];
  fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o755 });
  return file;
}
