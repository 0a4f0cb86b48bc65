import type { PhaseView, RunView } from '../../extension/protocol/viewModel';

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

/** "CODE_REVIEW" → "Code review". */
export function phaseLabel(phase: PhaseView): string {
  const words = phase.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
