import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BackendEvent } from '../../../extension/engine/backends/agentBackend';
import { builtinRole } from '../../../extension/engine/roles/builtinRoles';
import { OrchestraError } from '../../../extension/engine/util/errors';
import { aHarness, aRequest, readIn, rejection, runRecorded } from './simulatedHarness';

afterEach(() => {
  vi.useRealTimers();
});

describe('SimulatedBackend writes', () => {
  it('writes a pseudocode scaffold for every file of a structure batch and reports them as changed', async () => {
    const h = aHarness();
    const session = await h.session('primary-coder');
    const files = ['src/module01.ts', 'src/module02.ts', 'src/nested/deep/module03.ts'];
    const { reply, events } = await runRecorded(session, aRequest('structure').forBatch(files).build());
    expect(reply.changedFiles).toEqual(files);
    for (const file of files) expect(readIn(h.workspace, file)).toMatch(/PSEUDOCODE/);
    expect(events.filter((e) => e.type === 'file')).toEqual(files.map((file) => ({ type: 'file', path: file })));
  });

  it('writes the implementation of the one file an implement request names', async () => {
    const h = aHarness();
    const session = await h.session('secondary-coder');
    const { reply } = await runRecorded(session, aRequest('implement').forFile('src/module02.ts').build());
    expect(reply.changedFiles).toEqual(['src/module02.ts']);
    expect(readIn(h.workspace, 'src/module02.ts')).toContain('export function runModule02');
    expect(readIn(h.workspace, 'src/module02.ts')).not.toContain('PSEUDOCODE');
  });

  it('refuses a batch with a file outside the grant and writes none of it', async () => {
    const h = aHarness();
    const session = await h.session('primary-coder');
    const request = aRequest('structure').withDetail({ files: ['src/module01.ts', 'src/secret.ts'] }).granting(['src/module01.ts']).build();
    const error = await rejection(session.run(request, new AbortController().signal, () => {}));
    expect(error).toMatchObject({ reason: 'grant-violation', message: expect.stringContaining('src/secret.ts') });
    expect(fs.readdirSync(h.workspace)).toEqual([]);
  });

  it('refuses a path that leaves the workspace even when it is granted', async () => {
    const h = aHarness();
    const session = await h.session('secondary-coder');
    const error = await rejection(session.run(aRequest('implement').forFile('../escape.ts').build(), new AbortController().signal, () => {}));
    expect(error).toMatchObject({ reason: 'unsafe-path' });
    expect(fs.existsSync(path.join(path.dirname(h.workspace), 'escape.ts'))).toBe(false);
    expect(fs.readdirSync(h.workspace)).toEqual([]);
  });

  it('writes nothing for an invalid-output fault', async () => {
    const h = aHarness({ failures: [{ role: 'secondary-coder', times: 1, error: 'invalid-output' }] });
    const session = await h.session('secondary-coder');
    const { reply } = await runRecorded(session, aRequest('implement').forFile('src/module01.ts').build());
    expect(reply.output).toEqual({ nonsense: true });
    expect(reply.changedFiles).toEqual([]);
    expect(readIn(h.workspace, 'src/module01.ts')).toBeUndefined();
  });
});

