import type { RoleResolution } from '../engine/roles/roleValidation';
import type { ConfigIssueView, DiscoveredModel } from '../protocol/rolesView';
import { priceOf } from './modelPrices';

/**
 * "Expensive" means an output price of at least this many USD per million tokens: the price band of
 * the frontier models (Claude Sonnet/Opus, GPT-4-class, Gemini Pro), where a role that writes every
 * file makes up most of a run's bill.
 */
export const EXPENSIVE_OUTPUT_USD_PER_M = 10;

/** Roles that do the bulk of the token volume whatever their instance count: they write every file. */
export const HIGH_VOLUME_ROLES: readonly string[] = ['primary-coder', 'secondary-coder'];

/** A role is high-volume when it writes every file, or when it runs as two or more agents at once. */
export function isHighVolume(roleId: string, instances: number): boolean {
  return HIGH_VOLUME_ROLES.includes(roleId) || instances >= 2;
}

/**
 * The resolution's errors and warnings in the tab's shape, plus our own check: an expensive model
 * (see `EXPENSIVE_OUTPUT_USD_PER_M`) on a high-volume role (see `isHighVolume`).
 */
export function configIssues(resolution: RoleResolution, discovered: readonly DiscoveredModel[]): ConfigIssueView[] {
  const issues: ConfigIssueView[] = [
    ...resolution.errors.map((issue) => ({ severity: 'error' as const, code: issue.code, ...(issue.roleId ? { roleId: issue.roleId } : {}), message: issue.message })),
    ...resolution.warnings.map((issue) => ({ severity: 'warning' as const, code: issue.code, ...(issue.roleId ? { roleId: issue.roleId } : {}), message: issue.message })),
  ];
  for (const role of resolution.roles) {
    const profileId = resolution.assignments[role.id];
    const profile = profileId === undefined ? undefined : resolution.profiles.find((candidate) => candidate.id === profileId);
    if (!role.active || !profile || !isHighVolume(role.id, role.instances)) continue;
    const price = priceOf(profile, discovered);
    if (price && price.output >= EXPENSIVE_OUTPUT_USD_PER_M) {
      const why = HIGH_VOLUME_ROLES.includes(role.id) ? 'writes every file' : `runs as ${role.instances} agents`;
      issues.push({
        severity: 'warning',
        code: 'expensive-high-volume',
        roleId: role.id,
        message: `${role.name} ${why} on ${profile.providerID}/${profile.modelID} at $${price.output}/M output tokens; a cheaper model there saves most of the cost (try the Balanced template).`,
      });
    }
  }
  return issues;
}

/**
 * Why a task cannot start, in one line that says what to do, or undefined when it can. Checked
 * before the task is asked for, so nobody types a task that then cannot run.
 */
export function startBlocker(resolution: Pick<RoleResolution, 'errors' | 'roles'>): string | undefined {
  const { errors } = resolution;
  if (errors.length === 0) return undefined;
  const unassigned = errors.filter((issue) => issue.code === 'required-unassigned');
  if (unassigned.length === errors.length) {
    const names = unassigned.map((issue) => resolution.roles.find((role) => role.id === issue.roleId)?.name ?? issue.roleId ?? '?');
    const more = names.length - 2;
    const who = more > 0 ? `${names.slice(0, 2).join(', ')} and ${more} more role${more > 1 ? 's' : ''}` : names.join(' and ');
    return `${who} have no model and Kilo has no default model: set "model" in Kilo (~/.config/kilo/kilo.json), or assign models in Configure Agent Roles.`;
  }
  return `${errors[0]!.message}${errors.length > 1 ? ` (and ${errors.length - 1} more in Configure Agent Roles)` : ''}`;
}
