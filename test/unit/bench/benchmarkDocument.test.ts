import { describe, expect, it } from 'vitest';
import { BenchmarkDocumentSchema, failedGroups } from '../../../bench/benchmarkDocument';
import type { BenchLine } from '../../../bench/benchmarkDocument';
import { renderBenchmarks } from '../../../bench/benchmarkMarkdown';
import { buildDocument } from '../../../bench/buildGroups';
import type { DocumentInput } from '../../../bench/buildGroups';
import { atLinear, concurrency, linearFit, median, powerFit } from '../../../bench/fit';

const machine = { cpuModel: 'Test CPU', cores: 2, memoryBytes: 8 * 2 ** 30, os: 'Linux 6 x64', node: 'v20.19.0', kilo: '7.7.7', loadAverage: { atStart: [0.5, 0.4, 0.3], atEnd: [1.5, 0.8, 0.4] }, date: '2026-12-02T03:00:00.000Z', commit: 'abc1234' };

/** Lines as the group benches print them, for a run where everything worked. */
function everyGroupsLines(): BenchLine[] {
  return [
    { bench: 'coordinatorContext', side: 'ours', files: 4, largestPromptTokens: 900, budgetTokens: 2000 },
    { bench: 'coordinatorContext', side: 'ours', files: 1000, largestPromptTokens: 2300, budgetTokens: 2000 },
    { bench: 'coordinatorContext', side: 'kiloOrchestrator', files: 4, largestPromptTokens: 3600, resultTokens: 400, kiloVersion: '7.7.7', firstPromptTokens: 1600, toolTokens: 9600, tools: ['bash', 'task'], taskToolRequired: ['description', 'prompt', 'subagent_type'] },
    { bench: 'coordinatorContext', side: 'kiloOrchestrator', files: 8, largestPromptTokens: 5700, resultTokens: 400, kiloVersion: '7.7.7' },
    { bench: 'rolePrompts', files: 4, role: 'code-sceptic', kind: 'review-code', largestPromptTokens: 1100 },
    { bench: 'rolePrompts', files: 4, role: 'code-sceptic', kind: 'review-plan', largestPromptTokens: 1000 },
    { bench: 'rolePrompts', files: 16, role: 'code-sceptic', kind: 'review-code', largestPromptTokens: 1210 },
    { bench: 'rolePrompts', files: 16, role: 'code-sceptic', kind: 'review-plan', largestPromptTokens: 2000 },
    { bench: 'parallelSpeedup', side: 'ours', files: 4, latencyMs: 250, coders: 1, implementMs: 20000, wallMs: 30000, startStaggerMs: 0, overheadPerTurnMs: 4000, kiloCpuMs: 40000, modelRequests: 100 },
    { bench: 'parallelSpeedup', side: 'ours', files: 4, latencyMs: 250, coders: 4, implementMs: 8000, wallMs: 16000, startStaggerMs: 900, overheadPerTurnMs: 6000, achievedConcurrency: 2.5 },
    { bench: 'parallelSpeedup', side: 'kiloOrchestrator', files: 4, latencyMs: 250, coders: 4, implementMs: 10000, startStaggerMs: 2000, overheadPerTurnMs: 9000 },
    { bench: 'memory', side: 'ours', coders: 1, agents: 4, sessionsCreated: 4, sessionsAliveAtEnd: 0, ownPeakRssBytes: 180e6, kiloPeakRssBytes: 800e6 },
    { bench: 'memory', side: 'ours', coders: 4, agents: 7, sessionsCreated: 7, sessionsAliveAtEnd: 0, ownPeakRssBytes: 190e6, kiloPeakRssBytes: 1200e6, kiloServerPeakRssBytes: 900e6 },
    { bench: 'engineGrowth', files: 50, wallMs: 100, peakRssBytes: 1e8 },
    { bench: 'engineGrowth', files: 500, wallMs: 1000, peakRssBytes: 1e8 },
    { bench: 'engineGrowth', summary: true, sizes: [50, 500], fittedExponent: 1 },
    { bench: 'artifactStore', artifacts: 10000, storeMs: 300, appendMs: 100, ratio: 3 },
    { bench: 'bundleSize', file: 'dist/extension.js', bytes: 4e6, ownBytes: 1e6, dependencyBytes: 3e6 },
    { bench: 'dashboardRender', case: 'recorded', baseline: true, domMsMedian: 5, frameMsMedian: 10, repetitions: 3 },
    { bench: 'dashboardRender', case: 'open', domMsMedian: 50, frameMsMedian: 60, repetitions: 3 },
    { bench: 'extensionActivation', skipped: 'no VS Code host in quick mode' },
  ];
}

function withActivation(): BenchLine[] {
  return [...everyGroupsLines().filter((line) => line.bench !== 'extensionActivation'), { bench: 'extensionActivation', activationMs: 15, baselineMs: 6617 }];
}

function input(overrides: Partial<DocumentInput> = {}): DocumentInput {
  return { machine, quick: true, wallMs: 150_000, lines: everyGroupsLines(), failures: {}, ...overrides };
}

