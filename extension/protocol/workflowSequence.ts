import { BUILT_IN_ROLE_NAMES } from './vocabulary';
import { resolveWorkflow, type JoinableStep, type RoleJoin, type TestSchedule, type WorkflowDefinition } from './workflowDefinition';

/*
 * The workflow a roles configuration describes, in words: "Plan → Plan review … → Code review by
 * Code Sceptic, then Security Auditor → Tests … → Done". Pure, so the Agent Roles tab and the host
 * (a log line, the CLI) say the same thing.
 */

/** What the sequence needs of a role: a RoleCard, or the engine's RoleDefinition, fits. */
export interface SequenceRole {
  id: string;
  name: string;
  builtin: boolean;
  active: boolean;
  joins?: RoleJoin | undefined;
}

/** The role that owns each joinable step; a custom role without `after` comes right after it. */
export const STEP_OWNERS: Readonly<Record<JoinableStep, string>> = { CODE_REVIEW: 'code-sceptic', DOCUMENTATION: 'documentation-writer', TESTING: 'debugger' };

/** One role's place in a step, in the order the step runs them. */
export interface StepMember {
  id: string;
  files?: string;
  /** For a DOCUMENTATION or TESTING step: the files its join lets it write. */
  writes?: string[];
}

/**
 * Who takes part in `step`, in order: the step's own role, then the active custom roles joining it,
 * each right after the role its `after` names (none: after the step's own role), those following the
 * same role in the roles' order, each followed by its own followers. A role following one that is
 * off, or caught in a circle of `after`s, is never reached. The engine's workflowRules.ts takes its
 * reviewers and phase steps from here, so the tab shows the order the run follows.
 */
export function stepMembers(roles: readonly SequenceRole[], step: JoinableStep): StepMember[] {
  const owner = STEP_OWNERS[step];
  const joiners = roles.filter((role) => role.active && !role.builtin && role.joins?.step === step && role.id !== owner);
  const order: StepMember[] = [];
  const visit = (id: string, join?: RoleJoin) => {
    if (order.some((member) => member.id === id)) return;
    order.push({ id, ...(join?.files !== undefined ? { files: join.files } : {}), ...(join?.writes !== undefined ? { writes: [...join.writes] } : {}) });
    for (const role of joiners) if ((role.joins?.after ?? owner) === id) visit(role.id, role.joins);
  };
  visit(owner);
  return order;
}

/**
 * The roles that may come before `roleId` in `step` (its `after` choices): the step's own role and
 * the custom roles joining it, without `roleId` itself and the roles that follow it (which would
 * close a circle).
 */
export function afterChoices(roles: readonly SequenceRole[], step: JoinableStep, roleId: string): string[] {
  const owner = STEP_OWNERS[step];
  const inStep = roles.filter((role) => role.id !== owner && !role.builtin && role.joins?.step === step);
  const followers = new Set<string>([roleId]);
  for (let grown = true; grown; ) {
    grown = false;
    for (const role of inStep) {
      if (!followers.has(role.id) && followers.has(role.joins?.after ?? owner)) {
        followers.add(role.id);
        grown = true;
      }
    }
  }
  return [owner, ...inStep.map((role) => role.id).filter((id) => !followers.has(id))];
}

/** The steps of the workflow, each in a few words. */
export function workflowSequence(roles: readonly SequenceRole[], definition: WorkflowDefinition | undefined): string[] {
  const workflow = resolveWorkflow(definition);
  const nameOf = (id: string) => roles.find((role) => role.id === id)?.name ?? BUILT_IN_ROLE_NAMES[id] ?? id;
  const isActive = (id: string) => roles.find((role) => role.id === id)?.active ?? true;
  // A phase that is off is off with the custom roles that join it.
  const members = (step: JoinableStep, phaseOn: boolean) =>
    stepMembers(roles, step)
      .filter((member) => phaseOn && (member.id === STEP_OWNERS[step] ? isActive(member.id) : true))
      .map((member) => `${nameOf(member.id)}${member.files !== undefined ? ` (${member.files})` : ''}`);

  const steps = [`Plan`, `Plan review${limit(workflow.maxPlanRevisions, 'revision')}`, 'File structure', 'Code'];
  if (workflow.diagnostics.enabled && workflow.diagnostics.maxRounds > 0) steps.push(`Diagnostics check${limit(workflow.diagnostics.maxRounds, 'round')}`);
  const reviewers = members('CODE_REVIEW', true);
  if (reviewers.length > 0) steps.push(`Code review by ${reviewers.join(', then ')}${limit(workflow.maxFixRounds, 'fix round')}`);
  const documenters = members('DOCUMENTATION', workflow.documentation);
  if (documenters.length > 0) steps.push(`Documentation by ${documenters.join(', then ')}`);
  const testers = members('TESTING', workflow.testing);
  if (testers.length > 0) {
    const debuggerRuns = workflow.testing && isActive(STEP_OWNERS.TESTING);
    // The machine's rule (docsAndTests.ts): the final tests run beside the documents when no custom role joins them.
    const beside = documenters.length === 1 && isActive(STEP_OWNERS.DOCUMENTATION) ? ', beside the documentation' : '';
    steps.push(debuggerRuns ? `Tests ${scheduleInWords(workflow.tests)}${beside}${limit(workflow.maxTestCycles, 'fix cycle')}${testers.length > 1 ? `, then ${testers.slice(1).join(', then ')}` : ''}` : `Testing by ${testers.join(', then ')}`);
  }
  steps.push('Done');
  return steps;
}

/**
 * How the steps overlap, in a sentence: each file moves on by itself (the machine's fileBoard.ts and
 * docsAndTests.ts), so the sequence is the order of one file's steps, not of phases that wait.
 */
export function workflowOverlapInWords(roles: readonly SequenceRole[], definition: WorkflowDefinition | undefined): string {
  const workflow = resolveWorkflow(definition);
  const isActive = (id: string) => roles.find((role) => role.id === id)?.active ?? true;
  const reviewed = stepMembers(roles, 'CODE_REVIEW').some((member) => member.id !== STEP_OWNERS.CODE_REVIEW || isActive(member.id));
  const documented = workflow.documentation && isActive(STEP_OWNERS.DOCUMENTATION);
  const later = [...(reviewed ? ['reviewed'] : []), ...(documented ? ['documented'] : [])];
  const meanwhile = later.length > 0 ? `, and ${later.join(', then ')} while the others are still being coded` : '';
  return `Each file takes these steps on its own, so they overlap: a file is coded as soon as its scaffold batch is in${meanwhile}.`;
}

/** The sequence in one line: "Plan → … → Done". */
export function workflowSequenceInWords(roles: readonly SequenceRole[], definition: WorkflowDefinition | undefined): string {
  return workflowSequence(roles, definition).join(' → ');
}

/** "at the end", "every 5 approved files and at the end", "after each folder and at the end". */
export function scheduleInWords(schedule: TestSchedule): string {
  switch (schedule.when) {
    case 'end':
      return 'at the end';
    case 'every-files':
      return `every ${schedule.files} approved file${schedule.files === 1 ? '' : 's'} and at the end`;
    case 'each-folder':
      return 'after each folder and at the end';
  }
}

function limit(count: number, what: string): string {
  return count === 0 ? ` (no ${what}s)` : ` (up to ${count} ${what}${count === 1 ? '' : 's'})`;
}
