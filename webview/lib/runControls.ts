import type { PhaseView, RunView } from '../../extension/protocol/viewModel';
import { phaseInWords } from '../../extension/protocol/vocabulary';

const FINISHED: readonly PhaseView[] = ['COMPLETED', 'CANCELLED', 'FAILED'];

export function isFinished(phase: PhaseView): boolean {
  return FINISHED.includes(phase);
}

/** Which of Pause/Resume/Cancel make sense now. Only this window's live run can be controlled. */
export function runControls(run: RunView | undefined): { pause: boolean; resume: boolean; cancel: boolean } {
  if (!run || !run.live) return { pause: false, resume: false, cancel: false };
  const active = run.phase !== 'IDLE' && run.phase !== 'PAUSED' && !isFinished(run.phase);
  return { pause: active, resume: run.phase === 'PAUSED', cancel: run.phase !== 'IDLE' && !isFinished(run.phase) };
}

/** "CODE_REVIEW" → "Reviewing the code" (the host says it the same way). */
export function phaseLabel(phase: PhaseView): string {
  return phaseInWords(phase);
}
