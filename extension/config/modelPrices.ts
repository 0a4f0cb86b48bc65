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

/**
 * A model's price from what Kilo reports (`cost: { input, output, cache? }`, USD per million tokens).
 * Kilo reports 0/0 for a model whose config names no price (every custom provider the user added
 * without `cost`), so 0/0 is no price: counting it as free would make budgets do nothing.
 */
export function priceFromKilo(raw: unknown): Price | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { input, output } = raw as { input?: unknown; output?: unknown };
  const valid = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  if (!valid(input) || !valid(output) || input + output === 0) return undefined;
  return { input, output };
}

/** Profiles without a price of their own take the one Kilo reports for their model, when it has one. */
export function withKiloPrices<T extends Pick<Profile, 'providerID' | 'modelID' | 'cost'>>(profiles: readonly T[], priceFor: (providerID: string, modelID: string) => Price | undefined): T[] {
  return profiles.map((profile) => {
    if (profile.cost) return profile;
    const cost = priceFor(profile.providerID, profile.modelID);
    return cost ? { ...profile, cost } : profile;
  });
}
