import { describe, expect, it, vi } from 'vitest';
import type { AgentRecord } from '../../../extension/engine/agents/agentSchema';
import { OrchestraError } from '../../../extension/engine/util/errors';
import { aReply } from '../fakes/fakeBackend';
import { aPool } from './poolHarness';

describe('AgentPool creating agents', () => {
  it('concurrent ensureAgent calls for one id share a single session and creation', async () => {
    const { pool, backend, router } = aPool();
    const created = vi.fn();
    pool.events.on('agent:created', created);
    const [first, second] = await Promise.all([pool.ensureAgent('architect', 1), pool.ensureAgent('architect', 1)]);
    expect(first).toEqual(second);
    expect(backend.startCalls).toBe(1);
    expect(created).toHaveBeenCalledTimes(1);
    expect(await pool.ensureAgent('architect', 1)).toEqual(first);
    expect(backend.startCalls).toBe(1);
    expect(router.isRegistered('architect-1')).toBe(true);
  });

  it('opens the session with the role, its profile and the workspace, and records the session id', async () => {
    const { pool, backend } = aPool();
    const record = await pool.ensureAgent('secondary-coder', 2);
    expect(record).toMatchObject({ id: 'secondary-coder-2', role: 'secondary-coder', instance: 2, profileId: 'secondary-coder-profile', status: 'idle', turns: 0, sessionId: 'session-1' });
    expect(backend.session('secondary-coder-2')?.spec).toMatchObject({ agentId: 'secondary-coder-2', workspace: '/workspace', role: { id: 'secondary-coder' } });
  });

  it('a failed session start rejects as backend-failed and a later call tries again', async () => {
    const { pool, backend, router } = aPool();
    backend.failStart = new Error('connection refused');
    await expect(pool.ensureAgent('architect', 1)).rejects.toMatchObject({ reason: 'backend-failed', retryable: true });
    expect(router.isRegistered('architect-1')).toBe(false);
    backend.failStart = undefined;
    await expect(pool.ensureAgent('architect', 1)).resolves.toMatchObject({ id: 'architect-1' });
  });
});

describe('AgentPool running work', () => {
  it('never runs more than maxActive agents at once across the pool', async () => {
    const { pool, backend, dispatch, answer } = aPool({ maxActive: 2 });
    for (let i = 1; i <= 5; i += 1) await pool.ensureAgent('secondary-coder', i);
    for (let i = 1; i <= 5; i += 1) dispatch(`secondary-coder-${i}`, `w${i}`);

    const answered: string[] = [];
    for (let finished = 0; finished < 5; finished += 1) {
      const runs = await backend.waitForRuns(Math.min(finished + 2, 5));
      expect(backend.running).toBeLessThanOrEqual(2);
      expect(pool.activeCount()).toBeLessThanOrEqual(2);
      runs[finished]!.resolve();
      answered.push((await answer()).correlationId);
    }
    expect(answered.sort()).toEqual(['w1', 'w2', 'w3', 'w4', 'w5']);
    expect(backend.maxRunning).toBe(2);
    expect(pool.maxActiveObserved).toBe(2);
  });

  it('takes one agent’s requests one at a time, in FIFO order', async () => {
    const { pool, backend, dispatch, answer } = aPool();
    await pool.ensureAgent('secondary-coder', 1);
    for (const id of ['w1', 'w2', 'w3']) dispatch('secondary-coder-1', id);

    const order: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const runs = await backend.waitForRuns(i + 1);
      expect(runs).toHaveLength(i + 1);
      order.push(runs[i]!.request.workId);
      runs[i]!.resolve();
      expect((await answer()).correlationId).toBe(runs[i]!.request.workId);
    }
    expect(order).toEqual(['w1', 'w2', 'w3']);
  });

  it('shows the current work and step while working, and answers with an artifact message carrying the reply', async () => {
    const { pool, backend, dispatch, answer } = aPool();
    await pool.ensureAgent('secondary-coder', 1);
    dispatch('secondary-coder-1', 'w1', {}, { step: 'implementing src/a.ts' });
    const [run] = await backend.waitForRuns(1);
    expect(pool.get('secondary-coder-1')).toMatchObject({ status: 'working', currentWorkId: 'w1', currentStep: 'implementing src/a.ts' });

    const reply = run!.resolve(aReply({ changedFiles: ['src/a.ts'] }));
    const message = await answer();
    expect(message).toMatchObject({ from: 'secondary-coder-1', to: 'organiser', messageType: 'artifact', correlationId: 'w1' });
    expect(message.payload.metadata).toEqual({ reply, workId: 'w1' });
    const record = pool.get('secondary-coder-1')!;
    expect(record).toMatchObject({ status: 'idle', turns: 1 });
    expect(record.currentWorkId).toBeUndefined();
    expect(record.currentStep).toBeUndefined();
  });

  it('answers review work with a review message', async () => {
    const { pool, backend, dispatch, answer } = aPool();
    await pool.ensureAgent('code-sceptic', 1);
    dispatch('code-sceptic-1', 'r1', { kind: 'review-code' });
    (await backend.waitForRuns(1))[0]!.resolve();
    expect((await answer()).messageType).toBe('review');
  });

  it('turns a backend error into a status message with its reason, and records the error', async () => {
    const { pool, backend, dispatch, answer } = aPool();
    await pool.ensureAgent('architect', 1);
    dispatch('architect-1', 'p1');
    (await backend.waitForRuns(1))[0]!.reject(new OrchestraError('invalid-output', 'the envelope was not JSON', { retryable: true }));
    const message = await answer();
    expect(message).toMatchObject({ messageType: 'status', correlationId: 'p1' });
    expect(message.payload.metadata).toEqual({ workId: 'p1', error: { reason: 'invalid-output', message: 'the envelope was not JSON', retryable: true } });
    expect(pool.get('architect-1')).toMatchObject({ status: 'idle', turns: 0, lastError: 'the envelope was not JSON' });
  });

  it('reports an unexplained backend error as a retryable backend-failed', async () => {
    const { pool, backend, dispatch, answer } = aPool();
    await pool.ensureAgent('architect', 1);
    dispatch('architect-1', 'p1');
    (await backend.waitForRuns(1))[0]!.reject(new Error('socket hang up'));
    expect((await answer()).payload.metadata.error).toEqual({ reason: 'backend-failed', message: 'socket hang up', retryable: true });
  });

  it('answers a backend reply that is not a valid reply with a retryable failure, and keeps taking work', async () => {
    const { pool, backend, dispatch, answer } = aPool();
    await pool.ensureAgent('architect', 1);
    dispatch('architect-1', 'p1');
    (await backend.waitForRuns(1))[0]!.resolve({ output: {}, changedFiles: [42], usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } } as never);
    const failed = await answer();
    expect(failed.messageType).toBe('status');
    expect(failed.payload.metadata.error).toMatchObject({ reason: 'invalid-output', retryable: true, message: expect.stringContaining('changedFiles.0') });
    dispatch('architect-1', 'p2');
    (await backend.waitForRuns(2))[1]!.resolve();
    expect((await answer()).correlationId).toBe('p2');
  });

  it('a listener that throws is reported on pool:error and the work still gets its answer', async () => {
    const { pool, backend, dispatch, answer, errors } = aPool();
    pool.events.on('agent:workStarted', () => {
      throw new Error('panel crashed');
    });
    await pool.ensureAgent('architect', 1);
    dispatch('architect-1', 'p1');
    (await backend.waitForRuns(1))[0]!.resolve();
    expect((await answer()).messageType).toBe('artifact');
    expect(errors).toEqual([expect.objectContaining({ message: 'panel crashed' })]);
  });
});

