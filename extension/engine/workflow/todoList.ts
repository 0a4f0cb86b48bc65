import { rulesOf, type PhaseStepRule } from './workflowRules';
import type { TodoItem, TodoStatus } from './todoTypes';
import { isRoleActive } from './workflowRoles';
import type { DecisionRequest, FileEntry, Phase, WorkItem, WorkflowState } from './workflowTypes';

/** How far along the run is; the three plan phases share a rank because they alternate. */
const PHASE_RANK: Partial<Record<Phase, number>> = {
  IDLE: 0,
  PLANNING: 1,
  PLAN_REVIEW: 1,
  PLAN_REVISION: 1,
  STRUCTURE_CREATION: 2,
  CODE_IMPLEMENTATION: 3,
  CODE_REVIEW: 3,
  CODE_FIXING: 3,
  DOCUMENTATION: 4,
  TESTING: 5,
  COMPLETED: 6,
};

const fileItemId = (path: string) => `file:${path}`;

/**
 * The run's to-do list, derived from the workflow state: the plan, its review (when a sceptic takes
 * part), the scaffolding, one line per file, documentation and testing (when their roles take part).
 * `blocked` means the item waits for a decision or for a person.
 */
export function deriveTodoList(state: WorkflowState): TodoItem[] {
  const phase = state.phase === 'PAUSED' ? (state.pausedFrom ?? 'IDLE') : state.phase;
  const rank = PHASE_RANK[phase];
  const blocked = blockedItems(state);
  const sceptic = isRoleActive(state.config, 'code-sceptic');
  const status = (id: string, done: boolean, active: boolean): TodoStatus => {
    if (done || phase === 'COMPLETED') return 'done';
    if (rank === undefined) return 'pending'; // cancelled or failed: nothing is running any more
    if (blocked.has(id)) return 'blocked';
    return active ? 'in-progress' : 'pending';
  };
  const planApproved = state.plan?.approved === true;
  // A plan that arrived without problems is written, whatever the Organiser then decides about reviewing it.
  const planWritten = state.plan !== undefined && (phase === 'PLAN_REVIEW' || (phase === 'PLANNING' && state.plan.openFindings === undefined));
  const coding = state.files.some((file) => file.stage !== 'pending');
  const items: TodoItem[] = [
    {
      id: 'plan',
      title: 'Write the implementation plan',
      role: 'architect',
      status: status('plan', planApproved || planWritten, phase === 'PLANNING' || phase === 'PLAN_REVISION'),
    },
  ];
  if (sceptic) {
    items.push({ id: 'plan-review', title: 'Review the plan', role: 'code-sceptic', status: status('plan-review', planApproved, phase === 'PLAN_REVIEW' || phase === 'PLAN_REVISION') });
  }
  // Coding starts with the first scaffolded batch, so the scaffolding may still run beside it.
  const scaffolding = phase === 'STRUCTURE_CREATION' || (rank === 3 && state.batchesLeft > 0);
  items.push({ id: 'structure', title: 'Scaffold the files with pseudocode', role: 'primary-coder', status: status('structure', ((rank ?? 0) > 2 || coding) && !scaffolding, scaffolding) });
  for (const file of state.files) items.push(fileItem(file, sceptic, status));
  const rules = rulesOf(state);
  const steps = (phase: 'DOCUMENTATION' | 'TESTING') => rules.phaseSteps.filter((step) => step.phase === phase && isRoleActive(state.config, step.role));
  const stepItem = (step: PhaseStepRule): TodoItem => {
    const done = (state.stepsDone ?? []).includes(step.role);
    const running = Object.values(state.inFlight).some((work) => work.kind === 'step' && work.role === step.role);
    return { id: stepItemId(step.role), title: `${step.phase === 'DOCUMENTATION' ? 'Documentation' : 'Testing'} step of ${step.role}`, role: step.role, status: status(stepItemId(step.role), done, running) };
  };
  if (rules.documentation) {
    if (isRoleActive(state.config, 'documentation-writer')) {
      // Approved files are documented while the others are still being coded.
      const documenting = Object.values(state.inFlight).some((work) => work.kind === 'document');
      items.push({ id: 'documentation', title: 'Document the code', role: 'documentation-writer', status: status('documentation', state.documented, !state.documented && (phase === 'DOCUMENTATION' || documenting)) });
    }
    items.push(...steps('DOCUMENTATION').map(stepItem));
  }
  if (rules.testing) {
    if (isRoleActive(state.config, 'debugger')) {
      // The final run (no files named) may be going beside the documents.
      const testing = Object.values(state.inFlight).some((work) => work.kind === 'test' && work.files === undefined) || (phase === 'TESTING' && !Object.values(state.inFlight).some((work) => work.kind === 'step'));
      items.push({ id: 'testing', title: 'Run the tests', role: 'debugger', status: status('testing', false, testing) });
    }
    items.push(...steps('TESTING').map(stepItem));
  }
  return items;
}

const stepItemId = (role: string) => `step:${role}`;

function fileItem(file: FileEntry, sceptic: boolean, status: (id: string, done: boolean, active: boolean) => TodoStatus): TodoItem {
  const id = fileItemId(file.path);
  const waitsForDecision = file.stage === 'reviewing' && file.openFindings !== undefined;
  const computed = status(id, file.stage === 'approved', file.stage !== 'pending');
  return {
    id,
    title: sceptic ? `Implement and review ${file.path}` : `Implement ${file.path}`,
    role: 'secondary-coder',
    file: file.path,
    status: waitsForDecision && computed === 'in-progress' ? 'blocked' : computed,
  };
}

/** Items a decision or a person is holding up. */
function blockedItems(state: WorkflowState): Set<string> {
  const blocked = new Set<string>();
  for (const request of [state.decision, state.attention?.decision]) {
    const subject = request && decisionSubject(request, state);
    if (subject) blocked.add(subject);
  }
  if (state.attention && !state.attention.decision) {
    // Work that failed too often waits in `deferred` until the person resumes.
    for (const effect of state.deferred) {
      const subject = effect.type === 'dispatch' ? workSubject(effect.work) : undefined;
      if (subject) blocked.add(subject);
    }
  }
  return blocked;
}

function decisionSubject(request: DecisionRequest, state: WorkflowState): string | undefined {
  if (request.file !== undefined) return fileItemId(request.file);
  switch (request.point) {
    // The review runs beside this question (whether to wait for it); once in, it waits for the answer.
    case 'plan-ready':
      return Object.values(state.inFlight).some((work) => work.kind === 'review-plan') ? undefined : 'plan-review';
    case 'plan-reviewed':
      return 'plan-review';
    case 'tests-failed':
      return 'testing';
    case 'loop-limit':
      return (state.pausedFrom ?? state.phase) === 'TESTING' ? 'testing' : 'plan-review';
    default:
      return undefined;
  }
}

function workSubject(work: WorkItem): string | undefined {
  switch (work.kind) {
    case 'plan':
    case 'revise-plan':
      return 'plan';
    case 'review-plan':
      return 'plan-review';
    case 'structure':
      return 'structure';
    case 'implement':
    case 'review-code':
    case 'fix':
    case 'check':
      return work.file !== undefined ? fileItemId(work.file) : undefined;
    case 'step':
      return stepItemId(work.role);
    case 'document':
      return 'documentation';
    case 'test':
      return 'testing';
    default:
      return undefined;
  }
}