describe('curve fits', () => {
  it('recovers the line through exact points', () => {
    const fit = linearFit([[4, 1000 + 4 * 530], [16, 1000 + 16 * 530], [50, 1000 + 50 * 530]]);
    expect(fit.slope).toBeCloseTo(530, 6);
    expect(fit.intercept).toBeCloseTo(1000, 6);
    expect(atLinear(fit, 1000)).toBeCloseTo(531_000, 3);
  });

  it('finds the exponent of a power law: 1 for linear growth, 2 for quadratic', () => {
    const sizes = [50, 200, 500, 2000];
    expect(powerFit(sizes.map((n) => [n, 3 * n] as const)).exponent).toBeCloseTo(1, 6);
    expect(powerFit(sizes.map((n) => [n, 0.01 * n * n] as const)).exponent).toBeCloseTo(2, 6);
  });

  it('refuses fits it cannot make instead of returning NaN', () => {
    expect(() => linearFit([[1, 2]])).toThrow(/two points/);
    expect(() => linearFit([[3, 1], [3, 2]])).toThrow(/different x/);
    expect(() => powerFit([[0, 1], [-1, 2]])).toThrow(/positive/);
  });

  it('takes the median of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('the benchmark document', () => {
  it('turns the benches’ lines into ratios against the baselines of the same run', () => {
    const document = buildDocument(input());
    expect(BenchmarkDocumentSchema.safeParse(document).success).toBe(true);
    const context = document.groups.coordinatorContext;
    expect(context.peerFit).toEqual({ intercept: 1500, tokensPerSubtask: 525, measuredAt: [4, 8] });
    expect(context.peerRequests).toEqual({ firstPromptTokens: 1600, toolTokens: 9600, tools: ['bash', 'task'], taskToolRequired: ['description', 'prompt', 'subagent_type'] });
    expect(context.rows.find((row) => row.files === 4)).toEqual({ files: 4, oursTokens: 900, peerTokens: 3600, peerSource: 'measured', peerOverOurs: 4 });
    expect(context.rows.find((row) => row.files === 1000)).toMatchObject({ peerTokens: 526_500, peerSource: 'extrapolated', peerOverOurs: 228.91 });
    // Each role and kind of work on its own: a review of one file stays flat, the plan's review reads the plan.
    expect(context.rolePrompts).toEqual({
      sizes: [4, 16],
      rows: [
        { role: 'code-sceptic', kind: 'review-code', byFiles: [{ files: 4, tokens: 1100 }, { files: 16, tokens: 1210 }], largestOverSmallest: 1.1 },
        { role: 'code-sceptic', kind: 'review-plan', byFiles: [{ files: 4, tokens: 1000 }, { files: 16, tokens: 2000 }], largestOverSmallest: 2 },
      ],
    });
    const [one, four, peer] = document.groups.parallelSpeedup.rows;
    expect(one).toMatchObject({ agents: 1, speedup: 1, idealSpeedup: 1, efficiency: 1 });
    expect(four).toMatchObject({ agents: 4, speedup: 2.5, idealSpeedup: 4, efficiency: 0.63, overheadOverLatency: 24, achievedConcurrency: 2.5 });
    expect(peer).toMatchObject({ side: 'kiloOrchestrator', speedup: 2, startStaggerMs: 2000, wallIdealSpeedup: null });
    // The whole run: 10 s of it does not split over coders, so four coders could at best make 30 s into 15 s.
    expect(one).toMatchObject({ wallMs: 30000, wallSpeedup: 1, wallIdealSpeedup: 1, kiloCpuMsPerRequest: 400 });
    expect(four).toMatchObject({ wallMs: 16000, wallSpeedup: 1.88, wallIdealSpeedup: 2, kiloCpuMsPerRequest: null });
    expect(document.groups.memory.rows[1]).toMatchObject({ agents: 7, kiloPeakMb: 1200, kiloServerPeakMb: 900, kiloOverSmallest: 1.5 });
    expect(document.groups.memory.rows[0]).toMatchObject({ kiloServerPeakMb: 800 });
    expect(document.groups.engineGrowth.exponents).toContainEqual({ x: 'files', y: 'wallMs', exponent: 1 });
    expect(document.groups.engineGrowth.exponents).toContainEqual({ x: 'files', y: 'peakRssBytes', exponent: 0 });
    expect(document.groups.extension.bundles[0]!.dependencyShare).toBe(0.75);
    expect(document.groups.extension.dashboard).toEqual([{ case: 'open', domMs: 50, frameMs: 60, baselineFrameMs: 10, ratio: 6 }]);
    expect(document.groups.extension.skipped).toEqual(['extensionActivation: no VS Code host in quick mode']);
    expect(failedGroups(document)).toEqual([]);
  });

  it('reports a failed bench in its group with the error, keeping the other groups', () => {
    const document = buildDocument(input({ lines: everyGroupsLines().filter((line) => line.bench !== 'engineGrowth'), failures: { engineGrowth: 'exited with 1: out of memory' } }));
    expect(document.groups.engineGrowth).toMatchObject({ status: 'failed', errors: ['engineGrowth: exited with 1: out of memory'], lines: [] });
    expect(document.groups.store.status).toBe('ok');
    expect(failedGroups(document)).toEqual(['engineGrowth']);
  });

  it('counts a group that printed nothing, without a reason, as failed', () => {
    const document = buildDocument(input({ lines: everyGroupsLines().filter((line) => line.bench !== 'artifactStore') }));
    expect(document.groups.store).toMatchObject({ status: 'failed', errors: ['no figures were printed'] });
  });

  it('rejects a document with a figure that is not a number', () => {
    const document = buildDocument(input());
    const broken = { ...document, groups: { ...document.groups, memory: { ...document.groups.memory, rows: [{ ...document.groups.memory.rows[0], kiloPeakMb: Number.NaN }] } } };
    expect(BenchmarkDocumentSchema.safeParse(broken).success).toBe(false);
  });
});

describe('docs/BENCHMARKS.md', () => {
  it('names the machine and the run, and has a table per group with its ratios', () => {
    const page = renderBenchmarks(buildDocument(input()));
    expect(page).toContain('| CPU | Test CPU (2 cores) |');
    expect(page).toContain('| Kilo | 7.7.7 |');
    expect(page).toContain('| load average (1, 5, 15 min) | 0.5, 0.4, 0.3 at the start, 1.5, 0.8, 0.4 at the end |');
    expect(page).toContain('at commit `abc1234` in **quick** mode');
    expect(page).toContain('| 4 | 900 | 3600 | 4× |');
    expect(page).toContain('| 1000 | 2300 | 526500 *extrapolated* | 228.91× |');
    expect(page).toContain('| code-sceptic | review-code | 1100 | 1210 | 1.1× |');
    expect(page).toContain('| ours | 4 | 8000 | 2.5× | 4× | 0.63 | 2.5 | 900 | 6000 | 24× |');
    expect(page).toContain('| wallMs | files | 1 |');
    expect(page).toContain('- sizes: [50,500]');
    expect(page).toContain('9600 tokens of tool definitions for 2 tools (bash, task)');
    expect(page).toContain('| Extension | ok | 3 | skipped: extensionActivation: no VS Code host in quick mode |');
    for (const heading of ['## 1. Coordinator context', '## 2. Parallel speedup', '## 3. Engine cost growth', '## 4. Artifact store', '## 5. Extension', '## 6. Memory', '## How to read these figures']) expect(page).toContain(heading);
  });

  it('shows the whole run by plan size when a longer plan ran, and leaves the table out when none did', () => {
    const longer: BenchLine[] = [
      { bench: 'speedupByPlanSize', side: 'ours', files: 8, latencyMs: 250, coders: 1, wallMs: 50000 },
      { bench: 'speedupByPlanSize', side: 'ours', files: 8, latencyMs: 250, coders: 4, wallMs: 20000 },
    ];
    const document = buildDocument(input({ lines: [...everyGroupsLines(), ...longer] }));
    expect(document.groups.parallelSpeedup.byPlanSize).toEqual([
      { files: 4, coders: 1, wallMs: 30000, wallSpeedup: 1 },
      { files: 4, coders: 4, wallMs: 16000, wallSpeedup: 1.88 },
      { files: 8, coders: 1, wallMs: 50000, wallSpeedup: 1 },
      { files: 8, coders: 4, wallMs: 20000, wallSpeedup: 2.5 },
    ]);
    expect(renderBenchmarks(document)).toContain('| 8 | 4 | 20000 | 2.5× |');
    expect(renderBenchmarks(buildDocument(input()))).not.toContain('The whole run by plan size');
  });

  it('gives a small activation share in tenths of a percent, not as 0 %', () => {
    expect(renderBenchmarks(buildDocument(input({ lines: withActivation() })))).toContain('15 ms, 0.2 % of the 6617 ms the extension host had been up');
  });

  it('says a failed group failed, with its error, on the page', () => {
    const page = renderBenchmarks(buildDocument(input({ failures: { artifactStore: 'exited with 1' } })));
    expect(page).toContain('| Artifact store | failed | 1 | failed: artifactStore: exited with 1 |');
  });

  it('is the same page for the same document', () => {
    const document = buildDocument(input());
    expect(renderBenchmarks(document)).toBe(renderBenchmarks(document));
  });
});

describe('turns in flight', () => {
  it('is the turns’ spans summed over the whole span: 1 for one after another, 2 for two side by side', () => {
    expect(concurrency([{ key: 'a', at: 0, endedAt: 10 }, { key: 'b', at: 10, endedAt: 20 }])).toBe(1);
    expect(concurrency([{ key: 'a', at: 0, endedAt: 5 }, { key: 'a', at: 5, endedAt: 10 }, { key: 'b', at: 0, endedAt: 10 }])).toBe(2);
    expect(concurrency([])).toBe(0);
  });
});
