import type { BenchLine, BenchmarkDocument, GroupName, Machine } from './benchmarkDocument';
import { BenchmarkDocumentSchema } from './benchmarkDocument';
import { atLinear, linearFit, median, powerFit } from './fit';

/**
 * Builds the benchmark document from the lines the group benches printed. Pure: the runner hands
 * in the lines, which benches failed and which parts were skipped; the tests hand in fixtures.
 */
export interface DocumentInput {
  machine: Machine;
  quick: boolean;
  wallMs: number;
  lines: BenchLine[];
  /** Bench name → why it failed (its exit, its last error output). */
  failures: Record<string, string>;
  /** Group → parts left out, with the reason (besides the lines with a `skipped` field the benches print). */
  skipped?: Partial<Record<GroupName, string[]>>;
}

/** The benches each group is made of. */
export const GROUP_BENCHES: Record<GroupName, string[]> = {
  coordinatorContext: ['coordinatorContext', 'rolePrompts'],
  parallelSpeedup: ['parallelSpeedup', 'speedupByPlanSize'],
  engineGrowth: ['engineGrowth'],
  store: ['artifactStore'],
  extension: ['bundleSize', 'extensionActivation', 'dashboardRender'],
  // Printed by the parallel speedup bench, from the same runs.
  memory: ['memory'],
};

/** The bench files the runner runs for the document (memory comes with parallelSpeedup). */
export const DOCUMENT_BENCHES = ['coordinatorContext', 'rolePrompts', 'parallelSpeedup', 'engineGrowth', 'artifactStore', 'bundleSize', 'extensionActivation', 'dashboardRender'];

/** The plan sizes the coordinator-context table always shows, measured or not. */
const CONTEXT_SIZES = [4, 16, 50, 200, 1000];

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;
const ratio = (a: number, b: number): number | null => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? round(a / b) : null);

export function buildDocument(input: DocumentInput): BenchmarkDocument {
  const linesOf = (bench: string) => input.lines.filter((line) => line.bench === bench && line.error === undefined && line.skipped === undefined);
  const skippedOf = (group: GroupName): string[] => [
    ...(input.skipped?.[group] ?? []),
    ...input.lines.filter((line) => GROUP_BENCHES[group].includes(line.bench) && typeof line.skipped === 'string').map((line) => `${line.bench}: ${String(line.skipped)}`),
  ];
  const status = (group: GroupName, extraErrors: string[] = []) => {
    const errors = [
      ...GROUP_BENCHES[group].flatMap((bench) => (input.failures[bench] ? [`${bench}: ${input.failures[bench]}`] : [])),
      ...input.lines.filter((line) => GROUP_BENCHES[group].includes(line.bench) && line.error !== undefined).map((line) => `${line.bench}: ${line.error}`),
      ...extraErrors,
    ];
    const skipped = skippedOf(group);
    const ran = GROUP_BENCHES[group].some((bench) => linesOf(bench).length > 0);
    return { status: errors.length > 0 ? ('failed' as const) : !ran && skipped.length > 0 ? ('skipped' as const) : ('ok' as const), errors, skipped };
  };
  const missing = (group: GroupName, present: boolean): string[] => (present || skippedOf(group).length > 0 || GROUP_BENCHES[group].some((bench) => input.failures[bench]) ? [] : ['no figures were printed']);

  const context = { ...coordinatorContext(linesOf('coordinatorContext')), rolePrompts: rolePrompts(linesOf('rolePrompts')) };
  const speedup = { ...parallelSpeedup(linesOf('parallelSpeedup')), byPlanSize: speedupByPlanSize(linesOf('parallelSpeedup'), linesOf('speedupByPlanSize')) };
  const memoryRows = memory(linesOf('memory'));
  const extension = extensionGroup(linesOf('bundleSize'), linesOf('extensionActivation'), linesOf('dashboardRender'));
  const document: BenchmarkDocument = {
    machine: input.machine,
    quick: input.quick,
    wallMs: Math.round(input.wallMs),
    groups: {
      coordinatorContext: { ...status('coordinatorContext', missing('coordinatorContext', context.rows.length > 0)), ...context },
      parallelSpeedup: { ...status('parallelSpeedup', missing('parallelSpeedup', speedup.rows.length > 0)), ...speedup },
      engineGrowth: { ...status('engineGrowth', missing('engineGrowth', linesOf('engineGrowth').length > 0)), ...folded(linesOf('engineGrowth'), 'wall time and peak memory of the engine against the plan size, as bench/engineGrowth.bench.ts prints them') },
      store: { ...status('store', missing('store', linesOf('artifactStore').length > 0)), ...folded(linesOf('artifactStore'), 'recording and reopening artifacts against writing the same bytes to one append-only file, as bench/artifactStore.bench.ts prints them') },
      extension: { ...status('extension', missing('extension', extension.bundles.length > 0)), ...extension },
      memory: { ...status('memory', missing('memory', memoryRows.rows.length > 0)), ...memoryRows },
    },
  };
  return BenchmarkDocumentSchema.parse(document);
}