describe('SimulatedBackend latency and abort', () => {
  it('waits the configured latency through the injected sleep', async () => {
    const sleep = vi.fn(async () => {});
    const h = aHarness({ latencyMs: 250, sleep });
    const signal = new AbortController().signal;
    await (await h.session('architect')).run(aRequest('plan').build(), signal, () => {});
    expect(sleep).toHaveBeenCalledWith(250, signal, 'architect-1');
  });

  it('rejects with aborted and writes nothing when aborted during the latency', async () => {
    vi.useFakeTimers();
    const h = aHarness({ latencyMs: 5_000 });
    const session = await h.session('secondary-coder');
    const controller = new AbortController();
    const running = rejection(session.run(aRequest('implement').forFile('src/module01.ts').build(), controller.signal, () => {}));
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort();
    const error = await running;
    expect(error).toBeInstanceOf(OrchestraError);
    expect(error).toMatchObject({ reason: 'aborted' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(readIn(h.workspace, 'src/module01.ts')).toBeUndefined();
  });

  it('answers after the latency has passed when nobody aborts', async () => {
    vi.useFakeTimers();
    const h = aHarness({ latencyMs: 5_000 });
    const session = await h.session('secondary-coder');
    let settled = false;
    const running = session.run(aRequest('implement').forFile('src/module01.ts').build(), new AbortController().signal, () => {}).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(running).resolves.toMatchObject({ changedFiles: ['src/module01.ts'] });
  });

  it('rejects at once with aborted when the signal has already fired', async () => {
    const h = aHarness();
    const controller = new AbortController();
    controller.abort();
    const error = await rejection((await h.session('architect')).run(aRequest('plan').build(), controller.signal, () => {}));
    expect(error).toMatchObject({ reason: 'aborted' });
  });
});

describe('SimulatedBackend injected faults', () => {
  it('rejects a rate-limited request as retryable, leaving the wait to the caller (no retry event)', async () => {
    const h = aHarness({ failures: [{ role: 'architect', kind: 'plan', times: 1, error: 'rate-limited' }] });
    const session = await h.session('architect');
    const events: BackendEvent[] = [];
    const error = await rejection(session.run(aRequest('plan').build(), new AbortController().signal, (event) => events.push(event)));
    expect(error).toMatchObject({ reason: 'rate-limited', retryable: true, message: expect.stringContaining('429') });
    expect(events.find((e) => e.type === 'retry')).toBeUndefined();
    // The fault was injected once: the next try succeeds.
    await expect(runRecorded(session, aRequest('plan').build())).resolves.toBeDefined();
  });

  it('an injected server error is a retry event that says 503, then the answer', async () => {
    const h = aHarness({ failures: [{ role: 'architect', kind: 'plan', times: 1, error: 'server-error' }] });
    const session = await h.session('architect');
    const events: BackendEvent[] = [];
    await session.run(aRequest('plan').build(), new AbortController().signal, (event) => events.push(event));
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ type: 'retry', message: '503 Service Unavailable', cause: 'server-error' });
  });

  it('a seeded 429 storm answers the same requests 429 on every run', async () => {
    const outcomes = async () => {
      const h = aHarness({ rateLimitStorm: { probability: 0.3, seed: 7 } });
      const session = await h.session('architect');
      const seen: string[] = [];
      for (let i = 0; i < 20; i++) {
        seen.push(await session.run(aRequest('plan').build(), new AbortController().signal, () => undefined).then(() => 'ok', (error: { reason: string }) => error.reason));
      }
      return seen;
    };
    const first = await outcomes();
    expect(first).toEqual(await outcomes());
    expect(first.filter((o) => o === 'rate-limited').length).toBeGreaterThan(0);
    expect(new Set(first)).toEqual(new Set(['ok', 'rate-limited']));
  });

  it('rejects an injected backend failure as not retryable, as many times as asked', async () => {
    const h = aHarness({ failures: [{ role: 'debugger', times: 2, error: 'backend-failed' }] });
    const session = await h.session('debugger');
    for (let i = 0; i < 2; i++) {
      expect(await rejection(runRecorded(session, aRequest('test').build()))).toMatchObject({ reason: 'backend-failed', retryable: false });
    }
    await expect(runRecorded(session, aRequest('test').build())).resolves.toBeDefined();
  });

  it('injects a fault only into the role and kind it names', async () => {
    const h = aHarness({ failures: [{ role: 'code-sceptic', kind: 'review-code', times: 1, error: 'backend-failed' }] });
    const sceptic = await h.session('code-sceptic');
    await expect(runRecorded(sceptic, aRequest('review-plan').build())).resolves.toBeDefined();
    await expect(runRecorded(await h.session('architect'), aRequest('plan').build())).resolves.toBeDefined();
    expect(await rejection(runRecorded(sceptic, aRequest('review-code').forFile('src/module01.ts').build()))).toMatchObject({ reason: 'backend-failed' });
  });

  it('does not change the failure list it was given', async () => {
    const failures = [{ role: 'architect', times: 1, error: 'backend-failed' as const }];
    const h = aHarness({ failures });
    await rejection(runRecorded(await h.session('architect'), aRequest('plan').build()));
    expect(failures[0]!.times).toBe(1);
  });
});

