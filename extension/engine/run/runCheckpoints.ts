/*
 * When a run takes its git checkpoints, for the extension and the CLI alike: one as it starts and
 * one after each phase it finishes. Where git cannot be run there are none, and the run is told so once.
 */
import type { Disposable } from '../util/disposable';
import { isOrchestraError } from '../util/errors';
import type { TypedEmitter } from '../util/typedEvents';
import { phaseInWords } from '../../protocol/vocabulary';
import type { Phase } from '../workflow/workflowTypes';
import type { Checkpoint, Checkpoints } from './checkpoints';
import type { RunEvents } from './runTypes';

/** Phases that do not count as a finished step for a checkpoint. */
const NO_CHECKPOINT_AFTER: readonly Phase[] = ['IDLE', 'PAUSED'];

export interface CheckpointNotes {
  taken(checkpoint: Checkpoint): void;
  /** `noRepository`: git cannot be run (not installed), so no further checkpoint is tried. */
  failed(label: string, error: unknown, noRepository: boolean): void;
  /** Checkpoints of older runs were deleted to keep the newest ones (see KEEP_CHECKPOINT_RUNS), or deleting them failed. */
  pruned?(runIds: string[], error?: unknown): void;
}

export interface RunCheckpointing extends Disposable {
  /** Resolves once every checkpoint asked for so far is written: await it before the run is reported finished. */
  settled(): Promise<void>;
}

/**
 * Takes the first checkpoint (`firstLabel`) now and one after each finished phase from then on.
 * Checkpoints the run already has (a resumed run) are read first, so numbering goes on after them.
 * After the first, checkpoints of runs older than the newest KEEP_CHECKPOINT_RUNS are pruned.
 * Never throws: a failed checkpoint is a note, and the run goes on without it.
 */
export async function checkpointRun(run: { events: TypedEmitter<RunEvents> }, checkpoints: Checkpoints, notes: CheckpointNotes, firstLabel = 'before the run'): Promise<RunCheckpointing> {
  try {
    await checkpoints.load();
    notes.taken(await checkpoints.create(firstLabel));
    // Pruning is housekeeping: its failure costs nothing this run needs, so it is only reported.
    await checkpoints.prune().then(
      (runIds) => runIds.length > 0 && notes.pruned?.(runIds),
      (error: unknown) => notes.pruned?.([], error),
    );
  } catch (error) {
    const noRepository = isOrchestraError(error, 'invalid-config');
    notes.failed(firstLabel, error, noRepository);
    if (noRepository) return { settled: () => Promise.resolve(), dispose: () => undefined };
  }
  let pending: Promise<void> = Promise.resolve();
  const subscription = run.events.on('workflow:transitioned', (change) => {
    if (NO_CHECKPOINT_AFTER.includes(change.from) || change.to === 'PAUSED') return;
    // In the words every surface uses: "after writing the plan", not "after PLANNING".
    const label = `after ${phaseInWords(change.from).toLowerCase()}`;
    pending = pending.then(() =>
      checkpoints.create(label).then(
        (checkpoint) => notes.taken(checkpoint),
        (error: unknown) => notes.failed(label, error, false),
      ),
    );
  });
  return { settled: () => pending, dispose: () => subscription.dispose() };
}
