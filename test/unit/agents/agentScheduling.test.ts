import { describe, expect, it } from 'vitest';
import { AgentPool } from '../../../extension/engine/agents/agentPool';
import type { AgentRecord } from '../../../extension/engine/agents/agentSchema';
import { MAX_RATE_LIMIT_WAITS } from '../../../extension/engine/agents/agentWorker';
import { ProviderScheduler } from '../../../extension/engine/agents/providerScheduler';
import type { Profile } from '../../../extension/engine/roles/roleSchema';
import { MessageRouter } from '../../../extension/engine/routing/messageRouter';
import { ORGANISER_ADDRESS, type RouterMessage } from '../../../extension/engine/routing/messageSchema';
import { OrchestraError } from '../../../extension/engine/util/errors';
import { FakeBackend, aResolvedRole, aWorkRequest } from '../fakes/fakeBackend';
import { FakeClock } from './fakeClock';

const SPARE: Profile = { id: 'spare', label: 'Spare model', providerID: 'openai', modelID: 'gpt-x' };

/** A pool whose agents all talk to provider "fake" through a scheduler on a fake clock. */
function aScheduledPool(limits: Record<string, { maxConcurrent?: number; requestsPerMinute?: number }> = {}) {
  const backend = new FakeBackend();
  const router = new MessageRouter();
  router.register(ORGANISER_ADDRESS);
  const clock = new FakeClock();
  const scheduler = new ProviderScheduler({ limits, clock, random: () => 0, backoff: { baseMs: 2000, maxMs: 60_000 } });
  const pool = new AgentPool({
    backend,
    router,
    workspace: '/workspace',
    maxActive: 4,
    resolveRole: aResolvedRole,
    resolveProfile: (id) => (id === SPARE.id ? SPARE : undefined),
    scheduler,
  });
  const seen: AgentRecord[] = [];
  pool.events.on('agent:statusChanged', (agent) => seen.push(agent));
  const dispatch = (agentId: string, workId: string): RouterMessage =>
    router.send({
      from: ORGANISER_ADDRESS,
      to: agentId,
      messageType: 'request',
      correlationId: workId,
      payload: { content: `do ${workId}`, metadata: { work: aWorkRequest({ workId }), step: `implementing ${workId}` } },
    });
  return { backend, router, clock, scheduler, pool, seen, dispatch, answer: () => router.next(ORGANISER_ADDRESS) };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const rateLimited = () => new OrchestraError('rate-limited', 'fake: 429 Too Many Requests', { retryable: true });

describe('AgentPool under the provider scheduler', () => {
  it('waits out a 429 in the scheduler and runs the same work again: the requester hears only the success', async () => {
    const { backend, clock, pool, seen, dispatch, answer } = aScheduledPool();
    await pool.ensureAgent('secondary-coder', 1);
    dispatch('secondary-coder-1', 'w1');
    const [first] = await backend.waitForRuns(1);
    first!.reject(rateLimited());
    await tick();
    expect(pool.get('secondary-coder-1')).toMatchObject({ status: 'waiting-rate-limit', currentStep: 'waiting on rate limit (fake, next try in 1 s)', currentWorkId: 'w1' });
    expect(backend.runs).toHaveLength(1);
    clock.advance(1000);
    const runs = await backend.waitForRuns(2);
    expect(pool.get('secondary-coder-1')).toMatchObject({ status: 'working', currentStep: 'implementing w1' });
    runs[1]!.resolve();
    const reply = await answer();
    expect([reply.messageType, reply.correlationId]).toEqual(['artifact', 'w1']);
    expect(pool.get('secondary-coder-1')!.lastError).toBeUndefined();
    expect(seen.map((agent) => agent.status)).toContain('waiting-rate-limit');
  });

  it('a 429 holds back the other agents on the same provider until the backoff is over', async () => {
    const { backend, clock, pool, dispatch } = aScheduledPool();
    await pool.ensureAgent('secondary-coder', 1);
    await pool.ensureAgent('secondary-coder', 2);
    dispatch('secondary-coder-1', 'w1');
    const [first] = await backend.waitForRuns(1);
    first!.reject(rateLimited());
    await tick();
    dispatch('secondary-coder-2', 'w2');
    await tick();
    expect(backend.runs).toHaveLength(1);
    expect(pool.get('secondary-coder-2')).toMatchObject({ status: 'waiting-rate-limit', currentStep: 'waiting on rate limit (fake, next try in 1 s)' });
    clock.advance(1000);
    await backend.waitForRuns(3);
    expect(backend.runs.map((run) => run.request.workId).sort()).toEqual(['w1', 'w1', 'w2']);
  });

  it(`gives up after ${MAX_RATE_LIMIT_WAITS} waits and reports the rate limit as the work's failure`, async () => {
    const { backend, clock, pool, dispatch, answer } = aScheduledPool();
    await pool.ensureAgent('architect', 1);
    dispatch('architect-1', 'p1');
    for (let run = 1; run <= MAX_RATE_LIMIT_WAITS + 1; run++) {
      const runs = await backend.waitForRuns(run);
      runs[run - 1]!.reject(rateLimited());
      await tick();
      clock.advance(60_000);
    }
    const reply = await answer();
    expect(reply.payload.metadata.error).toMatchObject({ reason: 'rate-limited', retryable: true });
    expect(backend.runs).toHaveLength(MAX_RATE_LIMIT_WAITS + 1);
  });

  it('a Kilo retry after a 503 shows a provider error, never a rate limit, and the step comes back after', async () => {
    const { backend, scheduler, pool, dispatch } = aScheduledPool();
    await pool.ensureAgent('architect', 1);
    dispatch('architect-1', 'p1');
    const [run] = await backend.waitForRuns(1);
    const next = scheduler.now() + 4000;
    run!.emit({ type: 'retry', attempt: 1, nextAttemptAt: next, message: '503 Service Unavailable', cause: 'server-error' });
    expect(pool.get('architect-1')).toMatchObject({ status: 'working', currentStep: 'waiting: provider error 503 (fake, next try in 4 s)' });
    expect(scheduler.blockedUntil('fake')).toBe(0);
    run!.emit({ type: 'retry', attempt: 2, nextAttemptAt: next, message: 'fetch failed: ECONNRESET' });
    expect(pool.get('architect-1')!.currentStep).toBe('waiting: network error (fake, next try in 4 s)');
    run!.emit({ type: 'progress', message: 'thinking' });
    expect(pool.get('architect-1')).toMatchObject({ status: 'working', currentStep: 'implementing p1' });
  });

  it('a Kilo retry after a 429 shows the rate limit with the provider and pushes the provider’s next slot back', async () => {
    const { backend, scheduler, pool, dispatch } = aScheduledPool();
    await pool.ensureAgent('architect', 1);
    dispatch('architect-1', 'p1');
    const [run] = await backend.waitForRuns(1);
    const next = scheduler.now() + 9000;
    run!.emit({ type: 'retry', attempt: 1, nextAttemptAt: next, message: 'Too Many Requests', provider: 'anthropic' });
    expect(pool.get('architect-1')).toMatchObject({ status: 'waiting-rate-limit', currentStep: 'waiting on rate limit (anthropic, next try in 9 s)' });
    expect(scheduler.blockedUntil('anthropic')).toBe(next);
  });
});

describe('AgentPool moving an agent to another profile', () => {
  it('opens a session on the new profile before the next turn, closes the old one, and keeps the agent id and queue', async () => {
    const { backend, pool, dispatch, answer } = aScheduledPool();
    await pool.ensureAgent('secondary-coder', 1);
    dispatch('secondary-coder-1', 'w1');
    const [first] = await backend.waitForRuns(1);
    // Asked while w1 runs: w1 finishes on the old session.
    const moved = await pool.ensureAgent('secondary-coder', 1, SPARE.id);
    expect(moved.profileId).toBe('secondary-coder-profile');
    dispatch('secondary-coder-1', 'w2');
    first!.resolve();
    await answer();
    const runs = await backend.waitForRuns(2);
    expect(backend.sessions.map((session) => [session.spec.profile.id, session.closed])).toEqual([
      ['secondary-coder-profile', true],
      ['spare', false],
    ]);
    expect(runs[1]!.request.workId).toBe('w2');
    expect(pool.get('secondary-coder-1')).toMatchObject({ profileId: 'spare', sessionId: 'session-2' });
  });

  it('a new agent asked for on another profile starts there; an unknown profile fails the start', async () => {
    const { backend, pool } = aScheduledPool();
    expect((await pool.ensureAgent('debugger', 1, SPARE.id)).profileId).toBe('spare');
    expect(backend.session('debugger-1')!.spec.profile).toEqual(SPARE);
    await expect(pool.ensureAgent('debugger', 2, 'nowhere')).rejects.toMatchObject({ reason: 'invalid-config' });
  });
});
