import { z } from 'zod';
import { OrchestraError } from '../util/errors';

/** What one provider is allowed: requests at once and requests started in any 60 s window. */
export const ProviderLimitSchema = z
  .object({
    maxConcurrent: z.number().int().min(1).max(1000).optional(),
    requestsPerMinute: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();
export type ProviderLimitOverride = z.infer<typeof ProviderLimitSchema>;

/** Provider id (a profile's `providerID`) → its limits; the `kiloOrchestra.providerLimits` setting. */
export const ProviderLimitsSchema = z.record(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/), ProviderLimitSchema);
export type ProviderLimits = z.infer<typeof ProviderLimitsSchema>;

/**
 * The setting's value as limits: nothing when unset, and nothing (with `warn` told why in one line)
 * when it is invalid, so a typo never stops a run, and never silently changes a limit either.
 */
export function readProviderLimits(value: unknown, warn: (problem: string) => void): ProviderLimits | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = ProviderLimitsSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  warn(`kiloOrchestra.providerLimits is ignored, the defaults apply: ${z.prettifyError(parsed.error).replace(/\s+/g, ' ')}`);
  return undefined;
}

export interface ProviderLimit {
  maxConcurrent: number;
  requestsPerMinute: number;
}

/**
 * Starting points, not the providers' published quotas (those depend on the account's tier): low
 * enough that a default account rarely sees a 429, and changeable in the settings.
 */
export const DEFAULT_PROVIDER_LIMITS: Readonly<Record<string, ProviderLimit>> = {
  anthropic: { maxConcurrent: 4, requestsPerMinute: 50 },
  openai: { maxConcurrent: 6, requestsPerMinute: 60 },
  openrouter: { maxConcurrent: 6, requestsPerMinute: 60 },
  google: { maxConcurrent: 4, requestsPerMinute: 30 },
  kilo: { maxConcurrent: 6, requestsPerMinute: 60 },
};

/** A provider with no default and no setting (a local or custom server): no cap of its own. */
const UNLIMITED: ProviderLimit = { maxConcurrent: Number.POSITIVE_INFINITY, requestsPerMinute: Number.POSITIVE_INFINITY };

/**
 * Who goes first when several agents wait for the same provider: the Organiser (it unblocks
 * everyone), then review, then coding, then documentation, then testing. Lower is sooner.
 */
export const ROLE_PRIORITY: Readonly<Record<string, number>> = {
  coordination: 0,
  review: 1,
  planning: 2,
  implementation: 2,
  custom: 2,
  documentation: 3,
  testing: 4,
};

/** The priority of a role category; an unknown one waits with the coders. */
export function priorityOf(category: string): number {
  return Object.hasOwn(ROLE_PRIORITY, category) ? (ROLE_PRIORITY[category] ?? 2) : 2;
}

export interface SchedulerClock {
  now(): number;
  /** Calls `run` after `ms`; the returned function cancels it. */
  setTimer(ms: number, run: () => void): () => void;
}

export interface ProviderSchedulerOptions {
  /** Settings: override (or add) limits per provider. */
  limits?: ProviderLimits;
  /** Whether providers with no setting get DEFAULT_PROVIDER_LIMITS (off for the simulated backend). */
  useDefaults?: boolean;
  clock?: SchedulerClock;
  /** In [0, 1); for the jitter. */
  random?: () => number;
  /** Backoff after a 429: base, doubled per 429 in a row, capped (defaults 2 s and 60 s). */
  backoff?: { baseMs: number; maxMs: number };
}

/** Why a request is waiting, for what the person sees. */
export interface SlotWait {
  provider: string;
  reason: 'rate-limit' | 'requests-per-minute' | 'concurrency';
  /** Epoch ms of the earliest next try (for `concurrency`: when a running request ends, unknown). */
  nextTryAt?: number;
}

export interface Slot {
  readonly provider: string;
  /** Gives the slot back; calling it again does nothing. */
  release(): void;
}

