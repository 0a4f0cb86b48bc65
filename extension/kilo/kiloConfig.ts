import { roleMarker } from '../engine/roles/roleMarker';
import type { Profile, RoleDefinition } from '../engine/roles/roleSchema';
import { OrchestraError } from '../engine/util/errors';
import { DISABLED_TOOLS } from './permissionRules';

/** The Kilo agent a role runs as. */
export function agentNameForRole(roleId: string): string {
  return `orchestra-${roleId}`;
}

export interface KiloConfigInput {
  roles: readonly RoleDefinition[];
  profiles: readonly Profile[];
  /** Where API keys of custom providers come from (process.env in the CLI, SecretStorage in VS Code). */
  secret: (name: string) => string | undefined;
}

/**
 * The configuration handed to our private `kilo serve` in `KILO_CONFIG_CONTENT` (memory only, never
 * a file): one Kilo agent per role with the role's prompt, and one custom OpenAI-compatible provider
 * per provider id that has a base URL. Profiles without a base URL use the providers the user
 * already set up in Kilo.
 */
export function buildKiloConfig(input: KiloConfigInput): Record<string, unknown> {
  const agent: Record<string, unknown> = {};
  for (const role of input.roles) {
    agent[agentNameForRole(role.id)] = {
      description: role.description,
      prompt: `${role.prompt}\n\n${roleMarker(role.id)}`,
      mode: 'primary',
      // Also off in every session's ruleset; here too, so they stay off whatever the session says.
      tools: Object.fromEntries(DISABLED_TOOLS.map((tool) => [tool, false])),
    };
  }
  // No git snapshots: each step of a turn took two (before and after), which cost more of kilo
  // serve's one busy core than the rest of the turn (docs/BENCHMARKS.md, group 2). Nothing of ours
  // reads them: a work item's changes come from its granted files (fileFingerprints.ts), rollback
  // from our own checkpoints.
  return { agent, provider: customProviders(input), share: 'disabled', autoupdate: false, snapshot: false };
}

function customProviders(input: KiloConfigInput): Record<string, unknown> {
  const providers: Record<string, { npm: string; name: string; options: Record<string, string>; models: Record<string, { name: string; cost?: { input: number; output: number } }> }> = {};
  for (const profile of input.profiles) {
    if (!profile.baseURL) continue;
    const existing = providers[profile.providerID];
    if (existing && existing.options.baseURL !== profile.baseURL) {
      throw new OrchestraError('invalid-config', `Profiles "${profile.id}" and another use provider "${profile.providerID}" with different base URLs; give them different provider ids.`);
    }
    const apiKey = profile.apiKeyEnv ? input.secret(profile.apiKeyEnv) : 'none';
    if (apiKey === undefined) {
      throw new OrchestraError('invalid-config', `Profile "${profile.id}" takes its key from ${profile.apiKeyEnv}, which is not set.`, {
        hint: `Set ${profile.apiKeyEnv} in the environment, or remove apiKeyEnv if the provider needs no key.`,
      });
    }
    const provider = existing ?? { npm: '@ai-sdk/openai-compatible', name: profile.providerID, options: { baseURL: profile.baseURL, apiKey }, models: {} };
    provider.models[profile.modelID] = { name: profile.label, ...(profile.cost ? { cost: profile.cost } : {}) };
    providers[profile.providerID] = provider;
  }
  return providers;
}
