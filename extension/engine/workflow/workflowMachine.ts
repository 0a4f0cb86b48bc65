import { OrchestraError } from '../util/errors';
import { breakerAnswerProblem, openCircuitBreaker, withdrawnWorkId } from './circuitBreaker';
import { applyDecision, defaultResumeAction, openNextDecision, queueSpawnRequests } from './decisionPoints';
import { onChecked, onCoded } from './diagnosticsGate';
import { afterCoding, documentApproved, onDocumented, onStepDone, onTested, stepTakesPart } from './docsAndTests';
import { Draft, ownEntry, unreachable } from './draft';
import { CODING_PHASES, boardPhase, onCodeReviewed, onStructured } from './fileBoard';
import { isMilestoneTest, onMilestoneTested, scheduleMilestoneTests } from './milestoneTests';
import { onPlanReviewed, onPlanWritten, startPlanning } from './planning';
import { applyUserChange } from './userChanges';
import { REQUIRED_ROLES, agentIdOf, instancesOf } from './workflowRoles';
import {
  DEFAULT_WORKFLOW_CONFIG,
  TERMINAL_PHASES,
  type OrganiserAction,
  type TransitionResult,
  type WorkItem,
  type WorkResult,
  type WorkflowConfig,
  type WorkflowEvent,
  type WorkflowState,
} from './workflowTypes';

/** The state of a run that has not started. */
export function initialWorkflowState(): WorkflowState {
  return {
    phase: 'IDLE',
    task: '',
    config: { ...DEFAULT_WORKFLOW_CONFIG, instances: {} },
    files: [],
    batchesLeft: 0,
    inFlight: {},
    deferred: [],
    spawnQueue: [],
    documented: false,
    testCycles: 0,
    seq: 0,
  };
}

/**
 * A saved state made ready to take events again (resume after the process is gone). It always comes
 * back PAUSED: work that was out when the state was saved has no one to answer it any more, so it
 * is held and sent again on RESUME, like work aborted by a pause. A run that ended or never started
 * cannot be restored.
 */
export function restore(saved: WorkflowState): WorkflowState {
  if (TERMINAL_PHASES.includes(saved.phase) || saved.phase === 'IDLE' || (saved.phase === 'PAUSED' && saved.pausedFrom === undefined)) {
    throw new OrchestraError('invalid-input', `A run in ${saved.phase} cannot be continued.`);
  }
  const draft = new Draft(saved);
  draft.paused = true;
  for (const work of Object.values(draft.state.inFlight)) draft.state.deferred.push({ type: 'dispatch', work });
  draft.state.inFlight = {};
  return draft.result().state;
}

/**
 * The workflow machine: the next state and the effects to perform, for one event. Pure: no I/O, no
 * clock, no randomness, and the input state is never changed. An event the current state does not
 * allow comes back with the same state object, no effects and `rejected` saying why.
 */
export function transition(state: WorkflowState, event: WorkflowEvent): TransitionResult {
  if (TERMINAL_PHASES.includes(state.phase)) return reject(state, `The run has ended (${state.phase}); ${event.type} is not accepted.`);
  if (state.phase === 'IDLE' && event.type !== 'START' && event.type !== 'CANCEL' && event.type !== 'FAIL') {
    return reject(state, `The run has not started; ${event.type} is not accepted.`);
  }
  const draft = new Draft(state);
  const rejected = handle(draft, event);
  if (rejected !== undefined) return reject(state, rejected);
  settle(draft);
  return draft.result();
}

function reject(state: WorkflowState, why: string): TransitionResult {
  return { state, effects: [], rejected: why };
}

/** Applies one event to the draft; returns why when the event is not allowed. */
function handle(draft: Draft, event: WorkflowEvent): string | undefined {
  switch (event.type) {
    case 'START':
      return start(draft, event.task, event.config);
    case 'WORK_DONE':
      return workDone(draft, event.workId, event.result);
    case 'WORK_FAILED':
      return workFailed(draft, event.workId, event.message);
    case 'WORK_ABORTED':
      return workAborted(draft, event.workId);
    case 'DECIDE':
      return decide(draft, event.decisionId, event.action);
    case 'PAUSE':
      return pause(draft, event.reason);
    case 'RESUME':
      return resume(draft, event.action);
    case 'CANCEL':
      draft.finish('CANCELLED', event.reason ?? 'Cancelled.');
      return undefined;
    case 'FAIL':
      draft.finish('FAILED', event.reason);
      return undefined;
    case 'USER_CHANGE':
      return applyUserChange(draft, event.change);
    default:
      return unreachable(event);
  }
}

