import type { PlannedFile } from '../backends/agentOutput';
import type { DecisionDraft, Draft } from './draft';
import { batchesOf, leastBusyAgent, startStructure } from './fileBoard';
import { excerpt, findingsNote } from './workNotes';
import { agentIdOf, isRoleActive } from './workflowRoles';
import type { DecisionRequest, FileEntry, WorkItem, WorkResult } from './workflowTypes';

const SCEPTIC = 'code-sceptic';
const ARCHITECT = 'architect';

/** The plan's files in plan order, each path once. */
export function plannedEntries(planned: PlannedFile[] | undefined): FileEntry[] {
  const seen = new Set<string>();
  const entries: FileEntry[] = [];
  for (const file of planned ?? []) {
    if (seen.has(file.path)) continue;
    seen.add(file.path);
    entries.push({ path: file.path, purpose: file.purpose ?? '', stage: 'pending', fixes: 0 });
  }
  return entries;
}

/** The first dispatch of a run: the architect reads the repository and writes the plan. */
export function startPlanning(draft: Draft): void {
  draft.state.phase = 'PLANNING';
  draft.dispatch({ kind: 'plan', role: ARCHITECT, instance: 1, grants: [], inputs: [] });
}

/**
 * A plan (first or revised) arrived. A plan with problems (paths left out, or no files at all) goes
 * back to the Architect, at most `maxPlanRevisions` times in all; past that, the usable files are
 * built, and a plan with none stops for the user. A plan is taken as it is when there is no sceptic
 * to review it. A revised plan goes straight back to review. A first plan's review starts at once,
 * beside the Organiser's plan-ready decision (review or approve as it is): the run does not wait
 * one Organiser turn before the Sceptic starts, and the review's outcome waits for the answer.
 */
export function onPlanWritten(draft: Draft, work: WorkItem, result: WorkResult, artifactId: string): void {
  const files = plannedEntries(result.plannedFiles);
  const previous = draft.state.plan;
  const revisions = work.kind === 'revise-plan' ? (previous?.revisions ?? 0) + 1 : 0;
  draft.state.plan = { artifactId, revisions, approved: false };
  if (previous?.reviewArtifactId !== undefined) draft.state.plan.reviewArtifactId = previous.reviewArtifactId;
  draft.state.files = files;
  const problems = [...(result.planProblems ?? []), ...(files.length === 0 ? [NO_FILES] : [])];
  if (problems.length > 0 && revisions < draft.state.config.maxPlanRevisions) {
    draft.state.plan.openFindings = planProblemsNote(problems);
    revisePlan(draft);
    return;
  }
  if (files.length === 0) {
    stopForEmptyPlan(draft, revisions, problems);
    return;
  }
  if (!isRoleActive(draft.state.config, SCEPTIC)) {
    approvePlan(draft, 'completed');
  } else {
    requestPlanReview(draft);
    if (work.kind === 'plan') draft.state.plan.reviewAhead = true;
  }
}

/**
 * The Organiser's plan-ready answer was "review": the review is already running, or done. An
 * approval it left waiting approves the plan now; its findings open the plan-reviewed decision
 * next (planDecision). A run saved before reviews ran ahead has none running yet: it starts here.
 */
export function awaitPlanReview(draft: Draft): void {
  const plan = draft.state.plan;
  if (!plan) return;
  if (!plan.reviewAhead) {
    requestPlanReview(draft);
    return;
  }
  const approvedBy = plan.approvedBy;
  delete plan.reviewAhead;
  delete plan.approvedBy;
  if (approvedBy !== undefined) approvePlan(draft, 'approved', approvedBy);
}

const NO_FILES = 'The plan lists no files to create or change, so there is nothing to build.';

/** Problems listed to the Architect at most; the rest are counted (each is in the findings). */
const MAX_LISTED_PROBLEMS = 20;

function planProblemsNote(problems: string[]): string {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((problem) => `- ${problem}`);
  if (problems.length > MAX_LISTED_PROBLEMS) listed.push(`- … and ${problems.length - MAX_LISTED_PROBLEMS} more like these`);
  return `The plan could not be used as it is. Name each file to create or change by its path inside the workspace (no patterns, links out of the workspace or tool settings):\n${listed.join('\n')}`;
}

/**
 * No file to build after the last revision allowed: the user decides. Resuming asks the Architect
 * once more; a headless run fails with this reason instead (see the run's `onAttention`).
 */
function stopForEmptyPlan(draft: Draft, revisions: number, problems: string[]): void {
  const reason = `The plan still lists no file that can be written after ${revisions} revision${revisions === 1 ? '' : 's'} (the most allowed): ${excerpt(problems.join(' '))}`;
  const decision: DecisionRequest = { id: draft.nextId('d'), point: 'loop-limit', options: ['revise_plan'], recommended: 'revise_plan', question: reason };
  // Kept for the revision the user may ask for; planDecision reads findings only in PLAN_REVIEW.
  if (draft.state.plan) draft.state.plan.openFindings = planProblemsNote(problems);
  draft.needAttention({ reason, decision });
}

/** The most planned files one review of the plan reads; a longer plan is reviewed in parts. */
export const PLAN_REVIEW_FILES = 25;

/**
 * Asks the Code Sceptics to review the plan. A plan of up to PLAN_REVIEW_FILES files is reviewed
 * whole. A longer one is reviewed in parts of at most that many files, spread over the Sceptics at
 * once: each part reads the plan's head and what it says about its files (planExcerpt.ts), so no
 * review prompt grows with the plan, and a long plan's review takes one turn, not one long turn.
 */
