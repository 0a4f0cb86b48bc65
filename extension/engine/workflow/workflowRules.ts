import { resolveWorkflow, type JoinableStep, type TestSchedule, type WorkflowDefinition } from '../../protocol/workflowDefinition';
import { STEP_OWNERS, stepMembers } from '../../protocol/workflowSequence';
import type { RoleDefinition } from '../roles/roleSchema';

/**
 * The rules the pure machine reads, made once from the roles and the workflow definition at the start
 * of a run and kept in the run's state (so a resumed run follows the rules it started with).
 */
export interface WorkflowRules {
  documentation: boolean;
  testing: boolean;
  /** Who reviews each file, in order; a file is approved when every reviewer that applies to it approved. */
  reviewers: ReviewerRule[];
  /** Custom roles that run once in a phase, after the phase's own role, in this order. */
  phaseSteps: PhaseStepRule[];
  tests: TestSchedule;
  /** Rounds of the diagnostics gate per file; absent when the run has no checker or the gate is off. */
  diagnosticsRounds?: number;
}

export interface ReviewerRule {
  role: string;
  /** Only files matching this glob (see matchesGlob). */
  files?: string;
}

export interface PhaseStepRule {
  role: string;
  phase: Exclude<JoinableStep, 'CODE_REVIEW'>;
  files?: string;
  /** Files the step may write (exact paths from the role's join). */
  writes?: string[];
}

/** The built-in workflow: the Code Sceptic reviews every file, tests at the end, no gate. */
export const BUILTIN_RULES: WorkflowRules = { documentation: true, testing: true, reviewers: [{ role: 'code-sceptic' }], phaseSteps: [], tests: { when: 'end' } };

/**
 * The rules for `roles` (merged, custom ones included) under `definition`. `hasChecker` says whether
 * the run can check files (a language server in VS Code, a configured or found checker headless).
 * Joins that `joinProblems` refuses are left out here; callers refuse the configuration first.
 */
export function workflowRules(roles: readonly RoleDefinition[], definition: WorkflowDefinition | undefined, hasChecker: boolean): WorkflowRules {
  const workflow = resolveWorkflow(definition);
  const active = roles.filter((role) => role.active);
  return {
    documentation: workflow.documentation,
    testing: workflow.testing,
    reviewers: stepMembers(active, 'CODE_REVIEW').map(({ id, files }) => ({ role: id, ...(files !== undefined ? { files } : {}) })),
    phaseSteps: (['DOCUMENTATION', 'TESTING'] as const).flatMap((phase) =>
      stepMembers(active, phase)
        .filter(({ id }) => id !== STEP_OWNERS[phase])
        .map(({ id, files, writes }) => ({ role: id, phase, ...(files !== undefined ? { files } : {}), ...(writes !== undefined ? { writes } : {}) })),
    ),
    tests: workflow.tests,
    ...(hasChecker && workflow.diagnostics.enabled && workflow.diagnostics.maxRounds > 0 ? { diagnosticsRounds: workflow.diagnostics.maxRounds } : {}),
  };
}

/** What is wrong with the roles' `joins`, one sentence each, with the field's path. */
export function joinProblems(roles: readonly RoleDefinition[]): Array<{ roleId: string; message: string }> {
  const problems: Array<{ roleId: string; message: string }> = [];
  for (const role of roles) {
    const join = role.joins;
    if (!join) continue;
    if (role.builtin) {
      problems.push({ roleId: role.id, message: `${role.id}.joins: ${role.name} is built in and has its own place in the workflow; only custom roles join steps.` });
      continue;
    }
    if (join.after === undefined) continue;
    const stepRoles = roles.filter((other) => other.id === STEP_OWNERS[join.step] || (!other.builtin && other.joins?.step === join.step));
    if (!stepRoles.some((other) => other.id === join.after)) {
      const names = stepRoles.map((other) => other.id).join(', ');
      problems.push({ roleId: role.id, message: `${role.id}.joins.after: "${join.after}" does not take part in ${join.step}; name one of: ${names}.` });
    } else if (joinsCycle(roles, role)) {
      problems.push({ roleId: role.id, message: `${role.id}.joins.after: the roles joining ${join.step} follow each other in a circle; let one of them follow ${STEP_OWNERS[join.step]}.` });
    }
  }
  return problems;
}

function joinsCycle(roles: readonly RoleDefinition[], start: RoleDefinition): boolean {
  const seen = new Set<string>();
  let current: RoleDefinition | undefined = start;
  while (current?.joins?.after !== undefined) {
    if (seen.has(current.id)) return true;
    seen.add(current.id);
    const after: string = current.joins.after;
    current = roles.find((role) => role.id === after && !role.builtin);
  }
  return false;
}

/** The rules a run follows: its own, or the built-in workflow for a state saved before rules existed. */
export function rulesOf(state: { config: { rules?: WorkflowRules } }): WorkflowRules {
  return state.config.rules ?? BUILTIN_RULES;
}
