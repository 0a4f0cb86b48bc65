import type { RetryCause } from '../backends/agentBackend';

/**
 * What a backend's retry message says went wrong. Kilo's `session.status` retry carries only the
 * provider's error text ("Too Many Requests", "Provider is overloaded", "503 Service Unavailable",
 * "fetch failed" …), so it is read here once, for every backend. Anything not recognisably a rate
 * limit or a network failure counts as a server error: a person must never be told "rate limit"
 * for an outage.
 */
export function retryCauseOf(message: string): { cause: RetryCause; status?: number } {
  const status = /\b([45]\d\d)\b/.exec(message)?.[1];
  const code = status === undefined ? undefined : Number(status);
  if (code === 429 || /rate.?limit|too many requests|quota|resource.?exhausted/i.test(message)) return { cause: 'rate-limit', status: 429 };
  if (code !== undefined && code >= 500) return { cause: 'server-error', status: code };
  if (/ECONN\w*|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|EPIPE|socket|network|fetch failed|connection|timed? ?out|offline/i.test(message)) return { cause: 'network' };
  return code === undefined ? { cause: 'server-error' } : { cause: 'server-error', status: code };
}

/** Whole seconds from `now` to `at`, never negative. */
function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * The step text of an agent waiting to try its model again, e.g. "waiting on rate limit
 * (anthropic, next try in 12 s)" or "waiting: provider error 503 (anthropic, next try in 4 s)".
 */
export function waitingStep(input: { cause: RetryCause | 'requests-per-minute'; provider: string; nextTryAt: number; now: number; status?: number }): string {
  const where = `(${input.provider}, next try in ${secondsUntil(input.nextTryAt, input.now)} s)`;
  switch (input.cause) {
    case 'rate-limit':
      return `waiting on rate limit ${where}`;
    case 'requests-per-minute':
      return `waiting on the requests-per-minute limit ${where}`;
    case 'server-error':
      return `waiting: provider error${input.status !== undefined ? ` ${input.status}` : ''} ${where}`;
    case 'network':
      return `waiting: network error ${where}`;
  }
}
