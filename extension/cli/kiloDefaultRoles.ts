import type { RolesConfig } from '../engine/roles/roleSchema';
import { resolveRoles, type RoleResolution } from '../engine/roles/roleValidation';
import { withKiloPrices } from '../config/modelPrices';
import { KiloHttp, type FetchFunction, type KiloEndpoint, type KiloProviders } from '../kilo/kiloHttp';
import { kiloDefaultModel, kiloModelPrice, type KiloDefaultChoice } from '../kilo/kiloModels';
import type { UserDefaultModel } from '../kilo/kiloUserModel';
import { UsageError } from './cliArgs';

export interface KiloDefaultInput {
  /** The running team server. */
  endpoint: () => KiloEndpoint | undefined;
  workspace: string;
  /** The roles configuration with the `--model` assignments. */
  config: RolesConfig;
  /** What the user's config files said before the server started. */
  userDefault: UserDefaultModel | undefined;
  log: (line: string) => void;
  /** Tests: a stand-in for the server's HTTP. */
  fetch?: FetchFunction;
}

/**
 * The roles as the running server sees them: a role nobody assigned runs on Kilo's default model
 * (`GET /config`'s `model`, else Kilo's own provider's default), and every profile without a price
 * takes the one Kilo reports (`GET /provider`). A model Kilo reports no price for stays unpriced.
 * @throws UsageError when a role needs the default and Kilo has none, or has one it cannot run.
 */
export async function resolveKiloDefault(input: KiloDefaultInput): Promise<RoleResolution> {
  const http = new KiloHttp({ connection: input.endpoint, directory: input.workspace, ...(input.fetch ? { fetch: input.fetch } : {}) });
  const [providers, configured] = await Promise.all([http.providers(), http.defaultModelRef()]);
  const choice = kiloDefaultModel(configured, providers);
  const priceFor = (providerID: string, modelID: string) => kiloModelPrice(providers, providerID, modelID);
  const config: RolesConfig = { ...input.config, profiles: withKiloPrices(input.config.profiles, priceFor) };
  const cost = choice ? priceFor(choice.providerID, choice.modelID) : undefined;
  const roles = resolveRoles(config, choice ? { kiloDefault: { providerID: choice.providerID, modelID: choice.modelID, ...(cost ? { cost } : {}) } } : {});
  if (!choice) {
    const unassigned = roles.errors.filter((issue) => issue.code === 'required-unassigned');
    if (unassigned.length > 0) throw new UsageError(noDefaultWords(unassigned.length, roles));
    return roles;
  }
  if (roles.onKiloDefault.length === 0) return roles;
  const problem = unusable(choice, providers);
  if (problem) throw new UsageError(`${problem}; ${choice.source === 'config' ? 'correct "model" in your Kilo config' : 'set "model" in ~/.config/kilo/kilo.json'}, or pass --model ROLE=PROVIDER/MODEL for ${namesOf(roles, roles.onKiloDefault)}.`);
  const from = choice.source === 'config' ? `Kilo's "model" setting${input.userDefault ? ` in ${input.userDefault.file}` : ''}` : `Kilo's own default, as no "model" is set`;
  if (input.userDefault && `${input.userDefault.providerID}/${input.userDefault.modelID}` !== `${choice.providerID}/${choice.modelID}`) {
    input.log(`note: Kilo's server reports ${choice.providerID}/${choice.modelID} as the default model, not ${input.userDefault.providerID}/${input.userDefault.modelID} from ${input.userDefault.file}; using the server's.`);
  }
  input.log(`${namesOf(roles, roles.onKiloDefault)} run on the Kilo default ${choice.providerID}/${choice.modelID} (${from}).`);
  if (!providers.connected.includes(choice.providerID)) {
    input.log(`warning: Kilo has no credentials for "${choice.providerID}", the provider of its default model; if its requests are refused, log in with "kilo auth login" or assign other models with --model.`);
  }
  return roles;
}

/** Why Kilo cannot run the model, or undefined when it lists it. */
function unusable(choice: KiloDefaultChoice, providers: KiloProviders): string | undefined {
  const provider = providers.all.find((candidate) => candidate.id === choice.providerID);
  if (!provider) return `Kilo's default model ${choice.providerID}/${choice.modelID} names provider "${choice.providerID}", which Kilo does not have`;
  if (!Object.hasOwn(provider.models, choice.modelID)) return `Kilo's default model ${choice.providerID}/${choice.modelID} is not one of provider "${choice.providerID}"'s models`;
  return undefined;
}

function noDefaultWords(count: number, roles: RoleResolution): string {
  const ids = roles.errors.filter((issue) => issue.code === 'required-unassigned').map((issue) => issue.roleId!);
  return `${namesOf(roles, ids)} ${count === 1 ? 'has' : 'have'} no model and Kilo has no default model: set "model" (e.g. "anthropic/claude-sonnet-4-6") in ~/.config/kilo/kilo.json, or pass --model ROLE=PROVIDER/MODEL for each.`;
}

/** "Organiser, Architect and 2 more" */
export function namesOf(roles: Pick<RoleResolution, 'roles'>, ids: readonly string[]): string {
  const names = ids.map((id) => roles.roles.find((role) => role.id === id)?.name ?? id);
  if (names.length <= 3) return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
}
