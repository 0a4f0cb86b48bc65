import type { Profile, RolesConfig } from '../engine/roles/roleSchema';
import { OrchestraError } from '../engine/util/errors';
import { endpointKeyName, type Endpoint } from '../protocol/endpointView';
import type { DiscoveredModel } from '../protocol/rolesView';
import { profileIdFor } from './roleTemplates';

/**
 * Adds one profile per model of a custom OpenAI-compatible endpoint (Kilo gets the provider from
 * the profiles' baseURL at the next start, see kiloConfig.ts). Profiles on the same model are
 * updated in place, so adding an endpoint twice changes it rather than doubling it.
 * @throws OrchestraError `invalid-config` when the id is a provider Kilo already knows (its own
 * settings would be replaced) or is used with another URL.
 */
export function addEndpoint(config: RolesConfig, endpoint: Endpoint, discovered: readonly DiscoveredModel[]): RolesConfig {
  const { providerID, baseURL } = endpoint;
  const ours = config.profiles.filter((profile) => profile.providerID === providerID);
  if (ours.length === 0 && discovered.some((model) => model.providerID === providerID)) {
    throw new OrchestraError('invalid-config', `"${providerID}" is a provider Kilo already knows; give your endpoint another id, like ${providerID}-custom.`);
  }
  const otherURL = ours.find((profile) => profile.baseURL !== undefined && profile.baseURL !== baseURL);
  if (otherURL) throw new OrchestraError('invalid-config', `Provider "${providerID}" already points at ${otherURL.baseURL}; use another id for ${baseURL}.`);
  // No key typed: the endpoint keeps the key it had (adding a model should not ask for it again).
  const hadKey = ours.some((profile) => profile.apiKeyEnv !== undefined);
  const apiKeyEnv = endpoint.apiKey.trim() !== '' || hadKey ? endpointKeyName(providerID) : undefined;
  const profiles = [...config.profiles];
  for (const modelID of new Set(endpoint.modelIDs)) {
    const at = profiles.findIndex((profile) => profile.providerID === providerID && profile.modelID === modelID);
    const id = at >= 0 ? profiles[at]!.id : uniqueId(profileIdFor(providerID, modelID), profiles);
    const profile: Profile = { id, label: `${modelID} (${providerID})`.slice(0, 80), providerID, modelID, baseURL, ...(apiKeyEnv ? { apiKeyEnv } : {}) };
    if (at >= 0) profiles[at] = { ...profiles[at]!, ...profile };
    else profiles.push(profile);
  }
  return { ...config, profiles };
}

function uniqueId(base: string, profiles: readonly Profile[]): string {
  const taken = new Set(profiles.map((profile) => profile.id));
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base.slice(0, 60)}-${n}`;
  return id;
}
