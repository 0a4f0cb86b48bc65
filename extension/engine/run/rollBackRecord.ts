/*
 * That the workspace was rolled back to one of a run's checkpoints, kept in the run's folder
 * (`rolled-back.json`), so the dashboard says "Rolled back" for it after a reload and whether the
 * editor or `kilo-orchestra rollback` did it. The newest roll back wins.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../util/atomicWrite';
import type { Checkpoint, RollBackResult } from './checkpoints';

export const ROLLED_BACK_FILE = 'rolled-back.json';

export const RollBackRecordSchema = z.object({
  checkpointIndex: z.number().int().positive(),
  label: z.string().max(200),
  restored: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  /** ISO time of the roll back. */
  at: z.string(),
});
export type RollBackRecord = z.infer<typeof RollBackRecordSchema>;

export function rollBackRecord(checkpoint: Pick<Checkpoint, 'index' | 'label'>, result: RollBackResult, now = new Date()): RollBackRecord {
  return { checkpointIndex: checkpoint.index, label: checkpoint.label.slice(0, 200), restored: result.restored, removed: result.removed.length, at: now.toISOString() };
}

/** Keeps `record` in the run's folder; a run without a folder (checkpoints only) keeps nothing. */
export async function writeRollBackRecord(runDir: string, record: RollBackRecord): Promise<void> {
  if (!fs.existsSync(runDir)) return;
  await writeFileAtomic(path.join(runDir, ROLLED_BACK_FILE), `${JSON.stringify(RollBackRecordSchema.parse(record), null, 1)}\n`);
}

/** The run's newest roll back, if it had one. @throws OrchestraError `io-failed` for a damaged file. */
export function readRollBackRecord(runDir: string): Promise<RollBackRecord | undefined> {
  return readJsonFile(path.join(runDir, ROLLED_BACK_FILE), RollBackRecordSchema);
}