function coordinatorContext(lines: BenchLine[]) {
  const ours = lines.filter((line) => line.side === 'ours');
  const peer = lines.filter((line) => line.side === 'kiloOrchestrator');
  const peerBy = new Map(groupMedian(peer, 'files', 'largestPromptTokens'));
  const oursBy = new Map(groupMedian(ours, 'files', 'largestPromptTokens'));
  const described = peer.find((line) => Number.isFinite(num(line.firstPromptTokens)) && Number.isFinite(num(line.toolTokens)));
  const measuredAt = [...peerBy.keys()].sort((a, b) => a - b);
  const fit = measuredAt.length >= 2 ? linearFit(measuredAt.map((files) => [files, peerBy.get(files)!] as const)) : null;
  const sizes = [...new Set([...CONTEXT_SIZES, ...oursBy.keys(), ...measuredAt])].sort((a, b) => a - b);
  const rows = sizes.map((files) => {
    const oursTokens = oursBy.get(files) ?? null;
    const measured = peerBy.get(files);
    const peerTokens = measured ?? (fit ? Math.round(atLinear(fit, files)) : null);
    return {
      files,
      oursTokens,
      peerTokens,
      peerSource: measured !== undefined ? ('measured' as const) : peerTokens !== null ? ('extrapolated' as const) : ('none' as const),
      peerOverOurs: oursTokens !== null && peerTokens !== null ? ratio(peerTokens, oursTokens) : null,
    };
  });
  return {
    method: "Largest prompt in o200k tokens (system prompt and messages, tool definitions left out on both sides). Ours: the Organiser's prompts caught at the backend port of a whole simulated run. Kilo's orchestrator: its requests to the scripted model on real kilo serve, one task call per file, each child answering ~400 tokens; sizes not run are a line fit's extrapolation.",
    repeats: 1,
    resultTokens: num(peer[0]?.resultTokens) || 400,
    budgetTokens: num(ours[0]?.budgetTokens) || 0,
    kiloVersion: typeof peer[0]?.kiloVersion === 'string' ? peer[0].kiloVersion : 'not run',
    peerRequests: described
      ? { firstPromptTokens: num(described.firstPromptTokens), toolTokens: num(described.toolTokens), tools: strings(described.tools), taskToolRequired: strings(described.taskToolRequired) }
      : null,
    peerFit: fit ? { intercept: round(fit.intercept, 1), tokensPerSubtask: round(fit.slope, 1), measuredAt } : null,
    rows,
  };
}

/** Every role's largest prompt (by kind of work) at each plan size, and how much it grew from the smallest size to the largest. */
function rolePrompts(lines: BenchLine[]) {
  const sizes = [...new Set(lines.map((line) => num(line.files)).filter(Number.isFinite))].sort((a, b) => a - b);
  const keys = [...new Set(lines.map((line) => `${String(line.role)}\u0000${String(line.kind)}`))];
  const rows = keys.map((key) => {
    const [role = '', kind = ''] = key.split('\u0000');
    const mine = lines.filter((line) => line.role === role && line.kind === kind);
    const byFiles = sizes.flatMap((files) => {
      const at = mine.filter((line) => num(line.files) === files).map((line) => num(line.largestPromptTokens));
      return at.length > 0 ? [{ files, tokens: median(at) }] : [];
    });
    const first = byFiles[0];
    const last = byFiles.at(-1);
    return { role, kind, byFiles, largestOverSmallest: first && last && byFiles.length > 1 ? ratio(last.tokens, first.tokens) : null };
  });
  return { sizes, rows };
}

