import { UsageError } from './usageError';

/** Provider and model of a role, as `--model ROLE=PROVIDER/MODEL` gives them. */
export type ModelAssignments = Record<string, { providerID: string; modelID: string }>;

/** Each `--model ROLE=PROVIDER/MODEL`; run, resume and a replay's fork take them. */
export function modelAssignments(specs: string[]): ModelAssignments {
  const models: ModelAssignments = {};
  for (const spec of specs) {
    const match = /^([a-z][a-z0-9-]{1,39})=([^/\s]+)\/(\S+)$/.exec(spec);
    if (!match) throw new UsageError(`--model takes ROLE=PROVIDER/MODEL (e.g. architect=anthropic/claude-sonnet-4-5), not "${spec}".`);
    models[match[1]!] = { providerID: match[2]!, modelID: match[3]! };
  }
  return models;
}
