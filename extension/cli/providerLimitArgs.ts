import { ProviderLimitsSchema, type ProviderLimits } from '../engine/agents/providerScheduler';
import { UsageError } from './usageError';

/**
 * `--provider-limit PROVIDER=CONCURRENT/PER_MINUTE …` as the run's provider limits (over the
 * defaults); a bad value is a usage error in one line.
 */
export function providerLimitsFrom(specs: string[]): ProviderLimits | undefined {
  if (specs.length === 0) return undefined;
  const limits: ProviderLimits = {};
  for (const spec of specs) {
    const match = /^([A-Za-z0-9._-]{1,64})=(\d{1,6})\/(\d{1,6})$/.exec(spec);
    if (!match) throw new UsageError(`--provider-limit takes PROVIDER=CONCURRENT/PER_MINUTE (e.g. anthropic=2/20), not "${spec}".`);
    const provider = match[1]!;
    if (Object.hasOwn(limits, provider)) throw new UsageError(`--provider-limit names ${provider} twice.`);
    limits[provider] = { maxConcurrent: Number(match[2]), requestsPerMinute: Number(match[3]) };
  }
  const parsed = ProviderLimitsSchema.safeParse(limits);
  if (!parsed.success) throw new UsageError('--provider-limit values must be at least 1 (at most 1000 at once, 100000 a minute).');
  return parsed.data;
}
