import { OrchestraError } from '../engine/util/errors';
import type { Profile, RolesConfig } from '../engine/roles/roleSchema';
import { resolveRoles } from '../engine/roles/roleValidation';
import type { DiscoveredModel, TEMPLATE_IDS } from '../protocol/rolesView';
import { priceOf, type Price } from './modelPrices';

export type TemplateId = (typeof TEMPLATE_IDS)[number];

/** Roles that judge and steer: the ones a stronger model pays for itself on. */
const JUDGING_ROLES = new Set(['organiser', 'architect', 'code-sceptic']);

export const TEMPLATES: ReadonlyArray<{ id: TemplateId; name: string; description: string }> = [
  { id: 'economy', name: 'Economy', description: 'The cheapest priced model for every role, except a mid-priced model for the Organiser, whose decisions steer the whole run.' },
  { id: 'balanced', name: 'Balanced', description: 'The strongest (most expensive) model for the Organiser, Architect and Code Sceptic; the cheapest for the coders, documentation and debugging.' },
  { id: 'best-quality', name: 'Best quality', description: 'The strongest (most expensive) priced model for every role.' },
];

interface Candidate {
  profile: Profile;
  price: Price;
}

/**
 * Assigns a model to every role (built-in and custom, active or not) by price, using price as the
 * measure of strength: candidates are the profiles on connected providers and the connected
 * discovered models that have a price; they are ranked by blended price (input + 3 × output, since agents mostly pay for
 * output), then by id. "Cheapest" is the first, "strongest" the last, "mid" the median. Discovered
 * models that get a role become profiles. Role definitions are left as they are.
 * @throws OrchestraError `invalid-config` when no candidate has a known price.
 */
export function applyTemplate(templateId: TemplateId, config: RolesConfig, discovered: readonly DiscoveredModel[]): RolesConfig {
  const ranked = candidates(config.profiles, discovered).sort((a, b) => blended(a.price) - blended(b.price) || a.profile.id.localeCompare(b.profile.id));
  if (ranked.length === 0) {
    throw new OrchestraError('invalid-config', 'No model with a known price is available, so a template cannot choose between models.', {
      hint: 'Refresh the model list once Kilo is connected to a provider, or give your profiles a price.',
    });
  }
  const cheapest = ranked[0]!;
  const strongest = ranked[ranked.length - 1]!;
  const mid = ranked[Math.floor((ranked.length - 1) / 2)]!;
  const pick = (roleId: string): Candidate => {
    switch (templateId) {
      case 'economy':
        return roleId === 'organiser' ? mid : cheapest;
      case 'balanced':
        return JUDGING_ROLES.has(roleId) ? strongest : cheapest;
      case 'best-quality':
        return strongest;
    }
  };
  const profiles = [...config.profiles];
  const assignments: Record<string, string> = {};
  for (const role of resolveRoles(config).roles) {
    const chosen = pick(role.id);
    if (!profiles.some((profile) => profile.id === chosen.profile.id)) profiles.push(chosen.profile);
    assignments[role.id] = chosen.profile.id;
  }
  return { ...config, profiles, roles: config.roles, assignments };
}

/** A profile id for a discovered model: its provider and model, with anything unsafe turned into dashes. */
export function profileIdFor(providerID: string, modelID: string): string {
  return `${providerID}-${modelID}`.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 64);
}

function candidates(profiles: readonly Profile[], discovered: readonly DiscoveredModel[]): Candidate[] {
  const found: Candidate[] = [];
  // A template picks only models the user can call: once Kilo has said which providers are
  // connected, a profile on any other provider is left out (with no list, every profile counts).
  const connected = new Set(discovered.filter((model) => model.connected).map((model) => model.providerID));
  for (const profile of profiles) {
    if (discovered.length > 0 && !connected.has(profile.providerID)) continue;
    const price = priceOf(profile, discovered);
    if (price) found.push({ profile, price });
  }
  for (const model of discovered) {
    if (!model.connected || !model.cost) continue;
    if (found.some((candidate) => candidate.profile.providerID === model.providerID && candidate.profile.modelID === model.modelID)) continue;
    const id = uniqueId(profileIdFor(model.providerID, model.modelID), profiles, found);
    // The price goes into the profile so the cost preview still works when Kilo cannot be asked.
    found.push({ profile: { id, label: model.label.slice(0, 80) || id, providerID: model.providerID, modelID: model.modelID, cost: model.cost }, price: model.cost });
  }
  return found;
}

function uniqueId(base: string, profiles: readonly Profile[], found: readonly Candidate[]): string {
  const taken = new Set([...profiles.map((p) => p.id), ...found.map((c) => c.profile.id)]);
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base.slice(0, 60)}-${n}`;
  return id;
}

function blended(price: Price): number {
  return price.input + 3 * price.output;
}
