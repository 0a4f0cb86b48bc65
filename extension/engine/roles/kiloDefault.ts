import { z } from 'zod';
import type { Profile } from './roleSchema';

/**
 * The profile a role runs on when nobody assigned it one: the user's Kilo default model. Its id is
 * reserved, so a role's model can be named "Kilo default (…)" wherever it is shown.
 */
export const KILO_DEFAULT_PROFILE_ID = 'kilo-default';

/** A Kilo model reference, with the price Kilo reports for it when there is one (USD per million tokens). */
export const KiloDefaultModelSchema = z.object({
  providerID: z.string().min(1),
  modelID: z.string().min(1),
  cost: z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }).optional(),
});
export type KiloDefaultModel = z.infer<typeof KiloDefaultModelSchema>;

/** `provider/model` as Kilo writes it (the model id may itself hold slashes); undefined when it is not one. */
export function parseModelRef(ref: unknown): { providerID: string; modelID: string } | undefined {
  if (typeof ref !== 'string') return undefined;
  const slash = ref.indexOf('/');
  if (slash <= 0 || slash === ref.length - 1) return undefined;
  return { providerID: ref.slice(0, slash).trim(), modelID: ref.slice(slash + 1).trim() };
}

export function kiloDefaultProfile(model: KiloDefaultModel): Profile {
  return {
    id: KILO_DEFAULT_PROFILE_ID,
    label: `Kilo default (${model.providerID}/${model.modelID})`.slice(0, 80),
    providerID: model.providerID,
    modelID: model.modelID,
    ...(model.cost ? { cost: { ...model.cost } } : {}),
  };
}

/** How a role's model reads for people: `provider/model`, or `Kilo default (provider/model)` for the fallback. */
export function modelName(profile: Pick<Profile, 'id' | 'providerID' | 'modelID'>): string {
  const name = `${profile.providerID}/${profile.modelID}`;
  return profile.id === KILO_DEFAULT_PROFILE_ID ? `Kilo default (${name})` : name;
}
