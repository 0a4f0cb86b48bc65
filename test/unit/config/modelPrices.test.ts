import { describe, expect, it } from 'vitest';
import { priceFromKilo, withKiloPrices } from '../../../extension/config/modelPrices';
import { kiloDefaultModel, kiloModelPrice } from '../../../extension/kilo/kiloModels';
import type { KiloProviders } from '../../../extension/kilo/kiloHttp';

const providers: KiloProviders = {
  all: [
    { id: 'kilo', name: 'Kilo', models: { 'kilo-auto/free': { id: 'kilo-auto/free', name: 'Auto' }, paid: { id: 'paid', name: 'Paid', cost: { input: 3, output: 15, cache: { read: 0.3 } } } } },
    // A custom provider the user added without prices: Kilo reports 0/0.
    { id: 'teamproxy', name: 'Team proxy', models: { 'team-model': { id: 'team-model', name: 'Team', cost: { input: 0, output: 0, cache: { read: 0, write: 0 } } } } },
  ],
  connected: ['kilo', 'teamproxy'],
  default: { kilo: 'kilo-auto/free', teamproxy: 'team-model' },
};

describe('prices Kilo reports', () => {
  it('takes input/output per million tokens, and counts 0/0 (no price in the config) as unpriced', () => {
    expect(priceFromKilo({ input: 3, output: 15, cache: { read: 0.3 } })).toEqual({ input: 3, output: 15 });
    expect(priceFromKilo({ input: 0, output: 0 })).toBeUndefined();
    expect(priceFromKilo({ input: -1, output: 2 })).toBeUndefined();
    expect(priceFromKilo('cheap')).toBeUndefined();
    expect(kiloModelPrice(providers, 'kilo', 'paid')).toEqual({ input: 3, output: 15 });
    expect(kiloModelPrice(providers, 'teamproxy', 'team-model')).toBeUndefined();
    expect(kiloModelPrice(providers, 'nobody', 'x')).toBeUndefined();
  });

  it('fills in a profile without its own price, and keeps one that has it', () => {
    const priced = withKiloPrices(
      [
        { providerID: 'kilo', modelID: 'paid' },
        { providerID: 'kilo', modelID: 'paid', cost: { input: 1, output: 1 } },
        { providerID: 'teamproxy', modelID: 'team-model' },
      ],
      (providerID, modelID) => kiloModelPrice(providers, providerID, modelID),
    );
    expect(priced.map((profile) => profile.cost)).toEqual([{ input: 3, output: 15 }, { input: 1, output: 1 }, undefined]);
  });
});

describe('kiloDefaultModel', () => {
  it("is the config's model when set, else Kilo's own provider's default, else none", () => {
    expect(kiloDefaultModel('teamproxy/team-model', providers)).toEqual({ providerID: 'teamproxy', modelID: 'team-model', source: 'config' });
    expect(kiloDefaultModel(undefined, providers)).toEqual({ providerID: 'kilo', modelID: 'kilo-auto/free', source: 'kilo' });
    expect(kiloDefaultModel(undefined, { ...providers, connected: ['teamproxy'] })).toBeUndefined();
  });
});
