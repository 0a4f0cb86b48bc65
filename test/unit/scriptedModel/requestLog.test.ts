import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { startScriptedModel } from '../../../extension/scriptedModel/scriptedModelServer';
import type { ScriptedModel } from '../../../extension/scriptedModel/scriptedModelServer';
import { roleMarker } from '../../../extension/engine/roles/roleMarker';
import { rejection } from '../support/errors';
import { aChatRequest, aModel, postChat, sseData } from './chatClient';

function aTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'scripted-model-'));
}

describe('scripted model request log', () => {
  it('records who asked what: model, role, message count, tools, stream, lastUser and status', async () => {
    const model = await aModel({ script: () => ({ text: 'ok' }) });
    const request = aChatRequest()
      .forModel('architect-model')
      .withSystem(`You design systems.\n${roleMarker('architect')}\nBe brief.`)
      .withUser('first')
      .withAssistantText('noted')
      .withUser('x'.repeat(300))
      .withTools('read', 'glob')
      .streaming();
    await sseData(await postChat(model, request.build()));

    const [entry] = model.requests;
    expect(entry).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      model: 'architect-model',
      role: 'architect',
      messages: 4,
      tools: ['read', 'glob'],
      stream: true,
      status: 200,
      lastUser: 'x'.repeat(200),
    });
    const systemChars = `You design systems.\n${roleMarker('architect')}\nBe brief.`.length;
    expect(entry?.promptChars).toBe(systemChars + 'first'.length + 'noted'.length + 300);
    expect(entry?.fault).toBeUndefined();
    expect(entry?.aborted).toBeUndefined();
    expect(entry?.endedAt).toBeGreaterThanOrEqual(entry?.at ?? Number.NaN);
  });

  it('records the Authorization header each request carried, and tells roles apart on one model by their prompt', async () => {
    const model = await aModel({ script: () => ({ text: 'ok' }) });
    const asking = (role: string) => aChatRequest().forModel('team-model').withSystem(`You work.\n${roleMarker(role)}`).withUser('go').build();
    await postChat(model, asking('organiser'), { headers: { 'Content-Type': 'application/json', Authorization: 'Bearer sk-user' } });
    await postChat(model, asking('architect'));

    expect(model.requests.map((entry) => [entry.model, entry.role, entry.authorization])).toEqual([
      ['team-model', 'organiser', 'Bearer sk-user'],
      ['team-model', 'architect', undefined],
    ]);
  });

    it('leaves role unset when no prompt carries a marker', async () => {
    const model = await aModel({ script: () => ({ text: 'ok' }) });
    await postChat(model, aChatRequest().withSystem('plain').withUser('hi').build());

    expect(model.requests[0] && 'role' in model.requests[0]).toBe(false);
  });

  it('shows concurrent requests as overlapping intervals', async () => {
    let model: ScriptedModel | undefined;
    // Neither request is answered until both have arrived, so their intervals must overlap.
    model = await aModel({
      script: async () => {
        await model?.whenRequests(2);
        return { text: 'together' };
      },
    });
    const ask = (role: string) => postChat(model as ScriptedModel, aChatRequest().withSystem(roleMarker(role)).withUser('go').build());
    const responses = await Promise.all([ask('primary-coder'), ask('secondary-coder')]);

    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    const [a, b] = model.requests;
    expect(new Set([a?.role, b?.role])).toEqual(new Set(['primary-coder', 'secondary-coder']));
    expect(a && b && a.at <= (b.endedAt ?? 0) && b.at <= (a.endedAt ?? 0)).toBe(true);
  });

  it('waits for a number of arrivals, and rejects that wait when the server closes first', async () => {
    const model = await startScriptedModel({ script: () => ({ text: 'ok' }) });
    const two = model.whenRequests(2);
    await postChat(model, aChatRequest().withUser('one').build());
    await model.close();

    expect((await rejection(two)).reason).toBe('aborted');
  });

  it('appends each finished request to the log file as one JSON line', async () => {
    const logFile = path.join(aTempDir(), 'requests.jsonl');
    fs.writeFileSync(logFile, '{"earlier":true}\n');
    const model = await startScriptedModel({ script: () => ({ text: 'ok' }), logFile, models: ['m'] });
    await sseData(await postChat(model, aChatRequest().withSystem(roleMarker('debugger')).withUser('why').streaming().build()));
    await (await fetch(`${model.url}/models`)).json();
    await (await postChat(model, { model: 'm' })).json();
    await model.close();

    const lines = fs.readFileSync(logFile, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('{"earlier":true}');
    const logged = lines.slice(1).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toEqual(JSON.parse(JSON.stringify(model.requests)));
    expect(logged.map((entry) => [entry.path, entry.status, entry.role])).toEqual([
      ['/v1/chat/completions', 200, 'debugger'],
      ['/v1/models', 200, undefined],
      ['/v1/chat/completions', 400, undefined],
    ]);
  });

  it('refuses to start when the log file cannot be written', async () => {
    const logFile = path.join(aTempDir(), 'missing-dir', 'requests.jsonl');

    expect((await rejection(startScriptedModel({ script: () => ({}), logFile }))).reason).toBe('io-failed');
  });

  it('spreads streamed chunks by chunkDelayMs and delays the answer by latencyMs', async () => {
    const model = await aModel({ script: () => ({ text: 'a'.repeat(30) }), latencyMs: 20, chunkDelayMs: 10 });
    const payloads = await sseData(await postChat(model, aChatRequest().withUser('x').streaming().build()));
    const chunks = payloads.length - 1;
    await model.whenIdle();

    const entry = model.requests[0];
    expect((entry?.endedAt ?? 0) - (entry?.at ?? 0)).toBeGreaterThanOrEqual(20 + (chunks - 1) * 10);
  });

  it('leaves no timer behind when closed during a long latency', async () => {
    // The latency timer is watched directly (not by counting the process's timers, which other
    // sockets also start and stop), and the test waits for it to exist rather than for time.
    const realSetTimeout = globalThis.setTimeout;
    let latencyTimer: ReturnType<typeof setTimeout> | undefined;
    let timerStarted!: () => void;
    const started = new Promise<void>((resolve) => (timerStarted = resolve));
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((handler: () => void, ms?: number) => {
      const timer = realSetTimeout(handler, ms);
      if (ms === 600_000) {
        latencyTimer = timer;
        timerStarted();
      }
      return timer;
    }) as typeof setTimeout);
    const clearTimeoutSpy = vi.spyOn(globalThis, 'clearTimeout');
    try {
      const model = await startScriptedModel({ script: () => ({ text: 'late' }), latencyMs: 600_000 });
      const pending = postChat(model, aChatRequest().withUser('x').build());
      await started;
      expect(latencyTimer?.hasRef()).toBe(true);

      await model.close();
      await expect(pending).rejects.toThrow();
      expect(clearTimeoutSpy).toHaveBeenCalledWith(latencyTimer);
    } finally {
      setTimeoutSpy.mockRestore();
      clearTimeoutSpy.mockRestore();
    }
  });
});
