import { z } from 'zod';

/**
 * The one JSON document `npm run bench` prints, and docs/BENCHMARKS.md is rendered from. Every
 * figure that claims something is a ratio against a baseline measured in the same run; the raw
 * figures it is made of stay beside it so a reader can check the arithmetic.
 */

/** One JSON line a bench printed: it names its bench, the rest is the bench's own. */
export const BenchLineSchema = z.looseObject({
  bench: z.string().min(1),
  /** This measurement failed, and why. */
  error: z.string().optional(),
  /** This measurement was left out, and why (e.g. no VS Code host in quick mode). */
  skipped: z.string().optional(),
});
export type BenchLine = z.infer<typeof BenchLineSchema>;

export const MachineSchema = z.object({
  cpuModel: z.string(),
  cores: z.number().int().positive(),
  memoryBytes: z.number().positive(),
  os: z.string(),
  node: z.string(),
  /** The Kilo the real-Kilo groups ran on (`kilo --version`), or why it is unknown. */
  kilo: z.string(),
  /** The machine's 1, 5 and 15 minute load averages when the run started and when it ended: other work on it slows every figure. */
  loadAverage: z.object({ atStart: z.array(z.number()), atEnd: z.array(z.number()) }),
  /** ISO time the run started. */
  date: z.string(),
  /** The commit the run measured, with `+changes` when the tree had uncommitted changes. */
  commit: z.string(),
});
export type Machine = z.infer<typeof MachineSchema>;

/** Every group says whether it ran, and if not, why; a failed group also keeps what it did measure. */
const groupStatus = {
  status: z.enum(['ok', 'failed', 'skipped']),
  /** What failed (bench exits, error lines), one entry each. */
  errors: z.array(z.string()),
  /** Parts left out and why (e.g. the VS Code host in quick mode). */
  skipped: z.array(z.string()),
  /** How the figures were made, in a sentence or two. */
  method: z.string(),
  repeats: z.number().int().nonnegative(),
};

const Figure = z.number().finite();

export const CoordinatorContextSchema = z.object({
  ...groupStatus,
  resultTokens: Figure,
  budgetTokens: Figure,
  kiloVersion: z.string(),
  /** Kilo's orchestrator: tokens of its largest request ≈ intercept + tokensPerSubtask × N, fitted on `measuredAt`. */
  peerFit: z.object({ intercept: Figure, tokensPerSubtask: Figure, measuredAt: z.array(z.number().int()) }).nullable(),
  /** What the orchestrator's requests looked like: its first prompt, the tool definitions sent with every request, the tools offered. */
  peerRequests: z.object({ firstPromptTokens: Figure, toolTokens: Figure, tools: z.array(z.string()), taskToolRequired: z.array(z.string()) }).nullable(),
  rows: z.array(
    z.object({
      files: z.number().int().positive(),
      oursTokens: Figure.nullable(),
      peerTokens: Figure.nullable(),
      peerSource: z.enum(['measured', 'extrapolated', 'none']),
      /** peerTokens / oursTokens: how many times more the orchestrator reads than our Organiser. */
      peerOverOurs: Figure.nullable(),
    }),
  ),
  /** Every role's largest prompt on real kilo serve (o200k tokens), by kind of work, at each plan size. */
  rolePrompts: z.object({
    sizes: z.array(z.number().int().positive()),
    rows: z.array(
      z.object({
        role: z.string(),
        kind: z.string(),
        byFiles: z.array(z.object({ files: z.number().int().positive(), tokens: Figure })),
        /** Tokens at the largest size over tokens at the smallest: 1 is flat. */
        largestOverSmallest: Figure.nullable(),
      }),
    ),
  }),
});