describe('AgentPool backend events', () => {
  it('retry events show waiting-rate-limit until the next other event', async () => {
    const { pool, backend, dispatch } = aPool();
    await pool.ensureAgent('architect', 1);
    dispatch('architect-1', 'p1');
    const [run] = await backend.waitForRuns(1);
    run!.emit({ type: 'retry', attempt: 1, nextAttemptAt: 5000, message: '429 Too Many Requests' });
    expect(pool.get('architect-1')!.status).toBe('waiting-rate-limit');
    run!.emit({ type: 'progress', message: 'thinking' });
    expect(pool.get('architect-1')!.status).toBe('working');
  });

  it('usage events add up, the reply adds only what they did not report, and agent:usage carries each delta', async () => {
    const { pool, backend, dispatch, answer } = aPool();
    const deltas: number[] = [];
    pool.events.on('agent:usage', (_agent, delta) => deltas.push(delta.inputTokens));
    await pool.ensureAgent('architect', 1);
    dispatch('architect-1', 'p1');
    dispatch('architect-1', 'p2');
    const [first] = await backend.waitForRuns(1);
    first!.emit({ type: 'usage', usage: { inputTokens: 100, outputTokens: 20, costUsd: 0.01 } });
    first!.emit({ type: 'usage', usage: { inputTokens: 50, outputTokens: 10, costUsd: 0.005 } });
    expect(pool.get('architect-1')!.tokens).toEqual({ input: 150, output: 30 });
    first!.resolve({ usage: { inputTokens: 150, outputTokens: 30, costUsd: 0.015 } });
    await answer();
    expect(pool.get('architect-1')!.tokens).toEqual({ input: 150, output: 30 });

    (await backend.waitForRuns(2))[1]!.resolve({ usage: { inputTokens: 7, outputTokens: 3, costUsd: 0.5 } });
    await answer();
    const record = pool.get('architect-1')!;
    expect(record.tokens).toEqual({ input: 157, output: 33 });
    expect(record.costUsd).toBeCloseTo(0.515);
    expect(deltas).toEqual([100, 50, 7]);
  });

  it('every backend event is a heartbeat, and working agents without one for too long are stale', async () => {
    let now = 1_000;
    const { pool, backend, dispatch } = aPool({ now: () => now });
    await pool.ensureAgent('architect', 1);
    await pool.ensureAgent('debugger', 1);
    dispatch('architect-1', 'p1');
    const [run] = await backend.waitForRuns(1);
    expect(pool.get('architect-1')!.lastHeartbeat).toBe(1_000);

    now = 5_000;
    run!.emit({ type: 'status', status: 'busy' });
    expect(pool.get('architect-1')!.lastHeartbeat).toBe(5_000);
    now = 15_000;
    expect(pool.staleAgents(10_000)).toEqual([]);
    now = 15_001;
    expect(pool.staleAgents(10_000).map((agent: AgentRecord) => agent.id)).toEqual(['architect-1']);
    run!.emit({ type: 'progress', message: 'still here' });
    expect(pool.staleAgents(10_000)).toEqual([]);
  });

  it('list and get hand out copies that cannot change the pool', async () => {
    const { pool } = aPool();
    await pool.ensureAgent('architect', 1);
    const [listed] = pool.list();
    listed!.status = 'done';
    listed!.tokens.input = 99;
    expect(pool.get('architect-1')).toMatchObject({ status: 'idle', tokens: { input: 0, output: 0 } });
  });
});
