import type { SpawnRequest } from '../backends/agentOutput';
import { applyBreakerAnswer } from './circuitBreaker';
import { fixTestFailures, testsDecision } from './docsAndTests';
import { unreachable, type DecisionDraft, type Draft } from './draft';
import { acceptFile, awaitsReviewDecision, fileDecision, fixFile } from './fileBoard';
import { approvePlan, awaitPlanReview, planDecision, revisePlan } from './planning';
import { agentIdOf, canSpawn, hasOwnWork, instancesOf } from './workflowRoles';
import type { DecisionRequest, OrganiserAction, OrganiserActionType, WorkItem } from './workflowTypes';

/**
 * Decision points. The state holds at most one open decision; the others are not queued as such but
 * read back from the state whenever no decision is open: the plan first, then rejected file reviews in
 * plan order, then a failed test run, then spawn requests (the only ones kept in a queue, since
 * nothing else remembers them).
 */
export function openNextDecision(draft: Draft): void {
  const { state } = draft;
  if (draft.terminal || state.decision || state.attention) return;
  const next = planDecision(draft) ?? fileDecision(draft) ?? testsDecision(draft) ?? takeSpawnDecision(draft);
  if (!next) return;
  const request: DecisionRequest = { id: draft.nextId('d'), ...next };
  state.decision = request;
  draft.emit({ type: 'decide', request });
}

/** Spawn requests from a finished piece of work wait for their own decisions. */
export function queueSpawnRequests(draft: Draft, work: WorkItem, requests: SpawnRequest[] | undefined): void {
  const requestedBy = agentIdOf(work.role, work.instance);
  for (const request of requests ?? []) draft.state.spawnQueue.push({ role: request.role, reason: request.reason, requestedBy });
}

function takeSpawnDecision(draft: Draft): DecisionDraft | undefined {
  const spawn = draft.state.spawnQueue.shift();
  if (!spawn) return undefined;
  const asked = `${spawn.requestedBy} asks for another ${spawn.role}: ${spawn.reason}`;
  if (canSpawn(draft.state.config, spawn.role)) {
    return { point: 'spawn-request', options: ['grant_spawn', 'refuse_spawn'], recommended: 'grant_spawn', question: asked, spawn };
  }
  // Unknown roles and roles at their limit cannot be granted; the Organiser only acknowledges them.
  return { point: 'spawn-request', options: ['refuse_spawn'], recommended: 'refuse_spawn', question: `${asked} (not possible: unknown role or at its limit)`, spawn };
}

/** The first option a person's plain "resume" stands for. */
export function defaultResumeAction(request: DecisionRequest): OrganiserActionType | undefined {
  return request.options.find((option) => option !== 'escalate');
}

/** Carries out an answer to `request`; the caller has checked that it is one of the options. */
export function applyDecision(draft: Draft, request: DecisionRequest, action: OrganiserAction): void {
  const file = draft.file(request.file);
  switch (action.action) {
    case 'request_plan_review':
      awaitPlanReview(draft);
      return;
    case 'approve_plan':
      approvePlan(draft, 'approved');
      return;
    case 'revise_plan':
      revisePlan(draft);
      return;
    case 'fix_file':
      if (file && awaitsReviewDecision(file)) fixFile(draft, file, file.reviewArtifactId);
      return;
    case 'accept_file':
      if (file && awaitsReviewDecision(file)) acceptFile(draft, file);
      return;
    case 'fix_test_failures':
      fixTestFailures(draft);
      return;
    case 'complete':
      draft.finish('COMPLETED', `Completed by decision at ${request.point}: ${action.reason || request.question}`);
      return;
    case 'grant_spawn':
      if (request.spawn) grantSpawn(draft, request.spawn);
      return;
    case 'refuse_spawn':
      return;
    case 'retry_work':
    case 'reassign_work':
    case 'skip_work':
      applyBreakerAnswer(draft, request, action);
      return;
    case 'escalate': {
      const subject = request.file ? ` on ${request.file}` : '';
      draft.needAttention({
        reason: `The decision "${request.point}"${subject} needs you: ${action.reason || request.question}`,
        decision: request,
      });
      return;
    }
    default:
      unreachable(action.action);
  }
}

function grantSpawn(draft: Draft, spawn: NonNullable<DecisionRequest['spawn']>): void {
  const { config } = draft.state;
  const instance = instancesOf(config, spawn.role) + 1;
  // A computed key, so that a role named like an Object.prototype member stays a plain entry.
  config.instances = { ...config.instances, [spawn.role]: instance };
  draft.emit({ type: 'spawn', role: spawn.role, instance });
  if (!hasOwnWork(spawn.role)) {
    draft.dispatch({ kind: 'consult', role: spawn.role, instance, grants: [], inputs: [], note: `${spawn.requestedBy} asked for you: ${spawn.reason}` });
  }
}