export const ParallelSpeedupSchema = z.object({
  ...groupStatus,
  files: z.number().int().nonnegative(),
  latencyMs: Figure,
  rows: z.array(
    z.object({
      side: z.enum(['ours', 'kiloOrchestrator']),
      /** Coders (ours) or child sessions (Kilo's orchestrator) working at once. */
      agents: z.number().int().nonnegative(),
      implementMs: Figure,
      /** Our one-coder run's implementMs / this one's. */
      speedup: Figure,
      /** min(agents, files): what perfect parallelism would give. */
      idealSpeedup: Figure,
      /** speedup / idealSpeedup. */
      efficiency: Figure,
      startStaggerMs: Figure,
      overheadPerTurnMs: Figure,
      /** overheadPerTurnMs / the model's latency. */
      overheadOverLatency: Figure,
      /** The turns' spans summed over implementMs: turns in flight on average (ideal: idealSpeedup). */
      achievedConcurrency: Figure,
      /** The whole run: ours from its start to its report, the orchestrator's from its prompt until it is idle. */
      wallMs: Figure.nullable(),
      /** Our one-coder run's wallMs / this one's. */
      wallSpeedup: Figure.nullable(),
      /**
       * What the whole run could gain with perfect parallelism of its implementation phase alone
       * (Amdahl): wall₁ / (wall₁ − implement₁ + implement₁ / idealSpeedup), from our one-coder run.
       * The rest of the run (plan, scaffold, documents, tests) does not split over coders.
       */
      wallIdealSpeedup: Figure.nullable(),
      /** CPU time kilo serve spent per model request of the run. */
      kiloCpuMsPerRequest: Figure.nullable(),
    }),
  ),
  /**
   * Our whole run on a plan twice as long, with one coder and with four (once each; the full
   * bench only): the serial chain that caps the speedup above weighs half as much there.
   */
  byPlanSize: z.array(
    z.object({
      files: z.number().int().positive(),
      coders: z.number().int().positive(),
      wallMs: Figure,
      /** The one-coder run's wallMs on the same plan size / this one's. */
      wallSpeedup: Figure.nullable(),
    }),
  ),
});

/** Groups whose benches another part of the project writes: their lines as printed, with power fits where they have sizes. */
export const FoldedGroupSchema = z.object({
  ...groupStatus,
  lines: z.array(BenchLineSchema),
  /** y ≈ c · x^exponent for each timing or memory column against the size column. */
  exponents: z.array(z.object({ x: z.string(), y: z.string(), exponent: Figure })),
});

export const ExtensionSchema = z.object({
  ...groupStatus,
  bundles: z.array(z.object({ file: z.string(), bytes: Figure, ownBytes: Figure, dependencyBytes: Figure, dependencyShare: Figure })),
  /** Our activate() in the real VS Code host, against the extension host's age when it returned (its startup, ours included). */
  activation: z.object({ ms: Figure, baselineMs: Figure.nullable(), ratio: Figure.nullable() }).nullable(),
  dashboard: z.array(z.object({ case: z.string(), domMs: Figure, frameMs: Figure, baselineFrameMs: Figure.nullable(), ratio: Figure.nullable() })),
});

export const MemorySchema = z.object({
  ...groupStatus,
  rows: z.array(
    z.object({
      side: z.enum(['ours', 'kiloOrchestrator']),
      agents: z.number().int().nonnegative(),
      sessionsCreated: z.number().int().nonnegative(),
      sessionsAliveAtEnd: z.number().int().nonnegative(),
      ownPeakMb: Figure,
      /** The kilo serve process group's RSS sum at its highest. */
      kiloPeakMb: Figure,
      /** The kilo serve process alone (its VmHWM). */
      kiloServerPeakMb: Figure,
      /** kiloPeakMb over our smallest run's. */
      kiloOverSmallest: Figure,
      ownOverSmallest: Figure,
    }),
  ),
});

export const BenchmarkDocumentSchema = z.object({
  machine: MachineSchema,
  quick: z.boolean(),
  wallMs: Figure,
  groups: z.object({
    coordinatorContext: CoordinatorContextSchema,
    parallelSpeedup: ParallelSpeedupSchema,
    engineGrowth: FoldedGroupSchema,
    store: FoldedGroupSchema,
    extension: ExtensionSchema,
    memory: MemorySchema,
  }),
});

export type BenchmarkDocument = z.infer<typeof BenchmarkDocumentSchema>;
export type GroupName = keyof BenchmarkDocument['groups'];
export const GROUP_NAMES: readonly GroupName[] = ['coordinatorContext', 'parallelSpeedup', 'engineGrowth', 'store', 'extension', 'memory'];

/** The groups that did not run cleanly, for the exit status. */
export function failedGroups(document: BenchmarkDocument): GroupName[] {
  return GROUP_NAMES.filter((name) => document.groups[name].status === 'failed');
}