/**
 * After every event: the coding phase follows the board (a milestone test still running holds it
 * there), milestone tests start when one is due, approved files are documented a batch at a time,
 * and the next decision opens when none is.
 */
function settle(draft: Draft): void {
  if (draft.terminal) return;
  if (CODING_PHASES.includes(draft.phase)) {
    const milestoneRunning = draft.hasPendingWork(isMilestoneTest);
    if (!milestoneRunning && draft.state.files.every((file) => file.stage === 'approved')) afterCoding(draft);
    else draft.state.phase = boardPhase(draft.state.files);
    if (CODING_PHASES.includes(draft.phase)) {
      scheduleMilestoneTests(draft, stepTakesPart(draft.state, 'testing'));
      if (draft.approvedFiles) documentApproved(draft);
    }
  }
  openNextDecision(draft);
}

function start(draft: Draft, task: string, config: WorkflowConfig): string | undefined {
  if (draft.phase !== 'IDLE') return `The run has already started (${draft.phase}).`;
  const { state } = draft;
  state.task = task;
  state.config = withRequiredRoles(config);
  const problem = configProblem(config);
  if (problem) {
    draft.finish('FAILED', `The workflow settings are invalid: ${problem}`);
    return undefined;
  }
  startPlanning(draft);
  return undefined;
}

function withRequiredRoles(config: WorkflowConfig): WorkflowConfig {
  const instances = { ...config.instances };
  for (const role of REQUIRED_ROLES) instances[role] = instancesOf(config, role);
  return { ...config, instances };
}

function configProblem(config: WorkflowConfig): string | undefined {
  const atLeast = (value: number, min: number) => Number.isInteger(value) && value >= min;
  if (!atLeast(config.batchSize, 1)) return 'batchSize must be a whole number of at least 1.';
  if (!atLeast(config.maxWorkAttempts, 1)) return 'maxWorkAttempts must be a whole number of at least 1.';
  if (!atLeast(config.maxInstancesPerRole, 1)) return 'maxInstancesPerRole must be a whole number of at least 1.';
  for (const key of ['maxPlanRevisions', 'maxFixRounds', 'maxTestCycles'] as const) {
    if (!atLeast(config[key], 0)) return `${key} must be a whole number of at least 0.`;
  }
  if (!(config.retryBaseMs >= 0)) return 'retryBaseMs must not be negative.';
  return undefined;
}

/** Takes finished work out of flight; a result may also arrive for work held back by a pause. */
function takeWork(draft: Draft, workId: string): WorkItem | undefined {
  const { state } = draft;
  const running = ownEntry(state.inFlight, workId);
  if (running) {
    draft.dropInFlight(workId);
    return running;
  }
  const index = state.deferred.findIndex((effect) => effect.type === 'dispatch' && effect.work.id === workId);
  const held = state.deferred[index];
  if (held?.type !== 'dispatch') return undefined;
  state.deferred.splice(index, 1);
  return held.work;
}

function workDone(draft: Draft, workId: string, result: WorkResult): string | undefined {
  const work = takeWork(draft, workId);
  if (!work) return `No work ${workId} is in flight.`;
  const missing = applyResult(draft, work, result);
  if (missing) {
    // A result without the artifact the next step needs is a failed attempt, not progress.
    draft.putInFlight(work);
    failWork(draft, work, missing);
    return undefined;
  }
  if (!draft.terminal) queueSpawnRequests(draft, work, result.spawnRequests);
  return undefined;
}

/** Hands a result to the concept it belongs to; returns what was missing when it cannot be used. */
function applyResult(draft: Draft, work: WorkItem, result: WorkResult): string | undefined {
  const agent = agentIdOf(work.role, work.instance);
  switch (work.kind) {
    case 'plan':
    case 'revise-plan': {
      const planId = result.artifactIds[0];
      if (planId === undefined) return `${agent} finished ${work.kind} without a plan artifact.`;
      onPlanWritten(draft, work, result, planId);
      return undefined;
    }
    case 'review-plan':
      onPlanReviewed(draft, work, result);
      return undefined;
    case 'structure':
      onStructured(draft, work, result);
      return undefined;
    case 'implement':
    case 'fix': {
      const codeId = ownEntry(result.fileArtifacts, work.file) ?? result.artifactIds[0];
      if (codeId === undefined) return `${agent} finished ${work.kind} of ${work.file ?? 'a file'} without a code artifact.`;
      onCoded(draft, work, codeId);
      return undefined;
    }
    case 'review-code':
      onCodeReviewed(draft, work, result);
      return undefined;
    case 'document':
      onDocumented(draft, work);
      return undefined;
    case 'test':
      if (isMilestoneTest(work)) onMilestoneTested(draft, result);
      else onTested(draft, result);
      return undefined;
    case 'check':
      onChecked(draft, work, result);
      return undefined;
    case 'step':
      onStepDone(draft, work);
      return undefined;
    case 'consult':
      return undefined;
    default:
      return unreachable(work.kind);
  }
}

