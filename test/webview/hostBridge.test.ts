import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostSingleMessage } from '../../extension/protocol/dashboardProtocol';
import { HostBridge } from '../../webview/lib/hostBridge';
import { FakeVsCodeApi, postFromHost } from './fixtures/fakeVsCodeApi';
import { aState } from './fixtures/dashboardBuilders';

function setUp(options: { timeoutMs?: number; state?: unknown } = {}) {
  const api = new FakeVsCodeApi(options.state);
  const source = new EventTarget();
  let n = 0;
  const bridge = new HostBridge({ api, source, timeoutMs: options.timeoutMs ?? 1000, newRequestId: () => `req-${(n += 1)}` });
  const received: HostSingleMessage[] = [];
  const problems: string[] = [];
  const stop = bridge.start({ onMessage: (m) => received.push(m), onInvalid: (p) => problems.push(p) });
  return { api, source, bridge, received, problems, stop };
}

describe('HostBridge', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('posts ready once when started', () => {
    const { api } = setUp();
    expect(api.posted).toEqual([{ type: 'ready' }]);
  });

  it('delivers valid host messages from window-style message events', () => {
    const { source, received } = setUp();
    postFromHost(source, { type: 'view/focus', tab: 'roles' });
    expect(received).toEqual([{ type: 'view/focus', tab: 'roles' }]);
  });

  it('drops invalid messages, counts them and reports why, without throwing', () => {
    const { source, bridge, received, problems } = setUp();
    expect(() => {
      postFromHost(source, { type: 'agents/didChange', agents: [{ id: 42 }] });
      postFromHost(source, 'not even an object');
    }).not.toThrow();
    expect(received).toEqual([]);
    expect(bridge.invalidCount).toBe(2);
    expect(problems[0]).toMatch(/agents\/didChange/);
  });

  it('unwraps a batch into its messages, in order', () => {
    const { source, received } = setUp();
    postFromHost(source, {
      type: 'batch',
      messages: [
        { type: 'state/reset', state: aState() },
        { type: 'view/focus', tab: 'run' },
      ],
    });
    expect(received.map((m) => m.type)).toEqual(['state/reset', 'view/focus']);
  });

  it('adds a unique request id and resolves on the matching request/done', async () => {
    const { api, source, bridge } = setUp();
    const pause = bridge.request({ type: 'workflow/pause' });
    const cancel = bridge.request({ type: 'workflow/cancel' });
    expect(api.posted.slice(1)).toEqual([
      { type: 'workflow/pause', requestId: 'req-1' },
      { type: 'workflow/cancel', requestId: 'req-2' },
    ]);
    postFromHost(source, { type: 'request/done', requestId: 'req-2', ok: false, error: 'Nothing to cancel.' });
    postFromHost(source, { type: 'request/done', requestId: 'req-1', ok: true });
    await expect(pause).resolves.toEqual({ ok: true });
    await expect(cancel).resolves.toEqual({ ok: false, error: 'Nothing to cancel.' });
  });

  it('resolves a request that gets no answer with ok:false after the timeout', async () => {
    const { bridge } = setUp({ timeoutMs: 500 });
    const outcome = bridge.request({ type: 'workflow/resume' });
    vi.advanceTimersByTime(499);
    let settled = false;
    void outcome.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    vi.advanceTimersByTime(1);
    await expect(outcome).resolves.toMatchObject({ ok: false, error: expect.stringMatching(/did not answer/) });
  });

  it('ignores a request/done that arrives after the timeout', async () => {
    const { source, bridge } = setUp({ timeoutMs: 10 });
    const outcome = bridge.request({ type: 'workflow/pause' });
    vi.advanceTimersByTime(10);
    postFromHost(source, { type: 'request/done', requestId: 'req-1', ok: true });
    await expect(outcome).resolves.toMatchObject({ ok: false });
  });

  it('resolves artifact/load with the matching artifact/content', async () => {
    const { api, source, bridge } = setUp();
    const loading = bridge.loadArtifact('code-login-1');
    expect(api.lastOfType('artifact/load')).toEqual({ type: 'artifact/load', requestId: 'req-1', artifactId: 'code-login-1' });
    postFromHost(source, {
      type: 'batch',
      messages: [
        { type: 'artifact/content', requestId: 'req-1', artifactId: 'code-login-1', version: 2, content: 'new', previous: 'old', language: 'typescript' },
        { type: 'request/done', requestId: 'req-1', ok: true },
      ],
    });
    await expect(loading).resolves.toEqual({
      ok: true,
      artifact: { artifactId: 'code-login-1', version: 2, content: 'new', previous: 'old', language: 'typescript' },
    });
  });

  it('resolves artifact/load with the error when the host answers done without content', async () => {
    const { source, bridge } = setUp();
    const loading = bridge.loadArtifact('gone');
    postFromHost(source, { type: 'request/done', requestId: 'req-1', ok: false, error: 'No artifact gone.' });
    await expect(loading).resolves.toEqual({ ok: false, error: 'No artifact gone.' });
  });

  it('stops listening and ends waiting requests when stopped', async () => {
    const { source, received, bridge, stop } = setUp();
    const outcome = bridge.request({ type: 'workflow/pause' });
    stop();
    postFromHost(source, { type: 'view/focus', tab: 'run' });
    expect(received).toEqual([]);
    await expect(outcome).resolves.toMatchObject({ ok: false });
  });

  it('stores the UI state with VS Code and reads it back, falling back to defaults for damaged fields', () => {
    const { api, bridge } = setUp({ state: { tab: 'roles', selectedAgentId: 'architect', artifactFilter: 'not-a-type', drafts: { organiser: 'hi' } } });
    expect(bridge.readUiState()).toEqual({ tab: 'roles', selectedAgentId: 'architect', artifactFilter: 'all', drafts: { organiser: 'hi' } });
    bridge.writeUiState({ tab: 'run', artifactFilter: 'code', drafts: {} });
    expect(api.state).toEqual({ tab: 'run', artifactFilter: 'code', drafts: {} });
  });

  it('starts from the default UI state when nothing was stored', () => {
    const { bridge } = setUp({ state: undefined });
    expect(bridge.readUiState()).toEqual({ tab: 'run', artifactFilter: 'all', drafts: {} });
  });
});
