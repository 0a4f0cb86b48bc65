import { parseModelRef } from '../engine/roles/kiloDefault';
import { priceFromKilo, type Price } from '../config/modelPrices';
import type { KiloProviders } from './kiloHttp';

/** One entry of a role's model dropdown. */
export interface ModelChoice {
  providerID: string;
  modelID: string;
  /** "Provider · Model", for people. */
  label: string;
  /** Kilo has credentials for this provider. */
  connected: boolean;
  /** The provider's default model. */
  isDefault: boolean;
}

/**
 * The models Kilo can run, for assigning profiles to roles: connected providers first (they work
 * now), each provider's default model first within it, then by name.
 */
export function modelChoices(providers: KiloProviders): ModelChoice[] {
  const connected = new Set(providers.connected);
  const choices = providers.all.flatMap((provider) =>
    Object.values(provider.models).map((model) => ({
      providerID: provider.id,
      modelID: model.id,
      label: `${provider.name} · ${model.name}`,
      connected: connected.has(provider.id),
      isDefault: providers.default[provider.id] === model.id,
    })),
  );
  return choices.sort((a, b) => Number(b.connected) - Number(a.connected) || Number(b.isDefault) - Number(a.isDefault) || a.label.localeCompare(b.label));
}

/** What Kilo reports for one model's price; undefined when the model is unknown or has none (see `priceFromKilo`). */
export function kiloModelPrice(providers: KiloProviders, providerID: string, modelID: string): Price | undefined {
  const model = providers.all.find((provider) => provider.id === providerID)?.models[modelID];
  return priceFromKilo((model as { cost?: unknown } | undefined)?.cost);
}

/** The model a role nobody assigned runs on, and where it came from. */
export interface KiloDefaultChoice {
  providerID: string;
  modelID: string;
  /** `config`: the user's `model` setting; `kilo`: Kilo's own provider's default, with no `model` set. */
  source: 'config' | 'kilo';
}

/**
 * The server's default model: the merged config's `model` (`GET /config`), else, as Kilo itself
 * does with no `model` set, the default of its own `kilo` provider when that is connected.
 */
export function kiloDefaultModel(configModel: string | undefined, providers: KiloProviders): KiloDefaultChoice | undefined {
  const configured = parseModelRef(configModel);
  if (configured) return { ...configured, source: 'config' };
  const own = providers.connected.includes('kilo') ? providers.default.kilo : undefined;
  return own ? { providerID: 'kilo', modelID: own, source: 'kilo' } : undefined;
}
