import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BackendEvent } from '../../../extension/engine/backends/agentBackend';
import type { OrchestraError } from '../../../extension/engine/util/errors';
import type { KiloNetworkWait } from '../../../extension/kilo/kiloHttp';
import { NETWORK_RETRIES_PER_TURN, TurnGuard } from '../../../extension/kilo/kiloTurnGuard';

const STALL_MS = 90_000;

/** A guard on a fake Kilo: every answer to a network wait and every pending wait Kilo would list. */
function aGuard(pending: KiloNetworkWait[] = []) {
  const events: BackendEvent[] = [];
  const failures: OrchestraError[] = [];
  const answers: string[] = [];
  const guard = new TurnGuard({
    agentId: 'coder-1',
    sessionId: 'ses_1',
    stallMs: STALL_MS,
    http: {
      networkWaits: async () => pending,
      answerNetworkWait: async (id, answer) => void answers.push(`${answer} ${id}`),
    },
    networkRetryDelayMs: (attempt) => attempt * 1000,
    onEvent: (event) => events.push(event),
    fail: (error) => failures.push(error),
  });
  return { guard, events, failures, answers };
}

describe('TurnGuard', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports a quiet turn stalled after stallMs, then ends it retryably after as long again', async () => {
    const { guard, events, failures } = aGuard();
    guard.start();
    await vi.advanceTimersByTimeAsync(STALL_MS - 1);
    expect(events).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(events).toEqual([{ type: 'stalled', quietMs: STALL_MS, message: 'coder-1 has shown no progress for 90 s' }]);
    expect(failures).toEqual([]);
    await vi.advanceTimersByTimeAsync(STALL_MS);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ reason: 'backend-failed', retryable: true, message: 'coder-1 stalled: no progress from Kilo for 180 s; the work is tried again.' });
    guard.dispose();
  });

  it('counts the quiet from the last sign of life, and a stalled turn that comes back is not ended', async () => {
    const { guard, events, failures } = aGuard();
    guard.start();
    await vi.advanceTimersByTimeAsync(60_000);
    guard.activity();
    await vi.advanceTimersByTimeAsync(STALL_MS - 1);
    expect(events).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(events.map((e) => e.type)).toEqual(['stalled']);
    guard.activity();
    await vi.advanceTimersByTimeAsync(STALL_MS - 1);
    expect(failures).toEqual([]);
    expect(events).toHaveLength(1);
    guard.dispose();
  });

  it('does not count a retry wait Kilo announced as quiet', async () => {
    const { guard, events } = aGuard();
    guard.start();
    guard.retryAt(Date.now() + 5 * 60_000);
    await vi.advanceTimersByTimeAsync(5 * 60_000 + STALL_MS - 1);
    expect(events).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(events.map((e) => e.type)).toEqual(['stalled']);
    guard.dispose();
  });

  it('does not count the time a tool runs as quiet, and counts again once it has finished', async () => {
    const { guard, events } = aGuard();
    guard.start();
    guard.toolState('call_1', 'running');
    await vi.advanceTimersByTimeAsync(5 * STALL_MS);
    expect(events).toEqual([]);
    guard.toolState('call_1', 'completed');
    guard.activity();
    await vi.advanceTimersByTimeAsync(STALL_MS);
    expect(events.map((e) => e.type)).toEqual(['stalled']);
    guard.dispose();
  });

  it('answers a network wait with a reply after its backoff, once, however often Kilo names it', async () => {
    const { guard, events, answers } = aGuard();
    guard.start();
    const before = Date.now();
    guard.networkWait('que_1', 'Connection reset by server');
    guard.networkWait('que_1', 'Connection reset by server');
    expect(events).toEqual([{ type: 'retry', attempt: 1, nextAttemptAt: before + 1000, message: 'Kilo lost the connection to the model (Connection reset by server); trying again', cause: 'network' }]);
    await vi.advanceTimersByTimeAsync(999);
    expect(answers).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(answers).toEqual(['reply que_1']);
    guard.dispose();
  });

  it(`rejects the wait after ${NETWORK_RETRIES_PER_TURN} retries in one turn and ends the turn retryably`, async () => {
    const { guard, failures, answers } = aGuard();
    guard.start();
    for (let attempt = 1; attempt <= NETWORK_RETRIES_PER_TURN; attempt += 1) {
      guard.networkWait(`que_${attempt}`, 'Request timed out');
      await vi.advanceTimersByTimeAsync(attempt * 1000);
    }
    expect(failures).toEqual([]);
    guard.networkWait('que_last', 'Request timed out');
    await vi.advanceTimersByTimeAsync(0);
    expect(answers).toEqual(['reply que_1', 'reply que_2', 'reply que_3', 'reject que_last']);
    expect(failures[0]).toMatchObject({ reason: 'backend-failed', retryable: true });
    expect(failures[0]?.message).toContain('could not be reached 4 times in one turn (Request timed out)');
    guard.dispose();
  });

  it('on a stall, answers a network wait it missed (asked while the event stream was down)', async () => {
    const { guard, answers } = aGuard([
      { id: 'que_other', sessionID: 'ses_2', message: 'x' },
      { id: 'que_missed', sessionID: 'ses_1', message: 'Connection reset by server' },
    ]);
    guard.start();
    await vi.advanceTimersByTimeAsync(STALL_MS + 1000);
    expect(answers).toEqual(['reply que_missed']);
    guard.dispose();
  });

  it('does nothing once disposed: no stall, no late reply', async () => {
    const { guard, events, failures, answers } = aGuard();
    guard.start();
    guard.networkWait('que_1', 'reset');
    guard.dispose();
    await vi.advanceTimersByTimeAsync(10 * STALL_MS);
    expect(events.map((e) => e.type)).toEqual(['retry']);
    expect(failures).toEqual([]);
    expect(answers).toEqual([]);
  });
});
