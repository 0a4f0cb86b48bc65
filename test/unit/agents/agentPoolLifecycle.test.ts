import { describe, expect, it } from 'vitest';
import type { RouterMessage } from '../../../extension/engine/routing/messageSchema';
import { FakeBackend } from '../fakes/fakeBackend';
import { aPool } from './poolHarness';
import { thrown } from '../support/errors';

function abortedIds(messages: RouterMessage[]): string[] {
  for (const message of messages) {
    expect(message).toMatchObject({ messageType: 'status', payload: { metadata: { aborted: true } } });
  }
  return messages.map((message) => message.payload.metadata.workId as string).sort();
}


describe('AgentPool pause and resume', () => {
  it('pauseAll aborts running work and queued requests and answers each one aborted', async () => {
    const { pool, backend, router, dispatch, answers } = aPool();
    await pool.ensureAgent('secondary-coder', 1);
    await pool.ensureAgent('secondary-coder', 2);
    dispatch('secondary-coder-1', 'w1');
    dispatch('secondary-coder-1', 'w2');
    dispatch('secondary-coder-1', 'w3');
    dispatch('secondary-coder-2', 'w4');
    const runs = await backend.waitForRuns(2);

    pool.pauseAll();
    expect(pool.list().map((agent) => agent.status)).toEqual(['paused', 'paused']);
    expect(runs.every((run) => run.signal.aborted)).toBe(true);
    expect(router.queueLength('secondary-coder-1')).toBe(0);
    expect(abortedIds(await answers(4))).toEqual(['w1', 'w2', 'w3', 'w4']);
    expect(pool.list().map((agent) => agent.status)).toEqual(['paused', 'paused']);
    expect(backend.runs).toHaveLength(2);
  });

  it('work sent while paused waits, and resumeAll runs it', async () => {
    const { pool, backend, router, dispatch, answer } = aPool();
    await pool.ensureAgent('architect', 1);
    pool.pauseAll();
    dispatch('architect-1', 'p1');
    // Nothing took it: a waiting loop would have received it at once.
    expect(router.queueLength('architect-1')).toBe(1);

    pool.resumeAll();
    expect(pool.get('architect-1')!.status).toBe('idle');
    const [run] = await backend.waitForRuns(1);
    expect(run!.request.workId).toBe('p1');
    run!.resolve();
    expect((await answer()).messageType).toBe('artifact');
  });

  it('agents created while paused start paused', async () => {
    const { pool } = aPool();
    pool.pauseAll();
    expect((await pool.ensureAgent('architect', 1)).status).toBe('paused');
  });

  it('the requester hears aborted even when the backend finishes after the abort', async () => {
    const { pool, backend, dispatch, answer } = aPool({ backend: new FakeBackend({ honourAbort: false }) });
    await pool.ensureAgent('architect', 1);
    dispatch('architect-1', 'p1');
    const [run] = await backend.waitForRuns(1);
    pool.pauseAll();
    run!.resolve();
    expect(abortedIds([await answer()])).toEqual(['p1']);
    expect(pool.get('architect-1')!.turns).toBe(0);
  });
});

