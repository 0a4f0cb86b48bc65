import { BUILTIN_ROLE_IDS } from '../roles/roleSchema';
import { ROLE_FOR_KIND, type WorkflowConfig } from './workflowTypes';

/** Roles every run has, whatever the configuration says. */
export const REQUIRED_ROLES: readonly string[] = ['organiser', 'architect', 'primary-coder', 'secondary-coder'];

/** The Organiser controls the run; it is never spawned as a worker. */
const NOT_SPAWNABLE: readonly string[] = ['organiser'];

/** How many agents of `role` the run has; required roles count as at least one. */
export function instancesOf(config: WorkflowConfig, role: string): number {
  // Role ids can come from agent output, so only own entries count (never `constructor` and the like).
  const configured = Object.hasOwn(config.instances, role) ? config.instances[role] : 0;
  const count = typeof configured === 'number' && Number.isFinite(configured) ? Math.max(0, Math.floor(configured)) : 0;
  return REQUIRED_ROLES.includes(role) ? Math.max(1, count) : count;
}

/** A role takes part in the run when it has at least one instance. */
export function isRoleActive(config: WorkflowConfig, role: string): boolean {
  return instancesOf(config, role) > 0;
}

/** Roles with a work kind of their own; any other role can only be consulted. */
export function hasOwnWork(role: string): boolean {
  return Object.values(ROLE_FOR_KIND).includes(role);
}

/** Whether a spawn request for `role` may be granted under the current configuration. */
export function canSpawn(config: WorkflowConfig, role: string): boolean {
  if (NOT_SPAWNABLE.includes(role)) return false;
  const known = Object.hasOwn(config.instances, role) || (BUILTIN_ROLE_IDS as readonly string[]).includes(role);
  return known && instancesOf(config, role) < config.maxInstancesPerRole;
}

/** The agent id of a role instance, as the pool names agents. */
export function agentIdOf(role: string, instance: number): string {
  return `${role}-${instance}`;
}
