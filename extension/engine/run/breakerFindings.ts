import { agentIdOf } from '../workflow/workflowRoles';
import type { Attention, DecisionRequest, OrganiserAction, WorkItem, WorkflowState } from '../workflow/workflowTypes';
import type { RecordedFinding } from './workRecorder';

/** The finding for a circuit breaker that opened: which agent, which work, and why (the last error). */
export function breakerOpened(attention: Attention): RecordedFinding | undefined {
  const request = attention.decision;
  if (request?.point !== 'circuit-breaker' || !request.work) return undefined;
  const { work } = request;
  return { kind: 'circuit-breaker', message: request.question, workId: work.id, agentId: agentIdOf(work.role, work.instance) };
}

/** The finding for the person's answer, when it leaves something undone or moves it (skip, reassign). */
export function breakerAnswered(request: DecisionRequest | undefined, action: OrganiserAction | undefined): RecordedFinding | undefined {
  if (request?.point !== 'circuit-breaker' || !request.work || !action) return undefined;
  const { work } = request;
  const agentId = agentIdOf(work.role, work.instance);
  const subject = `${work.kind}${work.file ? ` of ${work.file}` : ''}`;
  if (action.action === 'skip_work') {
    const kept = work.file ? `; ${work.file} is accepted as its last good version` : '';
    return { kind: 'circuit-breaker', message: `The user skipped ${subject} after ${agentId} failed every attempt${kept}.`, workId: work.id, agentId };
  }
  if (action.action === 'reassign_work' && action.profileId !== undefined) {
    return { kind: 'circuit-breaker', message: `The user moved ${agentId} to profile ${action.profileId} for ${subject}.`, workId: work.id, agentId };
  }
  return undefined;
}

/** The profile the user moved the work's agent to, if they did. */
export function movedProfile(state: WorkflowState, work: WorkItem): string | undefined {
  const moved = state.agentProfiles;
  const agentId = agentIdOf(work.role, work.instance);
  return moved && Object.hasOwn(moved, agentId) ? moved[agentId] : undefined;
}
