import type { AgentRecord } from '../engine/agents/agentSchema';
import { agentDisplayName, type RoleNaming } from '../protocol/vocabulary';

/**
 * What a pause stops, in one message: the turns cut off mid-way are redone from their start on
 * resume (a model's half-written answer cannot be continued), so the user hears which ones, and that
 * a test run in progress will run again in full, before they decide to pause for long.
 */
export function pauseNotice(busyBeforePause: readonly AgentRecord[], roles: readonly RoleNaming[] = []): string {
  const stopped = busyBeforePause.filter((agent) => agent.status === 'working' || agent.status === 'waiting-rate-limit');
  if (stopped.length === 0) return 'All agents are paused; none was mid-turn, so nothing is redone on resume.';
  const named = stopped.map((agent) => {
    const name = agentDisplayName(agent.role, agent.instance, roles);
    return agent.currentStep ? `${name} (${agent.currentStep})` : name;
  });
  const testing = stopped.some((agent) => agent.role === 'debugger' && agent.status === 'working');
  const tests = testing ? ' The test run in progress was stopped and runs again in full.' : '';
  return `All agents are paused. Stopped mid-turn, and redone from the start on resume: ${named.join(', ')}.${tests}`;
}
