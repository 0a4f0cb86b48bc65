import { onDocumented, onStepDone, onTestsSkipped } from './docsAndTests';
import type { Draft } from './draft';
import { acceptFile, requestCodeReview } from './fileBoard';
import { isMilestoneTest } from './milestoneTests';
import { agentIdOf } from './workflowRoles';
import type { DecisionRequest, OrganiserAction, OrganiserActionType, WorkItem } from './workflowTypes';

/**
 * The circuit breaker: work that failed every attempt stops the run for a person, who may try it
 * again as it is, give it to the agent on another of their profiles, or skip the step where the
 * run can go on without it. The choices are a decision carried by the attention (never asked of
 * the Organiser); the work waits in `deferred` until the answer.
 */

/** Work the run cannot go on without: the plan and the scaffold every file builds on. */
const NOT_SKIPPABLE: ReadonlySet<WorkItem['kind']> = new Set(['plan', 'review-plan', 'revise-plan', 'structure']);

export function canSkip(work: WorkItem): boolean {
  return !NOT_SKIPPABLE.has(work.kind);
}

/** Opens the breaker for `work` (already moved to `deferred`), naming the agent, the work and the last error. */
export function openCircuitBreaker(draft: Draft, work: WorkItem, attempts: number, lastError: string): void {
  const agent = agentIdOf(work.role, work.instance);
  const subject = work.file ? ` of ${work.file}` : '';
  const reason = `${work.kind}${subject} by ${agent} failed ${attempts} times; last error: ${lastError}`;
  // One breaker answered at a time; work that breaks while one is open is retried on resume.
  if (draft.state.attention?.decision) {
    draft.needAttention({ reason });
    return;
  }
  const options: OrganiserActionType[] = ['retry_work', 'reassign_work', ...(canSkip(work) ? (['skip_work'] as const) : [])];
  const decision: DecisionRequest = {
    id: draft.nextId('d'),
    point: 'circuit-breaker',
    options,
    recommended: 'retry_work',
    question: reason,
    work,
    ...(work.file !== undefined ? { file: work.file } : {}),
  };
  draft.needAttention({ reason, decision });
}

/** Why an answer to the breaker cannot be taken, if it cannot. */
export function breakerAnswerProblem(request: DecisionRequest, action: OrganiserAction): string | undefined {
  if (request.point !== 'circuit-breaker') return undefined;
  if (action.action === 'reassign_work' && action.profileId === undefined) return 'reassign_work needs the profile to move the work to (profileId).';
  return undefined;
}

/** The held work the answer takes out of `deferred` (a skipped step is not sent again). */
export function withdrawnWorkId(request: DecisionRequest, action: OrganiserActionType | undefined): string | undefined {
  return request.point === 'circuit-breaker' && action === 'skip_work' ? request.work?.id : undefined;
}

/** Carries out retry (nothing more: the held work goes out again), reassign or skip. */
export function applyBreakerAnswer(draft: Draft, request: DecisionRequest, action: OrganiserAction): void {
  const work = request.work;
  if (!work) return;
  const agent = agentIdOf(work.role, work.instance);
  if (action.action === 'reassign_work' && action.profileId !== undefined) {
    // A computed key in a new object: the agent id is data, and the caller's state stays untouched.
    draft.state.agentProfiles = { ...draft.state.agentProfiles, [agent]: action.profileId };
    return;
  }
  if (action.action === 'skip_work' && canSkip(work)) skip(draft, work);
}

/**
 * A skipped file keeps its last good code and counts as accepted (the run reports the finding);
 * a skipped documentation batch counts as written; skipped tests end the run without claiming
 * they pass.
 */
function skip(draft: Draft, work: WorkItem): void {
  switch (work.kind) {
    case 'implement':
    case 'fix':
    case 'review-code': {
      const file = draft.file(work.file);
      if (file && file.stage !== 'approved') acceptFile(draft, file);
      return;
    }
    case 'check': {
      // The gate could not check the file: it goes to review unchecked.
      const file = draft.file(work.file);
      if (file?.stage === 'checking') requestCodeReview(draft, file);
      return;
    }
    case 'document':
      onDocumented(draft, work);
      return;
    case 'step':
      onStepDone(draft, work);
      return;
    case 'test': {
      // A milestone's tests are skipped; the board goes on and the final run still tests everything.
      if (isMilestoneTest(work)) return;
      onTestsSkipped(draft, agentIdOf(work.role, work.instance));
      return;
    }
    default:
      return;
  }
}