describe('SimulatedBackend usage and events', () => {
  it("bills the same request by each profile's own price", async () => {
    const h = aHarness();
    const request = aRequest('plan').build();
    const expensive = await runRecorded(await h.session('architect', { cost: { input: 15, output: 75 } }), request);
    const cheap = await runRecorded(await h.session('architect', { instance: 2, cost: { input: 0.27, output: 1.1 } }), request);
    expect(expensive.reply.usage.inputTokens).toBe(cheap.reply.usage.inputTokens);
    expect(expensive.reply.usage.outputTokens).toBe(cheap.reply.usage.outputTokens);
    expect(expensive.reply.usage.costUsd).toBeGreaterThan(cheap.reply.usage.costUsd);
    expect(cheap.reply.usage.costUsd).toBeGreaterThan(0);
  });

  it('counts tokens from what was sent and answered and reports them as a usage event', async () => {
    const h = aHarness();
    const session = await h.session('architect');
    const request = aRequest('plan').withPrompt(`Overall task: ${'x'.repeat(4_000)}`).withInput({ type: 'review', content: 'y'.repeat(400) }).build();
    const { reply, events } = await runRecorded(session, request);
    const sent = builtinRole('architect')!.prompt.length + request.prompt.length + 400;
    expect(reply.usage.inputTokens).toBe(Math.ceil(sent / 4));
    expect(reply.usage.outputTokens).toBe(Math.ceil(JSON.stringify(reply.output).length / 4));
    expect(events.filter((e) => e.type === 'usage')).toEqual([{ type: 'usage', usage: reply.usage }]);
  });

  it('reports busy, progress and idle around every piece of work', async () => {
    const h = aHarness();
    const { events } = await runRecorded(await h.session('architect'), aRequest('plan').build());
    expect(events[0]).toEqual({ type: 'status', status: 'busy' });
    expect(events.some((e) => e.type === 'progress')).toBe(true);
    expect(events.at(-1)).toEqual({ type: 'status', status: 'idle' });
  });

  it('reports idle after a failure too', async () => {
    const h = aHarness({ failures: [{ role: 'architect', times: 1, error: 'backend-failed' }] });
    const events: BackendEvent[] = [];
    await rejection((await h.session('architect')).run(aRequest('plan').build(), new AbortController().signal, (e) => events.push(e)));
    expect(events.at(-1)).toEqual({ type: 'status', status: 'idle' });
  });
});

describe('SimulatedBackend sessions', () => {
  it('gives every session its own id and refuses work on a closed one', async () => {
    const h = aHarness();
    const first = await h.session('secondary-coder', { instance: 1 });
    const second = await h.session('secondary-coder', { instance: 2 });
    expect(first.sessionId).not.toBe(second.sessionId);
    expect(second.agentId).toBe('secondary-coder-2');
    await first.close();
    expect(await rejection(runRecorded(first, aRequest('plan').build()))).toMatchObject({ reason: 'backend-failed' });
  });

  it('closes every session on dispose', async () => {
    const h = aHarness();
    const session = await h.session('architect');
    await h.backend.dispose();
    expect(await rejection(runRecorded(session, aRequest('plan').build()))).toMatchObject({ reason: 'backend-failed' });
  });

  it('fails work of a kind it has no script for', async () => {
    const h = aHarness();
    const request = { ...aRequest('plan').build(), kind: 'dance' as unknown as 'plan' };
    expect(await rejection(runRecorded(await h.session('architect'), request))).toMatchObject({ reason: 'backend-failed', message: expect.stringContaining('"dance"') });
  });
});
