import { modelName } from '../roles/kiloDefault';
import type { RoleResolution } from '../roles/roleValidation';
import type { Budgets } from './budget';

/** `provider/model` (or "Kilo default (…)") of every active role whose profile has no price, sorted, once each. */
export function unpricedModels(roles: Pick<RoleResolution, 'roles' | 'profiles' | 'assignments'>): string[] {
  const names = new Set<string>();
  for (const role of unpricedRoles(roles)) names.add(role.model);
  return [...names].sort();
}

/**
 * One warning per budget that cannot hold: a role budget on an unpriced role, and the run budget
 * when some role is unpriced. Such turns are not estimated in advance and what they cost reads $0,
 * so the limit never trips on them.
 */
export function unenforceableBudgets(roles: Pick<RoleResolution, 'roles' | 'profiles' | 'assignments'>, budgets: Budgets): string[] {
  const unpriced = unpricedRoles(roles);
  const warnings: string[] = [];
  for (const [roleId, usd] of Object.entries(budgets.roleUsd ?? {})) {
    const role = unpriced.find((candidate) => candidate.id === roleId);
    if (role) warnings.push(`The $${usd} budget of ${role.name} cannot be enforced: its model ${role.model} has no price, so its turns cost $0 as far as the run knows; give the model a price (its "cost" in kilo.json) or assign a priced model.`);
  }
  if (budgets.runUsd !== undefined && unpriced.length > 0) {
    const names = unpriced.map((role) => role.name).join(', ');
    warnings.push(`The $${budgets.runUsd} run budget does not count ${names}: ${unpriced.length === 1 ? 'its model has' : 'their models have'} no price (${[...new Set(unpriced.map((role) => role.model))].join(', ')}).`);
  }
  return warnings;
}

function unpricedRoles(roles: Pick<RoleResolution, 'roles' | 'profiles' | 'assignments'>): Array<{ id: string; name: string; model: string }> {
  const found: Array<{ id: string; name: string; model: string }> = [];
  for (const role of roles.roles) {
    const profileId = roles.assignments[role.id];
    const profile = profileId === undefined ? undefined : roles.profiles.find((candidate) => candidate.id === profileId);
    if (role.active && profile && !profile.cost) found.push({ id: role.id, name: role.name, model: modelName(profile) });
  }
  return found;
}