describe('AgentPool aborting work', () => {
  it('abortWork on a queued item answers it aborted and the agent skips it', async () => {
    const { pool, backend, dispatch, answer } = aPool();
    await pool.ensureAgent('secondary-coder', 1);
    dispatch('secondary-coder-1', 'w1');
    dispatch('secondary-coder-1', 'w2');
    dispatch('secondary-coder-1', 'w3');
    const [first] = await backend.waitForRuns(1);

    expect(pool.abortWork(['w2'])).toEqual(['w2']);
    expect(abortedIds([await answer()])).toEqual(['w2']);
    first!.resolve();
    expect((await answer()).correlationId).toBe('w1');
    const runs = await backend.waitForRuns(2);
    expect(runs.map((run) => run.request.workId)).toEqual(['w1', 'w3']);
  });

  it('abortWork on running work aborts its signal, answers aborted and leaves the agent idle', async () => {
    const { pool, backend, dispatch, answer } = aPool();
    await pool.ensureAgent('secondary-coder', 1);
    dispatch('secondary-coder-1', 'w1');
    const [run] = await backend.waitForRuns(1);
    expect(pool.abortWork(['w1', 'unknown'])).toEqual(['w1']);
    expect(run!.signal.aborted).toBe(true);
    expect(abortedIds([await answer()])).toEqual(['w1']);
    expect(pool.get('secondary-coder-1')).toMatchObject({ status: 'idle' });
    expect(pool.get('secondary-coder-1')!.lastError).toBeUndefined();
  });

  it('abortWork on work handed to the loop but not yet started still answers it aborted', async () => {
    const { pool, backend, dispatch, answer } = aPool();
    await pool.ensureAgent('secondary-coder', 1);
    dispatch('secondary-coder-1', 'w1');
    pool.abortWork(['w1']);
    expect(abortedIds([await answer()])).toEqual(['w1']);
    expect(backend.runs).toHaveLength(0);
  });
});

describe('AgentPool terminating', () => {
  it('terminate aborts the work, closes the session and the mailbox, and the agent cannot come back', async () => {
    const { pool, backend, dispatch, answers } = aPool();
    await pool.ensureAgent('debugger', 1);
    dispatch('debugger-1', 't1');
    dispatch('debugger-1', 't2');
    await backend.waitForRuns(1);

    await pool.terminate('debugger-1');
    expect(backend.session('debugger-1')!.closed).toBe(true);
    expect(pool.get('debugger-1')!.status).toBe('terminated');
    expect(abortedIds(await answers(2))).toEqual(['t1', 't2']);
    expect(pool.get('debugger-1')!.status).toBe('terminated');
    expect(thrown(() => dispatch('debugger-1', 't3')).reason).toBe('recipient-terminated');
    await expect(pool.ensureAgent('debugger', 1)).rejects.toMatchObject({ reason: 'recipient-terminated' });
  });

  it('sending to an agent that was never created throws unknown-recipient', () => {
    const { dispatch } = aPool();
    expect(thrown(() => dispatch('ghost-1', 'w1')).reason).toBe('unknown-recipient');
  });

  it('terminateAll closes every session and refuses new agents', async () => {
    const { pool, backend } = aPool();
    await pool.ensureAgent('architect', 1);
    await pool.ensureAgent('debugger', 1);
    await pool.terminateAll();
    expect(backend.sessions.map((session) => session.closed)).toEqual([true, true]);
    expect(pool.list().every((agent) => agent.status === 'terminated')).toBe(true);
    await expect(pool.ensureAgent('architect', 2)).rejects.toMatchObject({ reason: 'recipient-terminated' });
  });

  it('terminating a finished agent closes its session but keeps it shown as done', async () => {
    const { pool, backend } = aPool();
    await pool.ensureAgent('architect', 1);
    await pool.ensureAgent('debugger', 1);
    pool.markDone('architect-1');
    await pool.terminateAll();
    expect(backend.sessions.map((session) => session.closed)).toEqual([true, true]);
    expect(pool.get('architect-1')!.status).toBe('done');
    expect(pool.get('debugger-1')!.status).toBe('terminated');
  });

  it('setAttention and markDone show on the record, and attention survives the end of a run', async () => {
    const { pool, backend, dispatch, answer } = aPool();
    await pool.ensureAgent('architect', 1);
    dispatch('architect-1', 'p1');
    const [run] = await backend.waitForRuns(1);
    pool.setAttention('architect-1', 'failed three times');
    run!.resolve();
    await answer();
    expect(pool.get('architect-1')).toMatchObject({ status: 'needs-attention', lastError: 'failed three times' });
    pool.markDone('architect-1');
    expect(pool.get('architect-1')!.status).toBe('done');
    expect(thrown(() => pool.markDone('ghost-1')).reason).toBe('not-found');
  });
});
