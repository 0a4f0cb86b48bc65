import path from 'node:path';
import { Checkpoints, rollBackCounts, type Checkpoint } from '../engine/run/checkpoints';
import { rollBackRecord, writeRollBackRecord } from '../engine/run/rollBackRecord';
import { STORE_DIR_NAME } from '../engine/util/paths';
import { isOrchestraError } from '../engine/util/errors';
import type { RollbackArgs } from './cliArgs';
import { UsageError } from './usageError';

/** Files named in full on a line before "… and N more". */
const NAMED = 10;

/**
 * `kilo-orchestra rollback`: lists a run's checkpoints, or restores the workspace to one of them.
 * The files as they are just before a roll back are saved as one more checkpoint first, so a roll
 * back loses nothing and can itself be undone. Resolves with the exit code.
 */
export async function rollbackCommand(args: RollbackArgs, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const runId = await chosenRun(args.workspace, args.runId);
  const checkpoints = new Checkpoints({ workspace: args.workspace, runId });
  const list = await checkpoints.load();
  if (args.to === undefined) {
    out.write(`Checkpoints of run ${runId}:\n`);
    for (const checkpoint of list) out.write(`${await listLine(checkpoints, checkpoint)}\n`);
    out.write(`roll back with: kilo-orchestra rollback --workspace ${args.workspace} --run ${runId} --to N (1 is before the run)\n`);
    return 0;
  }
  const target = list.find((checkpoint) => checkpoint.index === args.to);
  if (!target) throw new UsageError(`Run ${runId} has no checkpoint ${args.to}; it has 1 to ${list.at(-1)?.index ?? 0} (1 is before the run).`);

  const saved = await checkpoints.create(`before rollback to ${target.index}`);
  const result = await checkpoints.rollBack(target);
  // The run's dashboard then says rolled back, not the phase it ended in.
  await writeRollBackRecord(path.join(args.workspace, STORE_DIR_NAME, 'runs', runId), rollBackRecord(target, result)).catch((error: unknown) => out.write(`warning: the roll back was not noted in the run's folder: ${(error as Error).message}\n`));
  out.write(`Rolled back run ${runId} to checkpoint ${target.index} (${target.label}): ${rollBackCounts(result)}.\n`);
  if (result.restored > 0) out.write(`restored: ${named(result.restoredFiles)}\n`);
  if (result.removed.length > 0) out.write(`removed: ${named(result.removed)}\n`);
  out.write(`The files as they were are checkpoint ${saved.index}; undo with: kilo-orchestra rollback --workspace ${args.workspace} --run ${runId} --to ${saved.index}\n`);
  return 0;
}

/** The named run, checked to have checkpoints, or the newest run that has some. */
async function chosenRun(workspace: string, runId: string | undefined): Promise<string> {
  let runs: string[];
  try {
    runs = await new Checkpoints({ workspace, runId: runId ?? '' }).runs();
  } catch (error) {
    if (isOrchestraError(error, 'invalid-config')) throw new UsageError(`${workspace} has no checkpoints to roll back to: ${error.message}`);
    throw error;
  }
  if (runId === undefined) {
    if (runs[0] === undefined) throw new UsageError(`No run in ${workspace} has checkpoints.`);
    return runs[0];
  }
  if (!runs.includes(runId)) throw new UsageError(`Run ${runId} has no checkpoints in ${workspace}${runs.length > 0 ? ` (runs that have: ${runs.slice(0, 3).join(', ')}${runs.length > 3 ? ' …' : ''})` : ''}.`);
  return runId;
}

async function listLine(checkpoints: Checkpoints, checkpoint: Checkpoint): Promise<string> {
  const files = await checkpoints.changedFiles(checkpoint);
  const when = checkpoint.atMs ? new Date(checkpoint.atMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '?';
  const count = `${files.length} ${files.length === 1 ? 'file' : 'files'}`;
  return `  ${String(checkpoint.index).padStart(3)}  ${checkpoint.label.padEnd(28)}  ${when}  ${checkpoint.index === 1 ? count : `${count} changed`}`;
}

function named(files: readonly string[]): string {
  return files.length > NAMED ? `${files.slice(0, NAMED).join(', ')} … and ${files.length - NAMED} more` : files.join(', ');
}
