import { modelName } from '../engine/roles/kiloDefault';
import type { RoleResolution } from '../engine/roles/roleValidation';
import type { CostPreview } from '../protocol/rolesView';

/** The modal's text: the task, each active role on its model, warnings (`extraWarnings` after the resolution's), the estimate. */
export function startDetail(task: string, roles: RoleResolution, cost: CostPreview, extraWarnings: readonly string[] = []): string {
  const lines = [`Task: ${task}`, '', 'Roles:'];
  for (const role of roles.roles.filter((candidate) => candidate.active)) {
    const profile = roles.profiles.find((candidate) => candidate.id === roles.assignments[role.id]);
    const where = profile ? `${modelName(profile)}${profile.baseURL ? ` at ${profile.baseURL}` : ''}` : 'no model';
    lines.push(`• ${role.name}${role.instances > 1 ? ` ×${role.instances}` : ''} → ${where}`);
  }
  const warnings = [...roles.warnings.map((issue) => issue.message), ...extraWarnings];
  if (warnings.length > 0) lines.push('', 'Warnings:', ...warnings.map((message) => `⚠ ${message}`));
  const unpriced = cost.perRole.filter((role) => !role.priced).length;
  // Nothing priced: $0.00 would read as free, so say the cost is unknown.
  const estimate =
    unpriced > 0 && unpriced === cost.perRole.length
      ? 'Estimated cost: unknown: no model of this run has a price (Kilo reports none), so its cost reads $0 and budgets cannot stop it.'
      : `Estimated cost: about $${cost.totalUsd.toFixed(2)}${unpriced > 0 ? ` (${unpriced} roles have no price and are not counted)` : ''}.`;
  lines.push('', estimate, cost.basis);
  return lines.join('\n');
}
