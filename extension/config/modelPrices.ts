import type { Profile } from '../engine/roles/roleSchema';
import type { DiscoveredModel } from '../protocol/rolesView';

/** USD per million tokens. */
export interface Price {
  input: number;
  output: number;
}

/** A profile's price: its own `cost` (custom providers), else what Kilo reports for that model. */
export function priceOf(profile: Pick<Profile, 'providerID' | 'modelID' | 'cost'>, discovered: readonly DiscoveredModel[]): Price | undefined {
  if (profile.cost) return profile.cost;
  return discovered.find((model) => model.providerID === profile.providerID && model.modelID === profile.modelID)?.cost;
}
