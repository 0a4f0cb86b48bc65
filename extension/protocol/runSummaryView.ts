import { z } from 'zod';

/**
 * The run's ending as the dashboard's summary card shows it: the same shape as the engine's
 * RunSummary (engine/run/runSummary.ts), restated here so the webview bundle needs zod only;
 * the host parses the engine's value through this schema before sending it.
 */
const Count = z.number().int().nonnegative();
const Usd = z.number().nonnegative();

export const FileChangeViewSchema = z.object({
  path: z.string().min(1).max(1000),
  change: z.enum(['added', 'modified', 'deleted']),
  additions: Count,
  deletions: Count,
  binary: z.boolean().optional(),
});
export type FileChangeView = z.infer<typeof FileChangeViewSchema>;

export const RunSummaryViewSchema = z.object({
  runId: z.string(),
  status: z.string(),
  checkpoint: z.object({ index: z.number().int().positive(), label: z.string(), commit: z.string() }).optional(),
  files: z.object({ changed: z.array(FileChangeViewSchema).max(200), total: Count, additions: Count, deletions: Count }).optional(),
  tests: z.object({ result: z.enum(['passed', 'failed', 'not-run', 'none']), passed: Count, failed: Count, reportId: z.string().optional(), note: z.string().max(500).optional() }),
  cost: z.object({ actualUsd: Usd, estimatedUsd: Usd.optional(), unpricedModels: z.array(z.string()) }),
  findings: z.object({ total: Count, byKind: z.array(z.object({ kind: z.string(), count: z.number().int().positive() })) }),
});
export type RunSummaryView = z.infer<typeof RunSummaryViewSchema>;

/** The workspace was rolled back to a checkpoint of the run after it ended (or while it ran). */
export const RolledBackViewSchema = z.object({
  checkpointIndex: z.number().int().positive(),
  label: z.string(),
  restored: Count,
  removed: Count,
});
export type RolledBackView = z.infer<typeof RolledBackViewSchema>;
