/*
 * The ending of a run: what it changed (files since the checkpoint before the run, with line
 * counts), the tests it ran and their result, what it cost against its estimate, and its findings.
 * Computed once when the run ends; the report, the CLI's last lines and the dashboard's summary
 * card all show this one value.
 */
import path from 'node:path';
import { z } from 'zod';
import { ArtifactStore } from '../artifacts/artifactStore';
import { readJsonFile, writeFileAtomic } from '../util/atomicWrite';
import { describeError } from '../util/errors';
import { PhaseSchema } from '../workflow/workflowSchema';
import { changesBetween, FileChangeSchema, type FileChange } from './changedFiles';
import type { Checkpoint } from './checkpoints';
import { readCostEstimate, type CostEstimate } from './costEstimate';
import { FINDING_KINDS, type RecordedFinding } from './findings';
import type { Phase } from '../workflow/workflowTypes';

/** Where a run keeps its summary, so the dashboard shows it again after a reload. */
export const SUMMARY_FILE = 'summary.json';
/** Files listed by name; the totals still count every file. */
export const MAX_SUMMARY_FILES = 200;
/** The label of the checkpoint a new run takes first (see runCheckpoints.ts). */
const BEFORE_THE_RUN = 'before the run';

export const TEST_RESULTS = ['passed', 'failed', 'not-run', 'none'] as const;

