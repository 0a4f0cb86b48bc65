/*
 * How the team grows with its coders: every file a Secondary Coder finishes goes to a Code Sceptic,
 * so one Sceptic behind four coders reviews every file in turn and the run takes as long as with
 * one coder. The same holds for the roles that work on the coders' files in batches: the Primary
 * Coder scaffolds them before coding, the Documentation Writer documents them after. The run
 * therefore gives each of these roles as many agents as there are coders (never fewer than the user
 * set), up to the role limit and what the role's provider may run at once.
 * One home for the rule: the engine applies it, the Roles tab says what it does.
 */

/** The most agents one role may have (the `instances` limit of a role definition). */
export const MAX_ROLE_INSTANCES = 8;

const CODER = 'secondary-coder';

/** The roles whose queue fills with the coders' files, each with what queues (for the Roles tab). */
const QUEUED_WORK: Readonly<Record<string, string>> = {
  'primary-coder': 'scaffolding',
  'code-sceptic': 'reviews',
  'documentation-writer': 'documentation',
};

/** Roles whose queue fills with the coders' files, so they scale with the coders. */
export const FOLLOWS_CODERS: readonly string[] = Object.keys(QUEUED_WORK);

/** A role as the rule sees it: its id, whether it runs, and the agents the user set. */
export interface TeamRole {
  id: string;
  name: string;
  active: boolean;
  instances: number;
}

/**
 * Agents of `role` in a run with `coders` Secondary Coders: the user's number, raised to the coders'
 * for a role that works on their files, within `cap` (how many requests its provider takes at once).
 */
export function scaledInstances(role: string, configured: number, coders: number, cap: number = Number.POSITIVE_INFINITY): number {
  if (!FOLLOWS_CODERS.includes(role) || configured < 1) return configured;
  const limit = Math.max(1, Math.min(MAX_ROLE_INSTANCES, Math.floor(cap)));
  return Math.max(configured, Math.min(coders, limit));
}

/** Role id → agents, with every role that follows the coders scaled (see scaledInstances). */
export function scaleTeam(instances: Readonly<Record<string, number>>, capOf: (role: string) => number | undefined = () => undefined): Record<string, number> {
  const coders = instances[CODER] ?? 1;
  const scaled: Record<string, number> = { ...instances };
  for (const [role, configured] of Object.entries(instances)) scaled[role] = scaledInstances(role, configured, coders, capOf(role));
  return scaled;
}

/**
 * The one line the Roles tab shows under a role whose queue the coders feed, or undefined when
 * there is nothing to say (inactive, or as many agents as coders already).
 */
export function queueNote(role: TeamRole, team: readonly TeamRole[]): string | undefined {
  if (!FOLLOWS_CODERS.includes(role.id) || !role.active) return undefined;
  const coders = team.find((candidate) => candidate.id === CODER)?.instances ?? 1;
  if (role.instances >= coders) return undefined;
  const scaled = scaledInstances(role.id, role.instances, coders);
  return `${role.instances} ${role.name} for ${coders} coders would make ${QUEUED_WORK[role.id] ?? 'work'} queue: runs use ${scaled} (one per coder, within the provider's limit).`;
}
