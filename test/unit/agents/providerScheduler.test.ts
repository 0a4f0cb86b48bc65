import { describe, expect, it } from 'vitest';
import { DEFAULT_PROVIDER_LIMITS, ProviderScheduler, priorityOf, readProviderLimits, type Slot, type SlotWait } from '../../../extension/engine/agents/providerScheduler';
import { retryCauseOf, waitingStep } from '../../../extension/engine/agents/retryStatus';
import { FakeClock } from './fakeClock';

function aScheduler(limits: Record<string, { maxConcurrent?: number; requestsPerMinute?: number }>, random = () => 0.5) {
  const clock = new FakeClock();
  const scheduler = new ProviderScheduler({ limits, clock, random, backoff: { baseMs: 1000, maxMs: 30_000 } });
  return { clock, scheduler };
}

/** Records which acquisitions have been granted, in order. */
function track(promise: Promise<Slot>, label: string, granted: string[], slots: Map<string, Slot>): void {
  void promise.then((slot) => {
    granted.push(label);
    slots.set(label, slot);
  });
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
const never = new AbortController().signal;

describe('ProviderScheduler caps', () => {
  it('never runs more than maxConcurrent requests to one provider, and other providers are not held up', async () => {
    const { scheduler } = aScheduler({ anthropic: { maxConcurrent: 2 } });
    const granted: string[] = [];
    const slots = new Map<string, Slot>();
    for (const label of ['a1', 'a2', 'a3']) track(scheduler.acquire('anthropic', 2, never), label, granted, slots);
    track(scheduler.acquire('openai', 2, never), 'o1', granted, slots);
    await flush();
    expect(granted).toEqual(['a1', 'a2', 'o1']);
    expect(scheduler.load('anthropic')).toEqual({ active: 2, waiting: 1 });
    slots.get('a1')!.release();
    slots.get('a1')!.release(); // a second release gives nothing back twice
    await flush();
    expect(granted).toEqual(['a1', 'a2', 'o1', 'a3']);
    expect(scheduler.load('anthropic')).toEqual({ active: 2, waiting: 0 });
  });

  it('starts no more than requestsPerMinute in any minute and tells the waiter when the next one may start', async () => {
    const { clock, scheduler } = aScheduler({ google: { requestsPerMinute: 2 } });
    const granted: string[] = [];
    const slots = new Map<string, Slot>();
    const waits: SlotWait[] = [];
    track(scheduler.acquire('google', 2, never), 'g1', granted, slots);
    clock.advance(10_000);
    track(scheduler.acquire('google', 2, never), 'g2', granted, slots);
    track(
      scheduler.acquire('google', 2, never, (wait) => waits.push(wait)),
      'g3',
      granted,
      slots,
    );
    await flush();
    expect(granted).toEqual(['g1', 'g2']);
    expect(waits).toEqual([{ provider: 'google', reason: 'requests-per-minute', nextTryAt: 1_060_000 }]);
    clock.advance(49_999);
    await flush();
    expect(granted).toEqual(['g1', 'g2']);
    clock.advance(1);
    await flush();
    expect(granted).toEqual(['g1', 'g2', 'g3']);
    expect(clock.pending).toBe(0);
  });

  it('lets waiters through in priority order (Organiser, review, coding, documentation, testing), then in arrival order', async () => {
    const { scheduler } = aScheduler({ kilo: { maxConcurrent: 1 } });
    const granted: string[] = [];
    const slots = new Map<string, Slot>();
    track(scheduler.acquire('kilo', priorityOf('implementation'), never), 'running', granted, slots);
    await flush();
    const arrivals: Array<[string, string]> = [
      ['tester', 'testing'],
      ['writer', 'documentation'],
      ['coder-a', 'implementation'],
      ['sceptic', 'review'],
      ['coder-b', 'planning'],
      ['organiser', 'coordination'],
    ];
    for (const [label, category] of arrivals) track(scheduler.acquire('kilo', priorityOf(category), never), label, granted, slots);
    for (let step = 0; step < arrivals.length; step++) {
      await flush();
      slots.get(granted.at(-1)!)!.release();
    }
    await flush();
    expect(granted).toEqual(['running', 'organiser', 'sceptic', 'coder-a', 'coder-b', 'writer', 'tester']);
  });

  it('an aborted waiter leaves the queue and is rejected with aborted; the next one takes its turn', async () => {
    const { scheduler } = aScheduler({ openai: { maxConcurrent: 1 } });
    const granted: string[] = [];
    const slots = new Map<string, Slot>();
    track(scheduler.acquire('openai', 2, never), 'first', granted, slots);
    const controller = new AbortController();
    const abandoned = scheduler.acquire('openai', 0, controller.signal);
    track(scheduler.acquire('openai', 2, never), 'third', granted, slots);
    controller.abort();
    await expect(abandoned).rejects.toMatchObject({ reason: 'aborted' });
    slots.get('first')!.release();
    await flush();
    expect(granted).toEqual(['first', 'third']);
    await expect(scheduler.acquire('openai', 0, controller.signal)).rejects.toMatchObject({ reason: 'aborted' });
  });
});

describe('ProviderScheduler after a 429', () => {
  it('pushes the provider’s next slot back with exponential backoff and jitter, and a success starts the backoff over', async () => {
    const { clock, scheduler } = aScheduler({}, () => 0);
    const now = clock.now();
    // Equal jitter with random 0: half of base·2^(n-1).
    expect(scheduler.noteRateLimited('anthropic') - now).toBe(500);
    clock.advance(500);
    expect(scheduler.noteRateLimited('anthropic') - clock.now()).toBe(1000);
    clock.advance(1000);
    expect(scheduler.noteRateLimited('anthropic') - clock.now()).toBe(2000);
    scheduler.noteSuccess('anthropic');
    clock.advance(2000);
    expect(scheduler.noteRateLimited('anthropic') - clock.now()).toBe(500);
  });

  it('never waits past the cap, spreads retries with jitter, and honours a later retry time from the provider', () => {
    const high = aScheduler({}, () => 0.999);
    for (let i = 0; i < 40; i++) high.scheduler.noteRateLimited('openai');
    expect(high.scheduler.blockedUntil('openai') - high.clock.now()).toBeLessThanOrEqual(30_000);
    const low = aScheduler({}, () => 0);
    expect(low.scheduler.noteRateLimited('openai', low.clock.now() + 7000) - low.clock.now()).toBe(7000);
  });

  it('holds every waiter of that provider until the backoff is over, saying so, while other providers go on', async () => {
    const { clock, scheduler } = aScheduler({}, () => 0);
    const granted: string[] = [];
    const slots = new Map<string, Slot>();
    const waits: SlotWait[] = [];
    scheduler.noteRateLimited('anthropic', clock.now() + 4000);
    track(
      scheduler.acquire('anthropic', 0, never, (wait) => waits.push(wait)),
      'a',
      granted,
      slots,
    );
    track(scheduler.acquire('openai', 4, never), 'o', granted, slots);
    await flush();
    expect(granted).toEqual(['o']);
    expect(waits).toEqual([{ provider: 'anthropic', reason: 'rate-limit', nextTryAt: clock.now() + 4000 }]);
    clock.advance(4000);
    await flush();
    expect(granted).toEqual(['o', 'a']);
  });
});

describe('ProviderScheduler limits', () => {
  it('uses the documented defaults for known providers, settings over them, and no cap for unknown providers', () => {
    const { scheduler } = aScheduler({ anthropic: { requestsPerMinute: 5 }, local: { maxConcurrent: 1 } });
    expect(scheduler.limitOf('anthropic')).toEqual({ maxConcurrent: DEFAULT_PROVIDER_LIMITS.anthropic!.maxConcurrent, requestsPerMinute: 5 });
    expect(scheduler.limitOf('local')).toEqual({ maxConcurrent: 1, requestsPerMinute: Number.POSITIVE_INFINITY });
    expect(scheduler.limitOf('constructor')).toEqual({ maxConcurrent: Number.POSITIVE_INFINITY, requestsPerMinute: Number.POSITIVE_INFINITY });
    expect(new ProviderScheduler({ useDefaults: false }).limitOf('anthropic').maxConcurrent).toBe(Number.POSITIVE_INFINITY);
  });

  it('reads the setting: unset is nothing, a typo is ignored with a one-line warning naming the setting', () => {
    const warnings: string[] = [];
    expect(readProviderLimits(undefined, (w) => warnings.push(w))).toBeUndefined();
    expect(readProviderLimits({ openai: { maxConcurrent: 2 } }, (w) => warnings.push(w))).toEqual({ openai: { maxConcurrent: 2 } });
    expect(readProviderLimits({ openai: { maxConcurent: 2 } }, (w) => warnings.push(w))).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^kiloOrchestra\.providerLimits is ignored, the defaults apply: .*maxConcurent/);
    expect(warnings[0]).not.toContain('\n');
  });

  it('refuses invalid limits with one reason', () => {
    expect(() => new ProviderScheduler({ limits: { openai: { maxConcurrent: 0 } } })).toThrow(/provider limits are invalid/);
    expect(() => new ProviderScheduler({ limits: { openai: { burst: 3 } as never } })).toThrow(/provider limits are invalid/);
  });
});

