// The one entry of the benchmarks: `npm run bench` (or `npm run bench -- --quick`).
//   node bench/run.mjs [--quick]          every group bench, then ONE JSON document on stdout
//                                         (progress on stderr) and docs/BENCHMARKS.md rewritten
//   node bench/run.mjs [--quick] name …   only those benches, their JSON lines as printed (no document)
// Each bench/*.bench.ts is bundled with esbuild into .cache/bench and run with node; it prints one
// JSON object per measurement, each with a `bench` field, and reads `--quick` from its argv. A bench
// that fails is reported in the document with its error, and this process then exits 1.
import * as esbuild from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tokenizerRanksAsJson } from '../scripts/tokenizerRanks.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const outDir = path.join(root, '.cache', 'bench');
const quick = process.argv.includes('--quick');
const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const progress = (line) => process.stderr.write(`[bench] ${line}\n`);

async function bundle(entry, outfile) {
  // esbuild itself stays a package: a bench that builds something loads it from node_modules.
  // Built as the product is (the tokenizer's ranks as JSON, see esbuild.config.mjs), so memory figures are the shipped code's.
  await esbuild.build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['esbuild'], logLevel: 'warning', plugins: [tokenizerRanksAsJson()] });
}

/** Runs one bench; resolves with its JSON lines and, when it failed, why. Non-JSON stdout goes to stderr. */
async function runBench(name) {
  const source = path.join(here, `${name}.bench.ts`);
  if (!fs.existsSync(source)) return { lines: [], failure: `bench/${name}.bench.ts does not exist` };
  const outfile = path.join(outDir, `${name}.bench.cjs`);
  try {
    await bundle(source, outfile);
  } catch (error) {
    return { lines: [], failure: `it does not build: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
  const started = Date.now();
  const child = spawn(process.execPath, [outfile, ...(quick ? ['--quick'] : [])], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  let stdout = '';
  const stderrTail = [];
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    stdout += chunk;
    const parts = stdout.split('\n');
    stdout = parts.pop() ?? '';
    for (const part of parts) take(part);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    process.stderr.write(chunk);
    stderrTail.push(...chunk.split('\n').filter(Boolean));
    stderrTail.splice(0, Math.max(0, stderrTail.length - 5));
  });
  function take(text) {
    if (text.trim() === '') return;
    try {
      const line = JSON.parse(text);
      if (line && typeof line === 'object' && typeof line.bench === 'string') {
        lines.push(line);
        if (wanted.length > 0) process.stdout.write(`${text}\n`);
        return;
      }
    } catch {
      // not a figure: progress
    }
    process.stderr.write(`${text}\n`);
  }
  const code = await new Promise((resolve) => child.on('close', (status, signal) => resolve(status ?? signal)));
  if (stdout) take(stdout);
  progress(`${name}: ${lines.length} line(s) in ${Math.round((Date.now() - started) / 1000)} s${code === 0 ? '' : `, exit ${code}`}`);
  return code === 0 ? { lines } : { lines, failure: `exited with ${code}${stderrTail.length ? `: ${stderrTail.at(-1)}` : ''}` };
}

function git(args) {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function kiloVersion() {
  const binary = process.env.KILO_ORCHESTRA_KILO_PATH || path.join(root, 'node_modules', '@kilocode', 'cli-linux-x64', 'bin', 'kilo');
  if (!fs.existsSync(binary)) return `not installed (${path.relative(root, binary)}; npm ci installs it)`;
  // A private home, so asking the version touches nothing of the user's Kilo.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-kilo-version-'));
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, 'c'), XDG_DATA_HOME: path.join(home, 'd'), XDG_CACHE_HOME: path.join(home, 'k'), XDG_STATE_HOME: path.join(home, 's') } });
  fs.rmSync(home, { recursive: true, force: true });
  return result.status === 0 ? result.stdout.trim() : `unknown (kilo --version exited ${result.status})`;
}

const loadAverage = () => os.loadavg().map((load) => Math.round(load * 100) / 100);

function machine(startedAt, loadAtStart) {
  const cpus = os.cpus();
  const head = git(['rev-parse', '--short', 'HEAD']) ?? 'unknown';
  const dirty = (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '';
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    kilo: kiloVersion(),
    loadAverage: { atStart: loadAtStart, atEnd: loadAverage() },
    date: startedAt.toISOString(),
    commit: `${head}${dirty ? '+changes' : ''}`,
  };
}

const startedAt = new Date();
const loadAtStart = loadAverage();
fs.mkdirSync(outDir, { recursive: true });

if (wanted.length > 0) {
  let failed = 0;
  for (const name of wanted) {
    const { failure } = await runBench(name);
    if (failure) {
      failed += 1;
      progress(`${name} failed: ${failure}`);
    }
  }
  process.exit(failed === 0 ? 0 : 1);
}

// The document's pure parts are TypeScript: bundled like the benches.
const documentModule = path.join(outDir, 'benchmarkReport.cjs');
await bundle(path.join(here, 'benchmarkReport.ts'), documentModule);
const { DOCUMENT_BENCHES, buildDocument, failedGroups, renderBenchmarks } = createRequire(import.meta.url)(documentModule);

const lines = [];
const failures = {};
for (const name of DOCUMENT_BENCHES) {
  progress(`${name}${quick ? ' (quick)' : ''}`);
  const result = await runBench(name);
  lines.push(...result.lines);
  if (result.failure) failures[name] = result.failure;
}
const document = buildDocument({ machine: machine(startedAt, loadAtStart), quick, wallMs: Date.now() - startedAt.getTime(), lines, failures });
process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
fs.writeFileSync(path.join(root, 'docs', 'BENCHMARKS.md'), renderBenchmarks(document));
const failed = failedGroups(document);
progress(`done in ${Math.round(document.wallMs / 1000)} s; docs/BENCHMARKS.md rewritten${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
process.exit(failed.length === 0 ? 0 : 1);
