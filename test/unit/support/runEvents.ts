import type { OrchestrationRun } from '../../../extension/engine/run/orchestrationRun';
import type { Phase } from '../../../extension/engine/workflow/workflowTypes';

/** Resolves with the run's first transition into `phase` (subscribe before the run gets there). */
export function whenPhase(run: OrchestrationRun, phase: Phase): Promise<void> {
  return new Promise((resolve) => {
    const subscription = run.events.on('workflow:transitioned', (change) => {
      if (change.to !== phase) return;
      subscription.dispose();
      resolve();
    });
  });
}
