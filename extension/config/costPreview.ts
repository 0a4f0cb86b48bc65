import type { RoleResolution } from '../engine/roles/roleValidation';
import type { CostPreview, DiscoveredModel } from '../protocol/rolesView';
import { priceOf } from './modelPrices';

/**
 * Tokens one agent of a role typically uses on a 10-file task (input includes the artifacts it is
 * given in full; output is what it writes). Drawn from simulated and real runs of that size: the
 * Organiser decides ~30 times from a ~2,000-token context; each Secondary Coder implements and
 * fixes its share of the files; the Code Sceptic reads the plan and every file.
 */
export const TYPICAL_TOKENS: Readonly<Record<string, { input: number; output: number }>> = {
  organiser: { input: 60_000, output: 6_000 },
  architect: { input: 30_000, output: 8_000 },
  'primary-coder': { input: 40_000, output: 20_000 },
  'secondary-coder': { input: 80_000, output: 30_000 },
  'code-sceptic': { input: 100_000, output: 15_000 },
  'documentation-writer': { input: 60_000, output: 20_000 },
  debugger: { input: 50_000, output: 8_000 },
};
/** A custom role: one consultation-sized piece of work. */
export const CUSTOM_ROLE_TOKENS = { input: 30_000, output: 10_000 };

export const COST_BASIS =
  'A typical 10-file task: per agent, the Organiser ~60k input/6k output tokens, Architect 30k/8k, Primary Coder 40k/20k, each Secondary Coder 80k/30k, Code Sceptic 100k/15k, Documentation Writer 60k/20k, Debugger 50k/8k, a custom role 30k/10k; times the role\'s instances and its model\'s price. Roles whose model has no known price count as $0 and are marked unpriced.';

/** Estimated USD of one typical task for every active role; unpriced roles are flagged, not guessed. */
export function costPreview(resolution: RoleResolution, discovered: readonly DiscoveredModel[]): CostPreview {
  const perRole: CostPreview['perRole'] = [];
  for (const role of resolution.roles) {
    if (!role.active) continue;
    const profileId = resolution.assignments[role.id];
    const profile = profileId === undefined ? undefined : resolution.profiles.find((candidate) => candidate.id === profileId);
    const price = profile ? priceOf(profile, discovered) : undefined;
    const tokens = TYPICAL_TOKENS[role.id] ?? CUSTOM_ROLE_TOKENS;
    const usd = price ? ((tokens.input * price.input + tokens.output * price.output) / 1e6) * role.instances : 0;
    perRole.push({ roleId: role.id, usd: round(usd), priced: price !== undefined });
  }
  return { totalUsd: round(perRole.reduce((sum, row) => sum + row.usd, 0)), perRole, basis: COST_BASIS };
}

function round(usd: number): number {
  return Math.round(usd * 1e4) / 1e4;
}
