import { OrchestraError } from '../util/errors';
import { DEFAULT_PROVIDER_LIMITS, type ProviderLimits } from '../agents/providerScheduler';
import { scaleTeam } from '../../protocol/teamScaling';
import type { WorkflowDefinition } from '../../protocol/workflowDefinition';
import { joinProblems } from '../workflow/workflowRules';
import { BUILTIN_ROLES } from './builtinRoles';
import { nearest } from '../util/nearestName';
import { KILO_DEFAULT_PROFILE_ID, kiloDefaultProfile, modelName, type KiloDefaultModel } from './kiloDefault';
import { RoleDefinitionSchema, type Profile, type ResolvedRole, type RoleDefinition, type RoleOverride, type RolesConfig } from './roleSchema';

export type ConfigIssueCode =
  | 'required-unassigned'
  | 'required-inactive'
  | 'optional-unassigned'
  | 'unknown-profile'
  | 'unknown-role'
  | 'duplicate-profile'
  | 'builtin-locked'
  | 'same-model-everywhere'
  | 'custom-role-incomplete'
  | 'reserved-profile'
  | 'join-invalid';

/** One problem with a roles configuration, in a sentence that says what to do about it. */
export interface ConfigIssue {
  code: ConfigIssueCode;
  roleId?: string;
  message: string;
}

/** A roles configuration checked and merged with the built-ins. */
export interface RoleResolution {
  /** Built-ins with overrides applied, then custom roles. An active optional role without a profile is made inactive. */
  roles: RoleDefinition[];
  profiles: Profile[];
  /** Role id → profile id, only for assignments that name a known role and profile. */
  assignments: Record<string, string>;
  /** Problems that stop a run from starting. */
  errors: ConfigIssue[];
  /** Problems the user should know about; a run may start. */
  warnings: ConfigIssue[];
  /** Active roles nobody assigned, running on the Kilo default model (see `ResolveOptions.kiloDefault`). */
  onKiloDefault: string[];
  /** The configuration's `workflow` section as the user wrote it (the built-in workflow where left out). */
  workflow?: WorkflowDefinition;
  /** The role ready to run, or `invalid-config` if it is unknown, inactive or has no profile. */
  resolve(roleId: string): ResolvedRole;
}

/** Fields a user may not change on a built-in role: the workflow depends on them. */
const LOCKED_FIELDS = ['builtin', 'required'] as const;

/** Roles sharing one provider + model are a rate-limit risk from this many active roles on. */
const SAME_MODEL_THRESHOLD = 3;

export interface ResolveOptions {
  /**
   * The user's Kilo default model: every active role without an assignment runs on it (profile
   * `kilo-default`) instead of being an error (required roles) or switched off (optional ones).
   */
  kiloDefault?: KiloDefaultModel;
}

/**
 * Merges a roles configuration with the built-in roles and checks it. Never throws: every problem
 * becomes an error or a warning. Override fields that are `undefined` keep the built-in value, so
 * the config should come from `parseRolesConfig`, which keeps only the fields the user wrote.
 */
