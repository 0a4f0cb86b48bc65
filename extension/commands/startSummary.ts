import type { RoleResolution } from '../engine/roles/roleValidation';
import type { CostPreview } from '../protocol/rolesView';

/** The modal's text: the task, each active role on its model, warnings, the estimate. */
export function startDetail(task: string, roles: RoleResolution, cost: CostPreview): string {
  const lines = [`Task: ${task}`, '', 'Roles:'];
  for (const role of roles.roles.filter((candidate) => candidate.active)) {
    const profile = roles.profiles.find((candidate) => candidate.id === roles.assignments[role.id]);
    const where = profile ? `${profile.providerID}/${profile.modelID}${profile.baseURL ? ` at ${profile.baseURL}` : ''}` : 'no model';
    lines.push(`• ${role.name}${role.instances > 1 ? ` ×${role.instances}` : ''} → ${where}`);
  }
  if (roles.warnings.length > 0) lines.push('', 'Warnings:', ...roles.warnings.map((issue) => `⚠ ${issue.message}`));
  const unpriced = cost.perRole.filter((role) => !role.priced).length;
  lines.push('', `Estimated cost: about $${cost.totalUsd.toFixed(2)}${unpriced > 0 ? ` (${unpriced} roles have no price and are not counted)` : ''}.`, cost.basis);
  return lines.join('\n');
}