describe('retry causes and what the person reads', () => {
  it('tells a rate limit from a server error and a lost connection', () => {
    expect(retryCauseOf('Too Many Requests')).toEqual({ cause: 'rate-limit', status: 429 });
    expect(retryCauseOf('429 status code (no body)')).toEqual({ cause: 'rate-limit', status: 429 });
    expect(retryCauseOf('Rate limit reached for requests')).toEqual({ cause: 'rate-limit', status: 429 });
    expect(retryCauseOf('503 Service Unavailable')).toEqual({ cause: 'server-error', status: 503 });
    expect(retryCauseOf('502 Bad Gateway')).toEqual({ cause: 'server-error', status: 502 });
    expect(retryCauseOf('Provider is overloaded')).toEqual({ cause: 'server-error' });
    expect(retryCauseOf('fetch failed: ECONNRESET')).toEqual({ cause: 'network' });
  });

  it('says which provider and when the next try is', () => {
    expect(waitingStep({ cause: 'rate-limit', provider: 'anthropic', nextTryAt: 12_400, now: 0 })).toBe('waiting on rate limit (anthropic, next try in 13 s)');
    expect(waitingStep({ cause: 'server-error', status: 503, provider: 'openai', nextTryAt: 4000, now: 0 })).toBe('waiting: provider error 503 (openai, next try in 4 s)');
    expect(waitingStep({ cause: 'network', provider: 'kilo', nextTryAt: 0, now: 5000 })).toBe('waiting: network error (kilo, next try in 0 s)');
  });
});
