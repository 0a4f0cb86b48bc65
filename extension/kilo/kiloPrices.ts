import type { Profile } from '../engine/roles/roleSchema';
import { describeError } from '../engine/util/errors';
import type { KiloHttp } from './kiloHttp';
import { kiloModelPrice } from './kiloModels';

/**
 * Gives every profile without a price the one the running Kilo reports for its model (`GET /provider`),
 * in place, before the run starts: budgets then estimate its turns, and only a model Kilo has no
 * price for stays unpriced. Returns how many profiles got a price; a failed query prices none.
 */
export async function priceProfilesFromKilo(profiles: Profile[], http: Pick<KiloHttp, 'providers'>, log: (line: string) => void): Promise<number> {
  if (!profiles.some((profile) => !profile.cost)) return 0;
  let providers;
  try {
    providers = await http.providers();
  } catch (error) {
    log(`Kilo's model prices could not be read (${describeError(error)}); profiles without a price of their own stay unpriced.`);
    return 0;
  }
  let priced = 0;
  for (const profile of profiles) {
    if (profile.cost) continue;
    const cost = kiloModelPrice(providers, profile.providerID, profile.modelID);
    if (!cost) continue;
    profile.cost = cost;
    priced++;
  }
  return priced;
}
