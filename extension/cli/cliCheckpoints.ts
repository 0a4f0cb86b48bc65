import { Checkpoints } from '../engine/run/checkpoints';
import type { OrchestrationRun } from '../engine/run/orchestrationRun';
import { checkpointRun, type RunCheckpointing } from '../engine/run/runCheckpoints';
import { describeError } from '../engine/util/errors';

/**
 * The CLI's git checkpoints of a run (the same ones the extension takes: see runCheckpoints.ts).
 * Only the first is announced, before live progress starts drawing; a failure is always one line,
 * even with --quiet, since it means no roll back for that step.
 */
export function checkpointCli(run: OrchestrationRun, workspace: string, quiet: boolean, out: NodeJS.WriteStream, firstLabel = 'before the run'): Promise<RunCheckpointing> {
  let announced = false;
  return checkpointRun(run, new Checkpoints({ workspace, runId: run.runId }), {
    taken: (checkpoint) => {
      if (announced || quiet) return;
      announced = true;
      out.write(`checkpoint ${checkpoint.index} (${checkpoint.label}); roll back with: kilo-orchestra rollback --workspace ${workspace} --run ${run.runId}\n`);
    },
    failed: (label, error, noRepository) => {
      if (noRepository) out.write(`note: no checkpoints (so no \`kilo-orchestra rollback\`): ${describeError(error)} The run goes on without.\n`);
      else out.write(`warning: no checkpoint ${label}: ${describeError(error)}\n`);
    },
    pruned: (_runIds, error) => {
      if (error !== undefined) out.write(`warning: checkpoints of older runs were not pruned: ${describeError(error)}\n`);
    },
  }, firstLabel);
}