interface Waiter {
  priority: number;
  seq: number;
  grant: (slot: Slot) => void;
  onWait?: (wait: SlotWait) => void;
  /** The last wait told, so a person hears of each change once. */
  told?: string;
}

interface ProviderState {
  limit: ProviderLimit;
  active: number;
  /** Start times of the requests of the last minute, oldest first. */
  started: number[];
  /** No request starts before this (epoch ms): the backoff after a 429. */
  blockedUntil: number;
  /** 429s in a row, for the exponential backoff. */
  streak: number;
  waiters: Waiter[];
  cancelTimer?: () => void;
  timerAt?: number;
}

const WINDOW_MS = 60_000;

const realClock: SchedulerClock = {
  now: () => Date.now(),
  setTimer: (ms, run) => {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
};

/**
 * One queue per provider for model traffic: a request starts only when the provider has a free
 * slot (under its concurrency cap and its requests-per-minute window) and no backoff is running.
 * Waiting requests start in priority order, then in arrival order. A 429 pushes the provider's next
 * slot back for everyone, with exponential backoff and jitter, so a storm is waited out once
 * instead of being retried by every agent at once.
 */
export class ProviderScheduler {
  private readonly providers = new Map<string, ProviderState>();
  private readonly clock: SchedulerClock;
  private readonly random: () => number;
  private readonly backoff: { baseMs: number; maxMs: number };
  private seq = 0;

  constructor(private readonly options: ProviderSchedulerOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? { baseMs: 2000, maxMs: 60_000 };
    const parsed = ProviderLimitsSchema.safeParse(options.limits ?? {});
    if (!parsed.success) throw new OrchestraError('invalid-config', `The provider limits are invalid: ${z.prettifyError(parsed.error)}`);
  }

  /** The scheduler's clock: wait texts are computed against it. */
  now(): number {
    return this.clock.now();
  }

  /** The limits in force for `provider`. */
  limitOf(provider: string): ProviderLimit {
    const base = (this.options.useDefaults ?? true) && Object.hasOwn(DEFAULT_PROVIDER_LIMITS, provider) ? DEFAULT_PROVIDER_LIMITS[provider]! : UNLIMITED;
    const override = this.options.limits && Object.hasOwn(this.options.limits, provider) ? this.options.limits[provider] : undefined;
    return { maxConcurrent: override?.maxConcurrent ?? base.maxConcurrent, requestsPerMinute: override?.requestsPerMinute ?? base.requestsPerMinute };
  }

  /**
   * Resolves with a slot once `provider` can take one more request and no waiter of higher priority
   * is ahead. `onWait` hears why it waits whenever that changes. Rejects with `aborted` when `signal`
   * fires first.
   */
  acquire(provider: string, priority: number, signal: AbortSignal, onWait?: (wait: SlotWait) => void): Promise<Slot> {
    if (signal.aborted) return Promise.reject(new OrchestraError('aborted', `The request to ${provider} was aborted before it started.`));
    const state = this.state(provider);
    return new Promise<Slot>((resolve, reject) => {
      const waiter: Waiter = {
        priority,
        seq: ++this.seq,
        onWait,
        grant: (slot) => {
          signal.removeEventListener('abort', onAbort);
          resolve(slot);
        },
      };
      const onAbort = () => {
        const index = state.waiters.indexOf(waiter);
        if (index >= 0) state.waiters.splice(index, 1);
        reject(new OrchestraError('aborted', `The request to ${provider} was aborted while waiting for a slot.`));
        // The head may have changed: let the next one through if it can go.
        this.pump(provider);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const at = state.waiters.findIndex((other) => other.priority > priority);
      state.waiters.splice(at < 0 ? state.waiters.length : at, 0, waiter);
      this.pump(provider);
    });
  }

  /**
   * The provider answered 429: no request to it starts before the backoff (doubled per 429 in a row,
   * with jitter) or `retryAt` (the provider's or Kilo's own next try), whichever is later.
   * Returns the epoch ms of the next try.
   */
  noteRateLimited(provider: string, retryAt?: number): number {
    const state = this.state(provider);
    state.streak += 1;
    const full = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** Math.min(30, state.streak - 1));
    // Equal jitter: at least half the delay, so a retry never comes at once, spread over the rest.
    const delay = full / 2 + this.random() * (full / 2);
    const now = this.clock.now();
    state.blockedUntil = Math.max(state.blockedUntil, now + delay, retryAt !== undefined && Number.isFinite(retryAt) ? Math.min(retryAt, now + this.backoff.maxMs) : 0);
    this.pump(provider);
    return state.blockedUntil;
  }

  /** A request to the provider went through: the next 429 starts the backoff from its base again. */
  noteSuccess(provider: string): void {
    this.state(provider).streak = 0;
  }

  /** Epoch ms before which the provider takes no request (0 when it is not backing off). */
  blockedUntil(provider: string): number {
    const state = this.providers.get(provider);
    return state && state.blockedUntil > this.clock.now() ? state.blockedUntil : 0;
  }

  /** Requests running now and waiting, per provider (for reports and tests). */
  load(provider: string): { active: number; waiting: number } {
    const state = this.providers.get(provider);
    return { active: state?.active ?? 0, waiting: state?.waiters.length ?? 0 };
  }

  /** Cancels the wake-up timers (the run is over); waiters are ended by their own signals. */
  dispose(): void {
    for (const state of this.providers.values()) this.clearTimer(state);
  }

  private state(provider: string): ProviderState {
    let state = this.providers.get(provider);
    if (!state) {
      state = { limit: this.limitOf(provider), active: 0, started: [], blockedUntil: 0, streak: 0, waiters: [] };
      this.providers.set(provider, state);
    }
    return state;
  }

  /** Grants slots to the head of the queue while the provider allows; otherwise waits for the next change. */
  private pump(provider: string): void {
    const state = this.state(provider);
    for (;;) {
      const head = state.waiters[0];
      if (!head) return this.clearTimer(state);
      const now = this.clock.now();
      while (state.started.length > 0 && state.started[0]! <= now - WINDOW_MS) state.started.shift();
      const wait = this.whyWait(provider, state, now);
      if (wait) {
        for (const waiter of state.waiters) this.tell(waiter, wait);
        if (wait.nextTryAt !== undefined) this.wakeAt(provider, state, wait.nextTryAt);
        return;
      }
      state.waiters.shift();
      state.active += 1;
      state.started.push(now);
      let released = false;
      head.grant({
        provider,
        release: () => {
          if (released) return;
          released = true;
          state.active -= 1;
          this.pump(provider);
        },
      });
    }
  }

  private whyWait(provider: string, state: ProviderState, now: number): SlotWait | undefined {
    if (state.blockedUntil > now) return { provider, reason: 'rate-limit', nextTryAt: state.blockedUntil };
    if (state.started.length >= state.limit.requestsPerMinute) return { provider, reason: 'requests-per-minute', nextTryAt: state.started[0]! + WINDOW_MS };
    if (state.active >= state.limit.maxConcurrent) return { provider, reason: 'concurrency' };
    return undefined;
  }

  private tell(waiter: Waiter, wait: SlotWait): void {
    const key = `${wait.reason}:${wait.nextTryAt ?? ''}`;
    if (waiter.told === key) return;
    waiter.told = key;
    try {
      waiter.onWait?.(wait);
    } catch {
      // What a person sees is not worth stopping the queue for.
    }
  }

  private wakeAt(provider: string, state: ProviderState, at: number): void {
    if (state.timerAt !== undefined && state.timerAt <= at && state.cancelTimer) return;
    this.clearTimer(state);
    state.timerAt = at;
    state.cancelTimer = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => {
      state.cancelTimer = undefined;
      state.timerAt = undefined;
      this.pump(provider);
    });
  }

  private clearTimer(state: ProviderState): void {
    state.cancelTimer?.();
    state.cancelTimer = undefined;
    state.timerAt = undefined;
  }
}
