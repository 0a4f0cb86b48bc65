/*
 * The cost a run was estimated at when it started, kept in its folder (`cost-estimate.json`) so
 * the ending can compare it with what the run cost, even across a resume in another process.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../util/atomicWrite';

export const COST_ESTIMATE_FILE = 'cost-estimate.json';

export const CostEstimateSchema = z.object({
  /** USD for the priced roles; roles in `unpricedRoles` count as $0 in it. */
  totalUsd: z.number().nonnegative(),
  unpricedRoles: z.array(z.string().max(100)).max(100),
  /** ISO time the estimate was made. */
  at: z.string(),
});
export type CostEstimate = z.infer<typeof CostEstimateSchema>;

/** Records `estimate()` as the run's estimate unless one is recorded already (a resumed run keeps its first). */
export async function recordCostEstimate(runDir: string, estimate: () => Omit<CostEstimate, 'at'>, now = new Date()): Promise<CostEstimate> {
  const recorded = await readCostEstimate(runDir).catch(() => undefined);
  if (recorded) return recorded;
  const made = CostEstimateSchema.parse({ ...estimate(), at: now.toISOString() });
  await fs.mkdir(runDir, { recursive: true });
  await writeFileAtomic(path.join(runDir, COST_ESTIMATE_FILE), `${JSON.stringify(made, null, 1)}\n`);
  return made;
}

/** The run's recorded estimate; undefined when none was. @throws OrchestraError `io-failed` for a damaged file. */
export function readCostEstimate(runDir: string): Promise<CostEstimate | undefined> {
  return readJsonFile(path.join(runDir, COST_ESTIMATE_FILE), CostEstimateSchema);
}