function parallelSpeedup(lines: BenchLine[]) {
  const ours = lines.filter((line) => line.side === 'ours');
  const peer = lines.filter((line) => line.side === 'kiloOrchestrator');
  const files = num(lines[0]?.files);
  const latencyMs = num(lines[0]?.latencyMs);
  const single = ours.filter((line) => line.coders === 1);
  const baseline = median(single.map((line) => num(line.implementMs)));
  const wallBaseline = median(single.map((line) => num(line.wallMs)));
  const row = (side: 'ours' | 'kiloOrchestrator', agents: number, runs: BenchLine[]) => {
    const implementMs = median(runs.map((line) => num(line.implementMs)));
    const speedup = ratio(baseline, implementMs) ?? 0;
    const idealSpeedup = Math.max(1, Math.min(agents, Number.isFinite(files) ? files : agents));
    const overheadPerTurnMs = median(runs.map((line) => num(line.overheadPerTurnMs)));
    const wallMs = median(runs.map((line) => num(line.wallMs)));
    const cpuPerRequest = median(runs.map((line) => num(line.kiloCpuMs) / num(line.modelRequests)));
    const serial = wallBaseline - baseline;
    return {
      side,
      agents,
      implementMs: Math.round(implementMs),
      speedup,
      idealSpeedup,
      efficiency: round(speedup / idealSpeedup),
      startStaggerMs: Math.round(median(runs.map((line) => num(line.startStaggerMs)))),
      overheadPerTurnMs: Math.round(overheadPerTurnMs),
      overheadOverLatency: ratio(overheadPerTurnMs, latencyMs) ?? 0,
      achievedConcurrency: round(median(runs.map((line) => num(line.achievedConcurrency))) || 0),
      wallMs: Number.isFinite(wallMs) ? Math.round(wallMs) : null,
      wallSpeedup: ratio(wallBaseline, wallMs),
      wallIdealSpeedup: side === 'ours' && serial >= 0 ? ratio(wallBaseline, serial + baseline / idealSpeedup) : null,
      kiloCpuMsPerRequest: Number.isFinite(cpuPerRequest) ? Math.round(cpuPerRequest) : null,
    };
  };
  const coders = [...new Set(ours.map((line) => num(line.coders)))].sort((a, b) => a - b);
  const rows = [
    ...coders.map((count) => row('ours', count, ours.filter((line) => line.coders === count))),
    ...(peer.length > 0 ? [row('kiloOrchestrator', num(peer[0]!.coders), peer)] : []),
  ];
  const repeats = Math.max(0, ...coders.map((count) => ours.filter((line) => line.coders === count).length));
  return {
    method: 'A whole run of our team (plan, plan review, scaffold, implementation with a Code Sceptic per coder reviewing beside it, documents, tests) on N independent files on real kilo serve with the scripted model at a fixed latency. implementMs runs from the first implementation request to the end of the last (the model log); wallMs is the whole run. Speedups are against our one-coder run in the same bench; Kilo’s orchestrator fans out the same N subtasks (each child writes its file, then reports) on a kilo serve with Kilo’s default settings.',
    repeats,
    files: Number.isFinite(files) ? files : 0,
    latencyMs: Number.isFinite(latencyMs) ? latencyMs : 0,
    rows: Number.isFinite(baseline) ? rows : [],
  };
}

/** Whole-run times by plan size: the main plan's one- and four-coder medians, then the longer plan's runs. */
function speedupByPlanSize(main: BenchLine[], longer: BenchLine[]) {
  const ours = [...main.filter((line) => line.side === 'ours' && (line.coders === 1 || line.coders === 4)), ...longer];
  const keys = [...new Set(ours.map((line) => `${num(line.files)}:${num(line.coders)}`))];
  const rows = keys.flatMap((key) => {
    const [files = Number.NaN, coders = Number.NaN] = key.split(':').map(Number);
    const wallMs = median(ours.filter((line) => line.files === files && line.coders === coders).map((line) => num(line.wallMs)));
    return Number.isFinite(files) && Number.isFinite(coders) && Number.isFinite(wallMs) ? [{ files, coders, wallMs: Math.round(wallMs) }] : [];
  });
  return rows
    .map((row) => ({ ...row, wallSpeedup: ratio(rows.find((one) => one.files === row.files && one.coders === 1)?.wallMs ?? Number.NaN, row.wallMs) }))
    .sort((a, b) => a.files - b.files || a.coders - b.coders);
}

