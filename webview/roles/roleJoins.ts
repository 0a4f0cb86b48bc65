import type { RoleCard, RolesConfigView } from '../../extension/protocol/rolesView';
import { JOINABLE_STEPS, type JoinableStep, type RoleJoin } from '../../extension/protocol/workflowDefinition';
import { afterChoices } from '../../extension/protocol/workflowSequence';

/*
 * Where a custom role joins the workflow, as the role editor edits it: the step choices, the roles it
 * may come after, and keeping the other roles' `after` whole when one is renamed, moved or removed.
 * Pure functions, like rolesDraft.ts.
 */

/** The form fields of a join, by the key of `RoleJoin` a schema problem names. */
export const JOIN_FIELDS = { step: 'joinStep', after: 'joinAfter', files: 'joinFiles', writes: 'joinWrites' } as const;
export type JoinField = (typeof JOIN_FIELDS)[keyof typeof JOIN_FIELDS];

const STEP_LABELS: Record<JoinableStep, string> = { CODE_REVIEW: 'Code review', DOCUMENTATION: 'Documentation', TESTING: 'Testing' };

/** The editor's step select (`''`: the role joins no step and is only consulted). */
export const JOIN_STEP_CHOICES: ReadonlyArray<{ value: '' | JoinableStep; label: string }> = [
  { value: '', label: 'None (consulted only)' },
  ...JOINABLE_STEPS.map((step) => ({ value: step, label: STEP_LABELS[step] })),
];

export function joinStepLabel(step: JoinableStep): string {
  return STEP_LABELS[step].toLowerCase();
}

/** Whether a role joining `step` names the files it writes (phase steps do; reviewers write none). */
export function stepWritesFiles(step: '' | JoinableStep): boolean {
  return step === 'DOCUMENTATION' || step === 'TESTING';
}

/**
 * The editor's `after` choices for `roleId` in `step`: the step's own role and the other custom roles
 * joining it, but none that follows `roleId` (that would close a circle).
 */
export function joinAfterOptions(config: RolesConfigView, step: JoinableStep, roleId: string): Array<{ value: string; label: string }> {
  const others = config.roles.filter((role) => role.id !== roleId);
  return afterChoices(others, step, roleId).map((id) => ({ value: id, label: config.roles.find((role) => role.id === id)?.name ?? id }));
}

/** The form's join fields as a role's `joins`; no step: none. Blank fields are left out. */
export function joinFromFields(step: '' | JoinableStep, after: string, files: string, writes: readonly string[]): RoleJoin | undefined {
  if (step === '') return undefined;
  const glob = files.trim();
  return {
    step,
    ...(after.trim() !== '' ? { after: after.trim() } : {}),
    ...(glob !== '' ? { files: glob } : {}),
    ...(stepWritesFiles(step) && writes.length > 0 ? { writes: [...writes] } : {}),
  };
}

/** The schema's own sentences for patterns are kept; its terse length messages are replaced. */
export function joinMessage(field: JoinField, zodMessage: string): string {
  if (/^(A file pattern|A written file|A role id)/.test(zodMessage)) return zodMessage;
  switch (field) {
    case 'joinWrites':
      return 'At most 20 files, each a workspace path of up to 200 characters.';
    case 'joinFiles':
      return 'A file pattern is 1–200 characters.';
    case 'joinAfter':
      return 'Choose one of the listed roles.';
    case 'joinStep':
      return 'Choose one of the listed steps.';
  }
}

/**
 * Roles that came after `fromId` in `step` come after `toAfter` instead (the role `fromId` came after,
 * or its new id), so renaming, moving or removing a role keeps the chain whole.
 */
export function repointFollowers(roles: readonly RoleCard[], fromId: string, step: JoinableStep, toAfter: string | undefined): RoleCard[] {
  return roles.map((role) => {
    if (role.id === fromId || role.joins?.step !== step || role.joins.after !== fromId) return role;
    const { after: _old, ...rest } = role.joins;
    return { ...role, joins: toAfter === undefined ? rest : { ...rest, after: toAfter } };
  });
}