export const RunSummarySchema = z.object({
  runId: z.string(),
  status: PhaseSchema,
  /** The checkpoint the changes count from, and the one Roll back goes to. */
  checkpoint: z.object({ index: z.number().int().positive(), label: z.string(), commit: z.string() }).optional(),
  /** Absent when the run has no checkpoints (no git), so what changed is not known. */
  files: z
    .object({
      changed: z.array(FileChangeSchema).max(MAX_SUMMARY_FILES),
      /** Every changed file, listed or not. */
      total: z.number().int().nonnegative(),
      additions: z.number().int().nonnegative(),
      deletions: z.number().int().nonnegative(),
    })
    .optional(),
  tests: z.object({
    /** `none`: no test report and nothing said about tests; `not-run`: the tests could not be run. */
    result: z.enum(TEST_RESULTS),
    passed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    reportId: z.string().optional(),
    note: z.string().max(500).optional(),
  }),
  cost: z.object({
    actualUsd: z.number().nonnegative(),
    /** What the run was estimated at when it started; absent when no estimate was recorded. */
    estimatedUsd: z.number().nonnegative().optional(),
    /** Models with no price: counted as $0 in both figures. */
    unpricedModels: z.array(z.string()),
  }),
  findings: z.object({
    total: z.number().int().nonnegative(),
    byKind: z.array(z.object({ kind: z.enum(FINDING_KINDS), count: z.number().int().positive() })),
  }),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

/** What the newest test report says (see renderTests in workRecorder.ts). */
export interface TestCounts {
  reportId: string;
  passed: number;
  failed: number;
}

/** The parts of the run's report the summary reads (see runReport.ts, which holds the summary). */
export interface ReportFacts {
  runId: string;
  status: Phase;
  costUsd: number;
  unpricedModels?: string[];
  findings: RecordedFinding[];
}

export interface SummaryInput {
  report: ReportFacts;
  checkpoint?: Pick<Checkpoint, 'index' | 'label' | 'commit'>;
  /** Undefined: not known (no checkpoints). */
  changes?: readonly FileChange[];
  tests?: TestCounts;
  estimate?: Pick<CostEstimate, 'totalUsd'>;
}

/** The summary from what the run knows; pure. */
export function buildRunSummary(input: SummaryInput): RunSummary {
  const { report } = input;
  const changes = input.changes;
  return RunSummarySchema.parse({
    runId: report.runId,
    status: report.status,
    ...(input.checkpoint ? { checkpoint: { index: input.checkpoint.index, label: input.checkpoint.label, commit: input.checkpoint.commit } } : {}),
    ...(changes
      ? {
          files: {
            changed: changes.slice(0, MAX_SUMMARY_FILES).map((change) => ({ ...change })),
            total: changes.length,
            additions: changes.reduce((sum, change) => sum + change.additions, 0),
            deletions: changes.reduce((sum, change) => sum + change.deletions, 0),
          },
        }
      : {}),
    tests: testsOf(input.tests, report.findings),
    cost: { actualUsd: report.costUsd, ...(input.estimate ? { estimatedUsd: input.estimate.totalUsd } : {}), unpricedModels: [...(report.unpricedModels ?? [])] },
    findings: { total: report.findings.length, byKind: countByKind(report.findings) },
  });
}

function testsOf(counts: TestCounts | undefined, findings: readonly RecordedFinding[]): RunSummary['tests'] {
  const notRun = findings.filter((finding) => finding.kind === 'tests-not-run').at(-1);
  if (counts) {
    const result = counts.failed > 0 ? 'failed' : notRun ? 'not-run' : 'passed';
    return { result, passed: counts.passed, failed: counts.failed, reportId: counts.reportId, ...(notRun ? { note: clip(notRun.message) } : {}) };
  }
  return notRun ? { result: 'not-run', passed: 0, failed: 0, note: clip(notRun.message) } : { result: 'none', passed: 0, failed: 0 };
}

function countByKind(findings: readonly RecordedFinding[]): RunSummary['findings']['byKind'] {
  const counts = new Map<RecordedFinding['kind'], number>();
  for (const finding of findings) counts.set(finding.kind, (counts.get(finding.kind) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([kind, count]) => ({ kind, count }));
}

export interface SummariseOptions {
  report: ReportFacts & { workspace: string; runDir: string };
  /** The run's checkpoints, oldest first; the newest is taken after the run's last phase, so it is the workspace as the run left it. */
  checkpoints: readonly Checkpoint[];
  git?: string;
  /** Told each part that could not be read (the summary goes on without it). */
  onProblem?: (problem: string) => void;
}

/**
 * Reads what the summary needs (the changes between the checkpoint before the run and the newest,
 * the newest test report, the recorded estimate) and builds it. Never throws: a part that cannot
 * be read is left out and told to `onProblem`.
 */
export async function summariseRun(options: SummariseOptions): Promise<RunSummary> {
  const { report, checkpoints } = options;
  const problem = (what: string, error: unknown) => options.onProblem?.(`${what}: ${describeError(error)}`);
  // A resumed run's own first checkpoint is "before the resume"; the run began before the first of all.
  const first = checkpoints.find((checkpoint) => checkpoint.label === BEFORE_THE_RUN) ?? checkpoints[0];
  const last = checkpoints.at(-1);
  let changes: FileChange[] | undefined;
  if (first && last) changes = await changesBetween(report.workspace, first.commit, last.commit, options.git).catch((error: unknown) => void problem('What the run changed could not be read', error));
  const tests = await newestTestCounts(report.runDir).catch((error: unknown) => void problem('The test report could not be read', error));
  const estimate = await readCostEstimate(report.runDir).catch((error: unknown) => void problem('The cost estimate could not be read', error));
  return buildRunSummary({ report, ...(first ? { checkpoint: first } : {}), ...(changes ? { changes } : {}), ...(tests ? { tests } : {}), ...(estimate ? { estimate } : {}) });
}

/** Keeps the summary in the run's folder (beside state.json). */
export async function writeRunSummary(runDir: string, summary: RunSummary): Promise<void> {
  await writeFileAtomic(path.join(runDir, SUMMARY_FILE), `${JSON.stringify(summary, null, 1)}\n`);
}

/** The summary a run kept, checked against the schema; undefined when it has none. @throws OrchestraError `io-failed` for a damaged file. */
export function readRunSummary(runDir: string): Promise<RunSummary | undefined> {
  return readJsonFile(path.join(runDir, SUMMARY_FILE), RunSummarySchema);
}

/** "12 passed, 1 failed" of the run's newest test report, if it has one. */
export async function newestTestCounts(runDir: string): Promise<TestCounts | undefined> {
  const store = await ArtifactStore.open(path.join(runDir, 'artifacts'));
  const newest = store.list({ type: 'test-report' }).sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1);
  if (!newest) return undefined;
  const match = /^(\d+) passed, (\d+) failed$/m.exec(await store.loadContent(newest.id));
  return match ? { reportId: newest.id, passed: Number(match[1]), failed: Number(match[2]) } : undefined;
}

function clip(text: string): string {
  return text.length <= 500 ? text : `${text.slice(0, 499)}…`;
}
