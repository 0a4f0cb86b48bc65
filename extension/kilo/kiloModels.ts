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