export function resolveRoles(config: RolesConfig, options: ResolveOptions = {}): RoleResolution {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];

  const roles = mergeRoles(config.roles, errors);
  for (const problem of joinProblems(roles)) errors.push({ code: 'join-invalid', roleId: problem.roleId, message: problem.message });
  const profiles = uniqueProfiles(config.profiles, errors);
  if (profiles.some((profile) => profile.id === KILO_DEFAULT_PROFILE_ID)) {
    errors.push({ code: 'reserved-profile', message: `The profile id "${KILO_DEFAULT_PROFILE_ID}" is reserved for the Kilo default model; rename that profile.` });
  }
  const roleById = new Map(roles.map((role) => [role.id, role]));
  const profileById = new Map(profiles.map((profile) => [profile.id, profile]));

  const assignments: Record<string, string> = {};
  for (const [roleId, profileId] of Object.entries(config.assignments)) {
    if (!roleById.has(roleId)) {
      const near = nearest(roleId, [...roleById.keys()]);
      errors.push({ code: 'unknown-role', roleId, message: `The assignment for "${roleId}" names a role that does not exist; ${near ? `did you mean "${near}"? Otherwise ` : ''}remove it or define the role under "roles".` });
    } else if (!profileById.has(profileId)) {
      errors.push({
        code: 'unknown-profile',
        roleId,
        message: `Role "${roleId}" is assigned profile "${profileId}", which does not exist; ${nearProfile(profileId, profiles)}pick one of: ${listOrNone(profiles.map((p) => p.id))}.`,
      });
    } else {
      assignments[roleId] = profileId;
    }
  }

  const onKiloDefault: string[] = [];
  for (const role of roles) {
    const assigned = assignments[role.id] !== undefined;
    if (!assigned && role.active && options.kiloDefault) {
      assignments[role.id] = KILO_DEFAULT_PROFILE_ID;
      onKiloDefault.push(role.id);
    } else if (role.required && !role.active) {
      errors.push({ code: 'required-inactive', roleId: role.id, message: `${role.name} is required but switched off; turn it back on.` });
    } else if (role.required && !assigned) {
      errors.push({ code: 'required-unassigned', roleId: role.id, message: `${role.name} is required but has no provider profile; assign one to it.` });
    } else if (!role.required && role.active && !assigned) {
      role.active = false;
      warnings.push({
        code: 'optional-unassigned',
        roleId: role.id,
        message: `${role.name} is switched on but has no provider profile, so it will not run; assign a profile or switch it off.`,
      });
    }
  }

  if (onKiloDefault.length > 0 && options.kiloDefault) {
    const fallback = kiloDefaultProfile(options.kiloDefault);
    profiles.push(fallback);
    profileById.set(fallback.id, fallback);
  }

  const running = roles.filter((role) => role.active && assignments[role.id] !== undefined);
  const models = new Set(running.map((role) => modelKey(profileById.get(assignments[role.id]!)!)));
  if (running.length >= SAME_MODEL_THRESHOLD && models.size === 1) {
    const only = profileById.get(assignments[running[0]!.id]!)!;
    warnings.push({
      code: 'same-model-everywhere',
      message: `All ${running.length} active roles run on ${modelName(only)}, a rate-limit risk: one model for every role is slow (its agents queue for the same limits); give the Organiser or the coders another model or provider.`,
    });
  }

  return {
    roles,
    profiles,
    assignments,
    errors,
    warnings,
    onKiloDefault,
    ...(config.workflow ? { workflow: config.workflow } : {}),
    resolve: (roleId) => resolveOne(roleId, roleById, profileById, assignments),
  };
}

/**
 * Role id → agent instances for every role that will run: the `instances` of `WorkflowConfig`.
 * Reviewers scale with the coders (see teamScaling.ts), within what their provider takes at once:
 * `limits` (the providerLimits setting) over the known providers' defaults.
 */
export function workflowInstances(resolution: RoleResolution, limits: ProviderLimits = {}): Record<string, number> {
  const instances: Record<string, number> = {};
  for (const role of resolution.roles) {
    if (role.active && resolution.assignments[role.id] !== undefined) instances[role.id] = role.instances;
  }
  const capOf = (roleId: string): number | undefined => {
    const provider = resolution.profiles.find((profile) => profile.id === resolution.assignments[roleId])?.providerID;
    if (provider === undefined) return undefined;
    return (Object.hasOwn(limits, provider) ? limits[provider]?.maxConcurrent : undefined) ?? (Object.hasOwn(DEFAULT_PROVIDER_LIMITS, provider) ? DEFAULT_PROVIDER_LIMITS[provider]?.maxConcurrent : undefined);
  };
  return scaleTeam(instances, capOf);
}

function mergeRoles(overrides: RoleOverride[], errors: ConfigIssue[]): RoleDefinition[] {
  const roles: RoleDefinition[] = BUILTIN_ROLES.map((role) => structuredClone(role));
  const byId = new Map(roles.map((role) => [role.id, role]));
  for (const override of overrides) {
    const existing = byId.get(override.id);
    if (existing) {
      applyOverride(existing, override, errors);
      continue;
    }
    const custom = customRole(override, errors);
    if (custom) {
      roles.push(custom);
      byId.set(custom.id, custom);
    }
  }
  return roles;
}

