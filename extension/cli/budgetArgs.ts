import type { Budgets } from '../engine/run/budget';
import { RoleIdSchema } from '../engine/roles/roleSchema';
import { UsageError } from './usageError';

/** Above this a typo (a missing decimal point) is more likely than a real limit. */
const MAX_USD = 100_000;

/** `--budget-usd N` and `--role-budget ROLE=USD …` as the run's budgets; a bad value is a usage error. */
export function budgetsFrom(runUsd: string | undefined, roleSpecs: string[]): Budgets {
  const budgets: Budgets = {};
  if (runUsd !== undefined) budgets.runUsd = amount('--budget-usd', runUsd);
  const roleUsd: Record<string, number> = {};
  for (const spec of roleSpecs) {
    const match = /^([^=]+)=(.+)$/.exec(spec);
    if (!match || !RoleIdSchema.safeParse(match[1]).success) throw new UsageError(`--role-budget takes ROLE=USD (e.g. architect=0.50), not "${spec}".`);
    const role = match[1]!;
    if (Object.hasOwn(roleUsd, role)) throw new UsageError(`--role-budget names ${role} twice.`);
    roleUsd[role] = amount(`--role-budget ${role}`, match[2]!);
  }
  if (Object.keys(roleUsd).length > 0) budgets.roleUsd = roleUsd;
  return budgets;
}

function amount(flag: string, raw: string): number {
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new UsageError(`${flag} takes an amount in US dollars (e.g. 0.50), not "${raw}".`);
  const value = Number(raw);
  if (!(value > 0) || value > MAX_USD) throw new UsageError(`${flag} must be more than 0 and at most ${MAX_USD}.`);
  return value;
}
