import { matchesGlob } from '../../protocol/workflowDefinition';
import type { Draft } from './draft';
import { isRoleActive } from './workflowRoles';
import { rulesOf, type PhaseStepRule } from './workflowRules';
import type { WorkItem, WorkflowStateView } from './workflowTypes';

/*
 * Custom roles that join a phase (a Changelog Writer after documentation, a Release Checker after the
 * tests) run once each, in the phase they join, after the phase's own role and in the rules' order;
 * they run without the phase's own role too (its role not in the team), but not when the phase is off.
 */

/** Whether the workflow has the phase and the user has not left it out; off, it is off with its custom steps. */
export function phaseOn(state: WorkflowStateView, phase: PhaseStepRule['phase']): boolean {
  const step = phase === 'DOCUMENTATION' ? 'documentation' : 'testing';
  return rulesOf(state)[step] && !(state.skippedSteps ?? []).includes(step);
}

/** The next step of `phase` that has not run and whose role is in the team. */
export function nextPhaseStep(draft: Draft, phase: PhaseStepRule['phase']): PhaseStepRule | undefined {
  if (!phaseOn(draft.state, phase)) return undefined;
  const done = draft.state.stepsDone ?? [];
  return rulesOf(draft.state).phaseSteps.find((step) => step.phase === phase && !done.includes(step.role) && isRoleActive(draft.state.config, step.role));
}

/** The most files whose code one custom step reads. */
export const STEP_FILES = 25;

/**
 * Starts the step: its input is the plan and the latest code of the files it looks at (at most
 * STEP_FILES, in plan order); it may write only the files its join grants.
 */
export function startPhaseStep(draft: Draft, step: PhaseStepRule): void {
  const { state } = draft;
  state.phase = step.phase;
  const files = state.files.filter((file) => step.files === undefined || matchesGlob(file.path, step.files)).slice(0, STEP_FILES);
  draft.dispatch({
    kind: 'step',
    role: step.role,
    instance: 1,
    grants: [...(step.writes ?? [])],
    files: files.map((file) => file.path),
    inputs: [state.plan?.artifactId, ...files.map((file) => file.codeArtifactId)],
    note: `Your step in ${step.phase === 'DOCUMENTATION' ? 'the documentation' : 'the testing'} phase, on ${files.length} file${files.length === 1 ? '' : 's'} of the plan.`,
  });
}

/** The step is done; the caller goes on with the phase. */
export function onPhaseStepDone(draft: Draft, work: WorkItem): void {
  const done = draft.state.stepsDone ?? [];
  if (!done.includes(work.role)) draft.state.stepsDone = [...done, work.role];
}