function workFailed(draft: Draft, workId: string, message: string): string | undefined {
  const work = ownEntry(draft.state.inFlight, workId);
  if (!work) return `No work ${workId} is in flight.`;
  failWork(draft, work, message);
  return undefined;
}

/**
 * Retries with exponential delay until `maxWorkAttempts`; then the circuit opens: the run pauses for
 * a person, who may retry, reassign or skip it (see circuitBreaker.ts); the work waits in `deferred`.
 */
function failWork(draft: Draft, work: WorkItem, message: string): void {
  const { config } = draft.state;
  if (work.attempt < config.maxWorkAttempts) {
    draft.redispatch({ ...work, attempt: work.attempt + 1 }, config.retryBaseMs * 2 ** (work.attempt - 1));
    return;
  }
  draft.dropInFlight(work.id);
  const held: WorkItem = { ...work, attempt: 1 };
  draft.state.deferred.push({ type: 'dispatch', work: held });
  openCircuitBreaker(draft, held, work.attempt, message);
}

/** Aborted work is still wanted: sent again now, or held until resume when paused. */
function workAborted(draft: Draft, workId: string): string | undefined {
  const work = ownEntry(draft.state.inFlight, workId);
  if (!work) return `No work ${workId} is in flight.`;
  draft.redispatch(work);
  return undefined;
}

function decide(draft: Draft, decisionId: string, action: OrganiserAction): string | undefined {
  const request = draft.state.decision;
  if (!request) return 'No decision is open.';
  if (request.id !== decisionId) return `Decision ${decisionId} is not the open one (${request.id}).`;
  if (!request.options.includes(action.action)) return `${action.action} is not an option of ${request.point} (${request.options.join(', ')}).`;
  delete draft.state.decision;
  applyDecision(draft, request, action);
  return undefined;
}

/** A pause with a reason also asks for a person; a second reason while paused is added to the first. */
function pause(draft: Draft, reason: string | undefined): string | undefined {
  const wasPaused = draft.paused;
  if (wasPaused && reason === undefined) return 'The run is already paused.';
  draft.paused = true;
  if (reason !== undefined) draft.needAttention({ reason });
  if (!wasPaused) draft.emit({ type: 'abort', workIds: Object.keys(draft.state.inFlight) });
  return undefined;
}

/**
 * Back to the phase the run paused in: held-back effects go out, the open decision is asked again,
 * and a decision that needed a person is answered with the given action (or its first option).
 */
function resume(draft: Draft, action: OrganiserAction | undefined): string | undefined {
  const { state } = draft;
  if (!draft.paused) return 'The run is not paused.';
  const escalated = state.attention?.decision;
  const request = escalated ?? state.decision;
  if (action) {
    if (!request) return 'There is no decision to answer.';
    if (action.action === 'escalate' || !request.options.includes(action.action)) {
      return `${action.action} is not a way to resume ${request.point} (${request.options.filter((o) => o !== 'escalate').join(', ')}).`;
    }
    const problem = breakerAnswerProblem(request, action);
    if (problem) return problem;
  }
  draft.paused = false;
  delete state.attention;
  const answer = action?.action ?? (escalated ? defaultResumeAction(escalated) : undefined);
  const withdrawn = request && withdrawnWorkId(request, answer);
  const held = state.deferred.filter((effect) => !(effect.type === 'dispatch' && effect.work.id === withdrawn));
  state.deferred = [];
  for (const effect of held) {
    if (effect.type === 'dispatch') draft.redispatch(effect.work, effect.delayMs);
    else draft.emit(effect);
  }
  if (request && answer) {
    if (request === state.decision) delete state.decision;
    applyDecision(draft, request, { ...action, action: answer, reason: action?.reason ?? 'Resumed by the user.' });
  } else if (state.decision && !held.some((effect) => effect.type === 'decide' && effect.request.id === state.decision?.id)) {
    draft.emit({ type: 'decide', request: state.decision });
  }
  return undefined;
}
