import { ARTIFACT_TYPE_NAMES } from '../../extension/protocol/viewModel';
import {
  RoleCardSchema,
  type ConfigIssueView,
  type DiscoveredModel,
  type ProfileView,
  type RoleCard,
  type RolesConfigView,
} from '../../extension/protocol/rolesView';
import { STEP_OWNERS, afterChoices } from '../../extension/protocol/workflowSequence';
import type { JoinableStep } from '../../extension/protocol/workflowDefinition';
import { JOIN_FIELDS, joinFromFields, joinMessage, joinStepLabel, repointFollowers } from './roleJoins';

/**
 * The Agent Roles tab's editing logic, as pure functions over a `RolesConfigView`. Every function
 * returns a new config and never changes its input, so the tab can keep the host's last config to
 * revert to when a save fails.
 */

export type ArtifactTypeName = (typeof ARTIFACT_TYPE_NAMES)[number];

export const MIN_INSTANCES = 1;
export const MAX_INSTANCES = 8;

/**
 * Built-in roles the workflow always runs as exactly one agent: the Organiser is the run's
 * controller, not a pooled worker; the Architect writes the one plan (always dispatched as
 * instance 1); the Debugger runs the test suite once (instance 1). More instances would only sit
 * idle, so their cards show no stepper. The coders, the Code Sceptic and the Documentation Writer
 * receive work round robin over their instances, and custom roles can be spawned up to theirs.
 */
export const SINGLE_INSTANCE_ROLES: readonly string[] = ['organiser', 'architect', 'debugger'];

/** Whether the card offers an instances stepper for this role. */
export function instancesAdjustable(role: RoleCard): boolean {
  return role.active && !(role.builtin && SINGLE_INSTANCE_ROLES.includes(role.id));
}

/** Assigns a profile to a role; `undefined` removes the assignment (the host then warns about it). */
export function assignProfile(config: RolesConfigView, roleId: string, profileId: string | undefined): RolesConfigView {
  const { [roleId]: _previous, ...others } = config.assignments;
  return { ...config, assignments: profileId === undefined ? others : { ...others, [roleId]: profileId } };
}

const PROFILE_ID_MAX = 64;
const PROFILE_LABEL_MAX = 80;

/**
 * A profile id for a discovered model that fits `[A-Za-z0-9._-]{1,64}` and is not in `taken`.
 * Provider and model ids come from Kilo and may hold slashes, colons or spaces ("openrouter",
 * "anthropic/claude-sonnet-4:beta"), so everything else becomes a dash.
 */
