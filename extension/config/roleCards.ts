import { builtinRole } from '../engine/roles/builtinRoles';
import { resolveRoles } from '../engine/roles/roleValidation';
import type { RoleDefinition, RoleOverride, RolesConfig } from '../engine/roles/roleSchema';
import type { RoleCard, RolesConfigView } from '../protocol/rolesView';

/** Fields of a built-in role the user may change (everything but id, builtin, required). */
const EDITABLE_FIELDS = ['name', 'description', 'category', 'capabilities', 'inputArtifacts', 'outputArtifacts', 'prompt', 'active', 'instances'] as const;

/**
 * The stored configuration as the roles tab shows it: every role in full, with `active` as the user
 * set it (resolution switches off an optional role without a profile; the card keeps the intent).
 */
export function configToView(config: RolesConfig): RolesConfigView {
  const resolution = resolveRoles(config);
  const overrides = new Map(config.roles.map((role) => [role.id, role]));
  const roles = resolution.roles.map((role): RoleCard => {
    const active = overrides.get(role.id)?.active ?? builtinRole(role.id)?.active ?? true;
    return toCard({ ...role, active });
  });
  return {
    profiles: config.profiles.map((profile) => ({ ...profile })),
    roles,
    assignments: { ...config.assignments },
    ...(config.workflow ? { workflow: structuredClone(config.workflow) } : {}),
  };
}

/**
 * The view back to the stored shape: built-in roles as overrides holding only what differs from the
 * built-in (so later improvements to a built-in reach users who did not change that field), custom
 * roles in full. Locked fields of built-ins are never written.
 */
export function viewToConfig(view: RolesConfigView): RolesConfig {
  const roles: RoleOverride[] = [];
  for (const card of view.roles) {
    const builtin = builtinRole(card.id);
    if (!builtin) {
      roles.push({ ...card, builtin: false });
      continue;
    }
    const override: RoleOverride = { id: card.id };
    for (const field of EDITABLE_FIELDS) {
      if (JSON.stringify(card[field]) !== JSON.stringify(builtin[field])) (override as Record<string, unknown>)[field] = structuredClone(card[field]);
    }
    // Kept so the check refuses it in words (built-in roles have their own place), not dropped unseen.
    if (card.joins) override.joins = structuredClone(card.joins);
    if (Object.keys(override).length > 1) roles.push(override);
  }
  return {
    profiles: view.profiles.map((profile) => ({ ...profile })),
    roles,
    assignments: { ...view.assignments },
    ...(view.workflow ? { workflow: structuredClone(view.workflow) } : {}),
  };
}

function toCard(role: RoleDefinition): RoleCard {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    category: role.category,
    required: role.required,
    builtin: role.builtin,
    capabilities: [...role.capabilities],
    inputArtifacts: [...role.inputArtifacts],
    outputArtifacts: [...role.outputArtifacts],
    prompt: role.prompt,
    active: role.active,
    instances: role.instances,
    ...(role.joins ? { joins: structuredClone(role.joins) } : {}),
  };
}