/** Copies every defined field of the override onto the role, except the locked ones. */
function applyOverride(role: RoleDefinition, override: RoleOverride, errors: ConfigIssue[]): void {
  for (const field of LOCKED_FIELDS) {
    const value = override[field];
    if (value !== undefined && value !== role[field]) {
      errors.push({
        code: 'builtin-locked',
        roleId: role.id,
        message: `"${field}" of ${role.builtin ? 'the built-in role' : 'role'} "${role.id}" cannot be changed; remove "${field}" from its entry under "roles".`,
      });
    }
  }
  const { id: _id, builtin: _builtin, required: _required, ...changes } = override;
  for (const [key, value] of Object.entries(changes)) {
    if (value !== undefined) (role as Record<string, unknown>)[key] = structuredClone(value);
  }
}

function customRole(override: RoleOverride, errors: ConfigIssue[]): RoleDefinition | undefined {
  const missing = (['name', 'description', 'prompt'] as const).filter((field) => !override[field]);
  if (missing.length > 0) {
    errors.push({
      code: 'custom-role-incomplete',
      roleId: override.id,
      message: `Custom role "${override.id}" is missing ${missing.join(', ')}; add ${missing.length > 1 ? 'them' : 'it'} to its entry under "roles".`,
    });
    return undefined;
  }
  const defined = Object.fromEntries(Object.entries(override).filter(([, value]) => value !== undefined));
  if (override.builtin === true) {
    errors.push({ code: 'builtin-locked', roleId: override.id, message: `Custom role "${override.id}" cannot be marked built-in; remove "builtin" from its entry.` });
  }
  const parsed = RoleDefinitionSchema.safeParse({ required: false, category: 'custom', ...defined, builtin: false });
  if (!parsed.success) {
    // The override schema already checked each field; this only fails if the two schemas drift apart.
    const issue = parsed.error.issues[0];
    errors.push({ code: 'custom-role-incomplete', roleId: override.id, message: `Custom role "${override.id}" is invalid at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'unknown problem'}; correct it.` });
    return undefined;
  }
  return parsed.data;
}

function uniqueProfiles(profiles: Profile[], errors: ConfigIssue[]): Profile[] {
  const seen = new Map<string, Profile>();
  for (const profile of profiles) {
    if (seen.has(profile.id)) {
      errors.push({ code: 'duplicate-profile', message: `Profile id "${profile.id}" is used more than once; give each profile its own id.` });
      continue;
    }
    seen.set(profile.id, profile);
  }
  return [...seen.values()];
}

function resolveOne(
  roleId: string,
  roles: Map<string, RoleDefinition>,
  profiles: Map<string, Profile>,
  assignments: Record<string, string>,
): ResolvedRole {
  const role = roles.get(roleId);
  if (!role) {
    throw new OrchestraError('invalid-config', `There is no role "${roleId}"; use one of: ${[...roles.keys()].join(', ')}.`);
  }
  const profileId = assignments[roleId];
  const profile = profileId === undefined ? undefined : profiles.get(profileId);
  if (!profile && !role.active) {
    throw new OrchestraError('invalid-config', `${role.name} is switched off and has no provider profile; assign a profile and turn it on to use it.`, {
      hint: 'Assign a profile to the role and set it active in the roles configuration.',
    });
  }
  if (!profile) {
    throw new OrchestraError('invalid-config', `${role.name} has no provider profile; assign one before starting it.`, { hint: 'Assign a profile to the role in the roles configuration.' });
  }
  if (!role.active) {
    throw new OrchestraError('invalid-config', `${role.name} is switched off; turn it on to use it.`, { hint: 'Set the role active in the roles configuration.' });
  }
  return { role, profile };
}

function modelKey(profile: Profile): string {
  return `${profile.providerID}\u0000${profile.modelID}`;
}

function nearProfile(profileId: string, profiles: Profile[]): string {
  const near = nearest(profileId, profiles.map((p) => p.id));
  return near ? `did you mean "${near}"? Otherwise ` : '';
}

function listOrNone(ids: string[]): string {
  return ids.length > 0 ? ids.join(', ') : '(no profiles are defined)';
}