export function profileIdFor(model: Pick<DiscoveredModel, 'providerID' | 'modelID'>, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base =
    `${model.providerID}-${model.modelID}`
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^[-.]+|-+$/g, '')
      .slice(0, PROFILE_ID_MAX) || 'profile';
  if (!used.has(base)) return base;
  for (let n = 2; ; n += 1) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, PROFILE_ID_MAX - suffix.length)}${suffix}`;
    if (!used.has(candidate)) return candidate;
  }
}

/** The profile already standing for this provider + model, if any. */
export function profileForModel(config: RolesConfigView, model: Pick<DiscoveredModel, 'providerID' | 'modelID'>): ProfileView | undefined {
  return config.profiles.find((profile) => profile.providerID === model.providerID && profile.modelID === model.modelID && profile.variant === undefined);
}

/**
 * Makes a discovered model a profile (or reuses the one that already stands for it) and assigns
 * it to the role.
 */
export function assignDiscoveredModel(config: RolesConfigView, roleId: string, model: DiscoveredModel): RolesConfigView {
  const existing = profileForModel(config, model);
  if (existing) return assignProfile(config, roleId, existing.id);
  const fallbackLabel = `${model.providerID}/${model.modelID}`;
  const profile: ProfileView = {
    id: profileIdFor(model, config.profiles.map((p) => p.id)),
    label: (model.label.trim() || fallbackLabel).slice(0, PROFILE_LABEL_MAX),
    providerID: model.providerID,
    modelID: model.modelID,
    ...(model.cost ? { cost: { ...model.cost } } : {}),
  };
  return assignProfile({ ...config, profiles: [...config.profiles, profile] }, roleId, profile.id);
}

function updateRole(config: RolesConfigView, roleId: string, change: (role: RoleCard) => RoleCard): RolesConfigView {
  return { ...config, roles: config.roles.map((role) => (role.id === roleId ? change(role) : role)) };
}

/**
 * Switches a role on or off. Required roles are never switched off (the workflow cannot run
 * without them), but one switched off in a hand-edited file can be switched back on.
 */
export function setActive(config: RolesConfigView, roleId: string, active: boolean): RolesConfigView {
  return updateRole(config, roleId, (role) => (role.required && !active ? role : { ...role, active }));
}

/** Sets a role's instances, clamped to 1–8 and rounded; single-instance built-ins stay at 1. */
export function setInstances(config: RolesConfigView, roleId: string, instances: number): RolesConfigView {
  if (!Number.isFinite(instances)) return config;
  const clamped = Math.min(MAX_INSTANCES, Math.max(MIN_INSTANCES, Math.round(instances)));
  return updateRole(config, roleId, (role) => (role.builtin && SINGLE_INSTANCE_ROLES.includes(role.id) ? role : { ...role, instances: clamped }));
}

/** The custom role editor's fields, as typed. */
export interface CustomRoleForm {
  id: string;
  name: string;
  description: string;
  /** One capability per line or comma. */
  capabilities: string;
  inputArtifacts: ArtifactTypeName[];
  outputArtifacts: ArtifactTypeName[];
  prompt: string;
  instances: number;
  /** Where the role joins the workflow: no step (`''`: it is only consulted), or one of JOINABLE_STEPS. */
  joinStep: '' | JoinableStep;
  /** The role it comes after in that step (a role id). */
  joinAfter: string;
  /** Only files matching this glob; empty: every file. */
  joinFiles: string;
  /** DOCUMENTATION/TESTING: the files it writes, one per line or comma. */
  joinWrites: string;
}

export type CustomRoleField = keyof CustomRoleForm;
export type FieldErrors = Partial<Record<CustomRoleField, string>>;

export type RoleEditResult = { ok: true; config: RolesConfigView } | { ok: false; errors: FieldErrors };

export function emptyCustomRoleForm(): CustomRoleForm {
  return { id: '', name: '', description: '', capabilities: '', inputArtifacts: [], outputArtifacts: [], prompt: '', instances: 1, joinStep: '', joinAfter: '', joinFiles: '', joinWrites: '' };
}

export function formFromRole(role: RoleCard): CustomRoleForm {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    capabilities: role.capabilities.join('\n'),
    inputArtifacts: [...role.inputArtifacts],
    outputArtifacts: [...role.outputArtifacts],
    prompt: role.prompt,
    instances: role.instances,
    joinStep: role.joins?.step ?? '',
    joinAfter: role.joins ? (role.joins.after ?? STEP_OWNERS[role.joins.step]) : '',
    joinFiles: role.joins?.files ?? '',
    joinWrites: (role.joins?.writes ?? []).join('\n'),
  };
}

/** Splits a comma- or line-separated list, dropping blanks and repeats. */
export function parseList(text: string): string[] {
  return [...new Set(text.split(/[,\n]/).map((item) => item.trim()).filter((item) => item.length > 0))];
}

const FIELD_NAMES: readonly CustomRoleField[] = ['id', 'name', 'description', 'capabilities', 'inputArtifacts', 'outputArtifacts', 'prompt', 'instances'];

/**
 * Checks the editor's fields with the protocol's `RoleCardSchema` (the rule the host applies too)
 * and against the ids already in use. `originalId` is the role being edited, so it may keep its id.
 */
export function roleFromForm(form: CustomRoleForm, config: RolesConfigView, originalId?: string): { ok: true; role: RoleCard } | { ok: false; errors: FieldErrors } {
  const previous = originalId === undefined ? undefined : config.roles.find((role) => role.id === originalId);
  const joins = joinFromFields(form.joinStep, form.joinAfter, form.joinFiles, form.joinStep === 'CODE_REVIEW' ? [] : parseList(form.joinWrites));
  const candidate = {
    id: form.id.trim(),
    name: form.name.trim(),
    description: form.description.trim(),
    category: 'custom' as const,
    required: false,
    builtin: false,
    capabilities: parseList(form.capabilities),
    inputArtifacts: [...form.inputArtifacts],
    outputArtifacts: [...form.outputArtifacts],
    prompt: form.prompt.trim(),
    active: previous?.active ?? true,
    instances: form.instances,
    ...(joins ? { joins } : {}),
  };
  const errors: FieldErrors = {};
  const parsed = RoleCardSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [first, second] = issue.path;
      const joinField = first === 'joins' && typeof second === 'string' ? JOIN_FIELDS[second as keyof typeof JOIN_FIELDS] : undefined;
      if (joinField !== undefined) errors[joinField] ??= joinMessage(joinField, issue.message);
      else if (typeof first === 'string' && (FIELD_NAMES as readonly string[]).includes(first)) {
        errors[first as CustomRoleField] ??= fieldMessage(first as CustomRoleField, issue.message);
      }
    }
  }
  if (joins?.after !== undefined && errors.joinAfter === undefined) {
    const choices = afterChoices(config.roles.filter((role) => role.id !== originalId), joins.step, originalId ?? candidate.id);
    if (!choices.includes(joins.after)) errors.joinAfter = `"${joins.after}" does not take part in ${joinStepLabel(joins.step)} before this role; choose one of the listed roles.`;
  }
  if (errors.id === undefined && candidate.id !== originalId && config.roles.some((role) => role.id === candidate.id)) {
    errors.id = `A role with id "${candidate.id}" already exists; choose another id.`;
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, role: parsed.data };
}

/** zod's messages for lengths are terse ("Too small: …"); the id rule carries its own sentence. */
function fieldMessage(field: CustomRoleField, zodMessage: string): string {
  switch (field) {
    case 'id':
      return zodMessage.startsWith('A role id') ? zodMessage : 'A role id is 2–40 lower-case letters, digits or dashes, starting with a letter.';
    case 'name':
      return 'A name is 1–60 characters.';
    case 'description':
      return 'A description is 1–400 characters.';
    case 'prompt':
      return 'The prompt cannot be empty: it is what the role’s agent works under.';
    case 'instances':
      return `Instances is a whole number from ${MIN_INSTANCES} to ${MAX_INSTANCES}.`;
    default:
      return zodMessage;
  }
}

/** Adds a custom role from the editor's fields. */
export function addCustomRole(config: RolesConfigView, form: CustomRoleForm): RoleEditResult {
  const checked = roleFromForm(form, config);
  if (!checked.ok) return checked;
  return { ok: true, config: { ...config, roles: [...config.roles, checked.role] } };
}

/**
 * Replaces a custom role with the editor's fields. A changed id moves the role's assignment with
 * it, so renaming never leaves an assignment to a role that no longer exists.
 */
export function updateCustomRole(config: RolesConfigView, originalId: string, form: CustomRoleForm): RoleEditResult {
  const original = config.roles.find((role) => role.id === originalId);
  if (!original) return { ok: false, errors: { id: `Role "${originalId}" no longer exists.` } };
  if (original.builtin) return { ok: false, errors: { id: `${original.name} is a built-in role; only custom roles are edited here.` } };
  const checked = roleFromForm(form, config, originalId);
  if (!checked.ok) return checked;
  let roles = config.roles.map((role) => (role.id === originalId ? checked.role : role));
  const before = original.joins;
  const after = checked.role.joins;
  if (before && (after?.step !== before.step)) roles = repointFollowers(roles, originalId, before.step, before.after);
  else if (before && checked.role.id !== originalId) roles = repointFollowers(roles, originalId, before.step, checked.role.id);
  const { [originalId]: assigned, ...others } = config.assignments;
  const assignments = assigned === undefined ? others : { ...others, [checked.role.id]: assigned };
  return { ok: true, config: { ...config, roles, assignments } };
}

/** Removes a custom role and its assignment; built-in roles are never removed. */
export function removeCustomRole(config: RolesConfigView, roleId: string): { ok: true; config: RolesConfigView } | { ok: false; error: string } {
  const role = config.roles.find((candidate) => candidate.id === roleId);
  if (!role) return { ok: false, error: `Role "${roleId}" no longer exists.` };
  if (role.builtin) return { ok: false, error: `${role.name} is a built-in role and cannot be removed; switch it off instead.` };
  const { [roleId]: _removed, ...assignments } = config.assignments;
  const others = config.roles.filter((candidate) => candidate.id !== roleId);
  const roles = role.joins ? repointFollowers(others, roleId, role.joins.step, role.joins.after) : others;
  return { ok: true, config: { ...config, roles, assignments } };
}

/** One choice of the profile dropdown. `value` is what the `<select>` carries. */
export interface ProfileOption {
  value: string;
  label: string;
}

/** A provider's models in the dropdown: connected providers come first. */
export interface ModelOptionGroup {
  label: string;
  options: ProfileOption[];
}

export interface ProfileOptionGroups {
  profiles: ProfileOption[];
  /** Discovered models that are not a profile yet, one group per provider. */
  models: ModelOptionGroup[];
  /** Models that match the filter but are left out to keep the list short (type more to narrow). */
  hidden: number;
}

/** At most this many discovered models are listed at once: Kilo knows thousands. */
export const MAX_MODEL_OPTIONS = 200;

export const UNASSIGNED = '';
const PROFILE_PREFIX = 'profile:';
const MODEL_PREFIX = 'model:';

/**
 * The profile dropdown's choices: the config's profiles (always, so the current one stays
 * selectable), then discovered models that are not a profile yet and match every word of `filter`,
 * grouped by provider with connected providers first, at most MAX_MODEL_OPTIONS of them.
 */
export function profileOptions(config: RolesConfigView, discovered: readonly DiscoveredModel[], filter = ''): ProfileOptionGroups {
  const words = filter.toLowerCase().split(/\s+/).filter((word) => word !== '');
  const byProvider = new Map<string, { connected: boolean; options: ProfileOption[] }>();
  discovered.forEach((model, index) => {
    if (profileForModel(config, model)) return;
    const label = `${model.label} (${model.providerID}/${model.modelID})`;
    const haystack = label.toLowerCase();
    if (!words.every((word) => haystack.includes(word))) return;
    const group = byProvider.get(model.providerID) ?? { connected: false, options: [] };
    group.connected ||= model.connected;
    group.options.push({ value: `${MODEL_PREFIX}${index}`, label });
    byProvider.set(model.providerID, group);
  });
  const ordered = [...byProvider.entries()].sort(([a, left], [b, right]) => Number(right.connected) - Number(left.connected) || a.localeCompare(b));
  const models: ModelOptionGroup[] = [];
  let room = MAX_MODEL_OPTIONS;
  let hidden = 0;
  for (const [provider, group] of ordered) {
    const shown = group.options.slice(0, room);
    hidden += group.options.length - shown.length;
    room -= shown.length;
    if (shown.length > 0) models.push({ label: group.connected ? `${provider} (connected)` : provider, options: shown });
  }
  return {
    profiles: config.profiles.map((profile) => ({ value: PROFILE_PREFIX + profile.id, label: `${profile.label} (${profile.providerID}/${profile.modelID})` })),
    models,
    hidden,
  };
}

/** The dropdown value for a role's current assignment. */
export function selectedOption(config: RolesConfigView, roleId: string): string {
  const profileId = config.assignments[roleId];
  return profileId === undefined ? UNASSIGNED : PROFILE_PREFIX + profileId;
}

/** Applies a dropdown choice: a profile, a discovered model (made a profile first) or none. */
export function applyProfileChoice(config: RolesConfigView, roleId: string, value: string, discovered: readonly DiscoveredModel[]): RolesConfigView {
  if (value === UNASSIGNED) return assignProfile(config, roleId, undefined);
  if (value.startsWith(PROFILE_PREFIX)) return assignProfile(config, roleId, value.slice(PROFILE_PREFIX.length));
  if (value.startsWith(MODEL_PREFIX)) {
    const model = discovered[Number(value.slice(MODEL_PREFIX.length))];
    if (model) return assignDiscoveredModel(config, roleId, model);
  }
  return config;
}

/** The profile assigned to a role, if it exists. */
export function assignedProfile(config: RolesConfigView, roleId: string): ProfileView | undefined {
  const profileId = config.assignments[roleId];
  return profileId === undefined ? undefined : config.profiles.find((profile) => profile.id === profileId);
}

/** A profile's price per million tokens, from the profile or else from Kilo's model list. */
export function priceOf(profile: ProfileView, discovered: readonly DiscoveredModel[]): { input: number; output: number } | undefined {
  return profile.cost ?? discovered.find((model) => model.providerID === profile.providerID && model.modelID === profile.modelID)?.cost;
}

/** Errors before warnings, otherwise in the host's order. */
export function sortIssues(issues: readonly ConfigIssueView[]): ConfigIssueView[] {
  return [...issues].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

/** Dollars for display: cents above a dollar-cent, more digits for the small per-role amounts. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0.00';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}