export function requestPlanReview(draft: Draft): void {
  const plan = draft.state.plan;
  if (!plan) return;
  draft.state.phase = 'PLAN_REVIEW';
  delete plan.openFindings;
  const paths = draft.state.files.map((file) => file.path);
  if (paths.length <= PLAN_REVIEW_FILES) {
    draft.dispatch({ kind: 'review-plan', role: SCEPTIC, instance: 1, grants: [], inputs: [plan.artifactId] });
    return;
  }
  for (const files of batchesOf(paths, PLAN_REVIEW_FILES)) {
    draft.dispatch({ kind: 'review-plan', role: SCEPTIC, instance: leastBusyAgent(draft, SCEPTIC), grants: [], inputs: [plan.artifactId], files });
  }
}

/**
 * A Sceptic's verdict on the plan, or on one part of it. Once every part is in: approval moves on
 * to structure; any part's findings (all of them, together) wait for a decision.
 */
export function onPlanReviewed(draft: Draft, work: WorkItem, result: WorkResult): void {
  const plan = draft.state.plan;
  if (!plan) return;
  const reviewArtifactId = result.artifactIds[0];
  if (result.approved !== true) {
    if (reviewArtifactId !== undefined) plan.reviewArtifactId = reviewArtifactId;
    const findings = findingsNote(result.findings);
    plan.openFindings = plan.openFindings === undefined ? findings : `${plan.openFindings}\n${findings}`;
  } else if (plan.openFindings === undefined && reviewArtifactId !== undefined) {
    plan.reviewArtifactId = reviewArtifactId;
  }
  if (plan.openFindings !== undefined || draft.hasPendingWork(isPlanReview)) return;
  const reviewedBy = agentIdOf(work.role, work.instance);
  // The Organiser has not yet said whether to wait for this review: its answer decides.
  if (plan.reviewAhead) plan.approvedBy = reviewedBy;
  else approvePlan(draft, 'approved', reviewedBy);
}

/** A plan review (or a part of one) is still running. */
export function isPlanReview(work: WorkItem): boolean {
  return work.kind === 'review-plan';
}

/**
 * Marks the plan approved (by review, by the Organiser, or unreviewed when no sceptic exists). A
 * review still running is stopped: the Organiser approved the plan without waiting for it.
 */
export function approvePlan(draft: Draft, status: 'approved' | 'completed', reviewedBy?: string): void {
  const plan = draft.state.plan;
  if (!plan) return;
  plan.approved = true;
  delete plan.openFindings;
  delete plan.reviewAhead;
  delete plan.approvedBy;
  draft.stopWork(isPlanReview);
  joinPendingAdditions(draft);
  draft.emit({
    type: 'artifactStatus',
    artifactId: plan.artifactId,
    status,
    ...(reviewedBy ? { reviewedBy } : {}),
    ...(reviewedBy && plan.reviewArtifactId ? { reviewArtifactId: plan.reviewArtifactId } : {}),
  });
  startStructure(draft);
}

/** Files the user added while the plan was being written join it, after the plan's own files. */
function joinPendingAdditions(draft: Draft): void {
  const { state } = draft;
  for (const added of state.pendingAdditions ?? []) {
    if (!draft.file(added.path)) draft.addFile(added);
  }
  delete state.pendingAdditions;
}

/** Sends the plan and its review back to the architect with the findings as the note. */
export function revisePlan(draft: Draft): void {
  const plan = draft.state.plan;
  if (!plan) return;
  draft.state.phase = 'PLAN_REVISION';
  draft.emit({
    type: 'artifactStatus',
    artifactId: plan.artifactId,
    status: 'needs-revision',
    ...(plan.reviewArtifactId ? { reviewArtifactId: plan.reviewArtifactId } : {}),
  });
  const note = plan.openFindings;
  delete plan.openFindings;
  draft.dispatch({
    kind: 'revise-plan',
    role: ARCHITECT,
    instance: 1,
    grants: [],
    inputs: [plan.artifactId, plan.reviewArtifactId],
    note,
  });
}

/** The plan decision the run is waiting for, if any: read from the phase and the plan. */
export function planDecision(draft: Draft): DecisionDraft | undefined {
  const { plan, config } = draft.state;
  if (!plan || plan.approved) return undefined;
  if (plan.reviewAhead) {
    return {
      point: 'plan-ready',
      options: ['request_plan_review', 'approve_plan'],
      recommended: 'request_plan_review',
      question: `The plan lists ${draft.state.files.length} files, and the Code Sceptic has started reviewing it. Wait for the review, or approve the plan as it is?`,
    };
  }
  // A long plan's findings wait until every part of its review is in.
  if (draft.phase !== 'PLAN_REVIEW' || plan.openFindings === undefined || draft.hasPendingWork(isPlanReview)) return undefined;
  const findings = excerpt(plan.openFindings);
  if (plan.revisions < config.maxPlanRevisions) {
    return {
      point: 'plan-reviewed',
      options: ['revise_plan', 'approve_plan', 'escalate'],
      recommended: 'revise_plan',
      question: `The Code Sceptic asked for changes to the plan (revision ${plan.revisions} of at most ${config.maxPlanRevisions}): ${findings}`,
    };
  }
  return {
    point: 'loop-limit',
    options: ['approve_plan', 'escalate'],
    recommended: 'escalate',
    question: `The plan was revised ${plan.revisions} times, the most allowed, and the Code Sceptic still asks for changes: ${findings}`,
  };
}