function memory(lines: BenchLine[]) {
  const keyOf = (line: BenchLine) => `${String(line.side)}:${num(line.coders)}`;
  const keys = [...new Set(lines.map(keyOf))];
  const rows = keys.map((key) => {
    const runs = lines.filter((line) => keyOf(line) === key);
    const mb = (field: string) => round(median(runs.map((line) => num(line[field]))) / 1e6, 0);
    return {
      side: runs[0]!.side === 'kiloOrchestrator' ? ('kiloOrchestrator' as const) : ('ours' as const),
      agents: median(runs.map((line) => num(line.agents))),
      sessionsCreated: median(runs.map((line) => num(line.sessionsCreated))),
      sessionsAliveAtEnd: Math.max(...runs.map((line) => num(line.sessionsAliveAtEnd))),
      ownPeakMb: mb('ownPeakRssBytes'),
      kiloPeakMb: mb('kiloPeakRssBytes'),
      kiloServerPeakMb: runs.every((line) => Number.isFinite(num(line.kiloServerPeakRssBytes))) ? mb('kiloServerPeakRssBytes') : mb('kiloPeakRssBytes'),
    };
  });
  const smallest = rows.filter((r) => r.side === 'ours').sort((a, b) => a.agents - b.agents)[0];
  return {
    method: 'Peak RSS from /proc: our process (the kernel’s maxRSS of the run’s own process) and kilo serve: the process itself (its VmHWM) and its process group (RSS summed over its processes, sampled every 200 ms, so shared pages count once per process), per run of the parallel speedup group. Ratios are against our run with the fewest agents.',
    repeats: Math.max(0, ...keys.map((key) => lines.filter((line) => keyOf(line) === key).length)),
    rows: rows.map((r) => ({ ...r, kiloOverSmallest: ratio(r.kiloPeakMb, smallest?.kiloPeakMb ?? Number.NaN) ?? 0, ownOverSmallest: ratio(r.ownPeakMb, smallest?.ownPeakMb ?? Number.NaN) ?? 0 })),
  };
}

function extensionGroup(bundles: BenchLine[], activation: BenchLine[], dashboard: BenchLine[]) {
  const baselineFrame = dashboard.find((line) => line.baseline === true);
  const act = activation[0];
  return {
    method: 'Bundle sizes of dist/*.js from the build’s metafiles (own code against inlined dependencies). Activation in the real VS Code host (code-server): the time our activate() takes, as the extension logs it, against how long the extension host had been up when it returned. Dashboard render in real Chromium, against opening the recorded run as it is.',
    repeats: Math.max(0, ...dashboard.map((line) => num(line.repetitions)).filter(Number.isFinite)),
    bundles: bundles.map((line) => ({
      file: String(line.file),
      bytes: num(line.bytes),
      ownBytes: num(line.ownBytes),
      dependencyBytes: num(line.dependencyBytes),
      dependencyShare: ratio(num(line.dependencyBytes), num(line.ownBytes) + num(line.dependencyBytes)) ?? 0,
    })),
    activation: act ? { ms: num(act.activationMs), baselineMs: Number.isFinite(num(act.baselineMs)) ? num(act.baselineMs) : null, ratio: ratio(num(act.activationMs), num(act.baselineMs)) } : null,
    dashboard: dashboard
      .filter((line) => line.baseline !== true)
      .map((line) => ({
        case: String(line.case),
        domMs: num(line.domMsMedian),
        frameMs: num(line.frameMsMedian),
        baselineFrameMs: baselineFrame ? num(baselineFrame.frameMsMedian) : null,
        ratio: baselineFrame ? ratio(num(line.frameMsMedian), num(baselineFrame.frameMsMedian)) : null,
      })),
  };
}

/** Lines kept as printed; for each numeric column that looks like a time or a size in bytes, its growth exponent against the size column. */
function folded(lines: BenchLine[], method: string) {
  const sizeKey = ['files', 'planFiles', 'planSize', 'artifacts', 'size', 'n'].find((key) => lines.filter((line) => Number.isFinite(num(line[key]))).length >= 2);
  const exponents: Array<{ x: string; y: string; exponent: number }> = [];
  if (sizeKey) {
    const columns = new Set(lines.flatMap((line) => Object.keys(line)));
    for (const column of columns) {
      if (column === sizeKey || !/(^ms|Ms|Bytes|Mb|MB)$/.test(column)) continue;
      const points = lines.map((line) => [num(line[sizeKey]), num(line[column])] as const).filter(([x, y]) => x > 0 && y > 0);
      if (new Set(points.map(([x]) => x)).size < 2) continue;
      exponents.push({ x: sizeKey, y: column, exponent: round(powerFit(points).exponent) });
    }
  }
  const repeats = Math.max(1, ...lines.map((line) => num(line.repeats)).filter(Number.isFinite));
  return { method, repeats: lines.length > 0 ? repeats : 0, lines, exponents };
}

/** [key, median of field] per distinct value of `key`. */
function groupMedian(lines: BenchLine[], key: string, field: string): Array<[number, number]> {
  const keys = [...new Set(lines.map((line) => num(line[key])).filter(Number.isFinite))];
  return keys.map((value) => [value, median(lines.filter((line) => num(line[key]) === value).map((line) => num(line[field])))]);
}
