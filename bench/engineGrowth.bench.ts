// How the engine's own cost grows with the plan: a whole run on the simulated backend with no model
// latency (all time is the engine's), at 50 … 2,000 files, each run in a fresh process so its peak
// memory is its own; the full bench runs each size three times and prints the medians (peak RSS
// swings by ±15% with when V8 collects). Prints one line per size and a summary with the log-log
// fitted exponent.
//   node bench/run.mjs engineGrowth            (all sizes; several minutes)
//   node .cache/bench/engineGrowth.bench.cjs --quick   (50, 100, 200: well under a minute)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimulatedBackend } from '../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../extension/engine/roles/roleValidation';
import { OrchestrationRun } from '../extension/engine/run/orchestrationRun';
import { emit, median, round } from './stats';

const FULL_SIZES = [50, 100, 200, 500, 1000, 2000];
const QUICK_SIZES = [50, 100, 200];
const FULL_REPEATS = 3;

interface SizeFigures {
  files: number;
  /** Files the run's plan held (a plan is capped at LIMITS.plannedFiles). */
  planned: number;
  approved: number;
  ms: number;
  /** User + system CPU time of the run: less swayed than wall time by other processes on the machine. */
  cpuMs: number;
  status: string;
  peakRssMB: number;
  maxRssMB: number;
  /** The heap still in use once the run ended and a full collection ran: what the run keeps, not its garbage. */
  liveHeapMB: number;
  organiserMaxContextTokens: number;
}

/** One run, in this (child) process; prints its figures as one JSON line. */
async function runOnce(files: number): Promise<void> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-growth-'));
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const run = await OrchestrationRun.create({ workspace, task: 'Build the modules', roles: resolveRoles(simulatedRolesConfig()), backend: new SimulatedBackend({ files, latencyMs: 0 }), maxActive: 4, onAttention: 'fail', maxPlannedFiles: files });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const report = await run.start();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    peak = Math.max(peak, process.memoryUsage().rss);
    // The child runs with --expose-gc (see main).
    (globalThis as { gc?: () => void }).gc?.();
    const liveHeap = process.memoryUsage().heapUsed;
    const figures: SizeFigures = {
      files,
      planned: report.files.planned,
      approved: report.files.approved,
      ms: round(ms, 0),
      cpuMs: round((cpu.user + cpu.system) / 1000, 0),
      status: report.status,
      peakRssMB: round(peak / 1e6, 0),
      // resourceUsage's maxRSS is in kilobytes and counts every moment, not just the samples.
      maxRssMB: round((process.resourceUsage().maxRSS * 1024) / 1e6, 0),
      liveHeapMB: round(liveHeap / 1e6, 0),
      organiserMaxContextTokens: report.organiser.maxContextTokens,
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    clearInterval(sampler);
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

/** Least-squares slope of log(time) against log(files): 1 is linear. */
function fittedExponent(points: Array<{ files: number; ms: number }>): number {
  const xs = points.map((p) => Math.log(p.files));
  const ys = points.map((p) => Math.log(Math.max(1, p.ms)));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxy = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i]! - my), 0);
  const sxx = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return sxy / sxx;
}

function main(): void {
  const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
  const sizes = quick ? QUICK_SIZES : FULL_SIZES;
  const repeats = quick ? 1 : FULL_REPEATS;
  const results: SizeFigures[] = [];
  for (const files of sizes) {
    const runs: SizeFigures[] = [];
    for (let repeat = 0; repeat < repeats; repeat++) {
      const child = spawnSync(process.execPath, ['--expose-gc', process.argv[1]!, '--child', String(files)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      const line = child.stdout.trim().split('\n').at(-1) ?? '';
      if (child.status !== 0 || line === '') {
        emit({ bench: 'engineGrowth', files, error: (child.stderr || `exit ${child.status}`).slice(-400) });
        process.exitCode = 1;
        break;
      }
      runs.push(JSON.parse(line) as SizeFigures);
    }
    if (runs.length < repeats) continue;
    const figures = medianRun(runs);
    results.push(figures);
    emit({ bench: 'engineGrowth', ...figures, repeats, msPerFile: round(figures.ms / files, 2), cpuMsPerFile: round(figures.cpuMs / files, 2), ...(repeats > 1 ? { peakRssMBMin: Math.min(...runs.map((r) => r.peakRssMB)), peakRssMBMax: Math.max(...runs.map((r) => r.peakRssMB)) } : {}) });
  }
  if (results.length < 2) return;
  const perFile = results.map((r) => r.ms / r.files);
  const at = (files: number) => results.find((r) => r.files === files);
  const t100 = at(100)?.ms;
  const t1000 = at(1000)?.ms;
  const largest = results.at(-1)!;
  emit({
    bench: 'engineGrowth',
    summary: true,
    sizes: results.map((r) => r.files),
    msPerFile: results.map((r, i) => ({ files: r.files, ms: round(perFile[i]!, 2) })),
    fittedExponent: round(fittedExponent(results), 3),
    cpuMsPerFile: results.map((r) => ({ files: r.files, ms: round(r.cpuMs / r.files, 2) })),
    cpuFittedExponent: round(fittedExponent(results.map((r) => ({ files: r.files, ms: r.cpuMs }))), 3),
    // Flat within ±30% means max/min per-file time ≤ 1.3/0.7 ≈ 1.86.
    perFileSpread: round(Math.max(...perFile) / Math.min(...perFile), 2),
    ...(t100 !== undefined && t1000 !== undefined ? { time1000Over100: round(t1000 / t100, 2) } : {}),
    ...(at(1000) ? { peakRssMBAt1000: Math.max(at(1000)!.peakRssMB, at(1000)!.maxRssMB), liveHeapMBAt1000: at(1000)!.liveHeapMB } : {}),
    organiserMaxContextTokensAtLargest: { files: largest.files, tokens: largest.organiserMaxContextTokens },
    allCompleted: results.every((r) => r.status === 'COMPLETED'),
  });
}

/** Each measured figure's median over the runs of one size; the rest from the first run. */
function medianRun(runs: SizeFigures[]): SizeFigures {
  const of = (pick: (r: SizeFigures) => number) => median(runs.map(pick));
  return {
    ...runs[0]!,
    ms: of((r) => r.ms),
    cpuMs: of((r) => r.cpuMs),
    peakRssMB: of((r) => r.peakRssMB),
    maxRssMB: of((r) => r.maxRssMB),
    liveHeapMB: of((r) => r.liveHeapMB),
    organiserMaxContextTokens: Math.max(...runs.map((r) => r.organiserMaxContextTokens)),
    status: runs.find((r) => r.status !== 'COMPLETED')?.status ?? 'COMPLETED',
  };
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  runOnce(Number(process.argv[childAt + 1])).catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
} else {
  main();
}
