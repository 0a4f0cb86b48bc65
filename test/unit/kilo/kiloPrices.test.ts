import { describe, expect, it } from 'vitest';
import type { Profile } from '../../../extension/engine/roles/roleSchema';
import type { KiloProviders } from '../../../extension/kilo/kiloHttp';
import { priceProfilesFromKilo } from '../../../extension/kilo/kiloPrices';

const providers: KiloProviders = {
  all: [
    { id: 'anthropic', name: 'Anthropic', models: { sonnet: { id: 'sonnet', name: 'Sonnet', cost: { input: 3, output: 15 } } } },
    { id: 'teamproxy', name: 'Team proxy', models: { 'team-model': { id: 'team-model', name: 'Team', cost: { input: 0, output: 0 } } } },
  ],
  connected: ['anthropic', 'teamproxy'],
  default: {},
};

/** A stand-in for the Kilo server's GET /provider. */
const fakeKilo = (answer: () => Promise<KiloProviders>) => ({ providers: answer });

describe('priceProfilesFromKilo', () => {
  it("prices profiles without a price from Kilo's models, keeps their own, and leaves a 0/0 model unpriced", async () => {
    const profiles: Profile[] = [
      { id: 'a', label: 'a', providerID: 'anthropic', modelID: 'sonnet' },
      { id: 'b', label: 'b', providerID: 'anthropic', modelID: 'sonnet', cost: { input: 1, output: 2 } },
      { id: 'kilo-default', label: 'Kilo default (teamproxy/team-model)', providerID: 'teamproxy', modelID: 'team-model' },
    ];
    expect(await priceProfilesFromKilo(profiles, fakeKilo(async () => providers), () => {})).toBe(1);
    expect(profiles.map((profile) => profile.cost)).toEqual([{ input: 3, output: 15 }, { input: 1, output: 2 }, undefined]);
  });

  it('logs a failed query and prices nothing, without throwing', async () => {
    const lines: string[] = [];
    const profiles: Profile[] = [{ id: 'a', label: 'a', providerID: 'anthropic', modelID: 'sonnet' }];
    expect(await priceProfilesFromKilo(profiles, fakeKilo(async () => Promise.reject(new Error('401 Unauthorized'))), (line) => lines.push(line))).toBe(0);
    expect(profiles[0]!.cost).toBeUndefined();
    expect(lines).toEqual([expect.stringContaining('401 Unauthorized')]);
  });
});
