import type { RunSnapshot } from './runSnapshot';
import type { OrchestrationRunOptions } from './runTypes';

/** Above any team's agent count, so no request waits for a pool slot behind one waiting for its turn. */
export const REPLAY_MAX_ACTIVE = 1000;

/**
 * How a replay (or a fork's replayed part) runs the recorded run's workflow. Every agent may ask
 * at once: the recording, not the pool, decides whose answer comes next (see ReplaySequencer). A
 * retry is sent again at once: its wait changes when it is asked, not what the machine does.
 */
export function replaySettings(snapshot: Pick<RunSnapshot, 'workflow' | 'budgets'>): Pick<OrchestrationRunOptions, 'maxActive' | 'onAttention' | 'workflow' | 'budgets'> {
  const { instances: _instances, ...workflow } = snapshot.workflow.config;
  return { maxActive: REPLAY_MAX_ACTIVE, onAttention: 'fail', workflow: { ...workflow, retryBaseMs: 0 }, budgets: snapshot.budgets };
}
