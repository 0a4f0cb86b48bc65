import { describe, expect, it } from 'vitest';
import type { TranscriptPartView } from '../../extension/protocol/transcriptPart';
import { applyHostMessage, emptyDashboardView } from '../../webview/lib/dashboardStore';
import { HostBridge } from '../../webview/lib/hostBridge';
import { FakeVsCodeApi, postFromHost } from './fixtures/fakeVsCodeApi';

const running: TranscriptPartView = { id: 'p1', turn: 'w1', atMs: 0, kind: 'tool', status: 'running', tool: 'bash', target: 'npm test', sizes: { input: 20 } };

describe('transcript parts in the webview', () => {
  it('replaces a running tool call by its completed version in place, per agent', () => {
    let view = emptyDashboardView();
    view = applyHostMessage(view, { type: 'transcript/partsDidChange', agentId: 'coder-1', parts: [running, { ...running, id: 'p2' }] });
    view = applyHostMessage(view, { type: 'transcript/partsDidChange', agentId: 'coder-1', parts: [{ ...running, status: 'completed' }] });
    expect(view.state.parts?.['coder-1']?.map((part) => `${part.id}:${part.status}`)).toEqual(['p1:completed', 'p2:running']);
    // The same part id in another turn is another part.
    view = applyHostMessage(view, { type: 'transcript/partsDidChange', agentId: 'coder-1', parts: [{ ...running, turn: 'w2' }] });
    expect(view.state.parts?.['coder-1']).toHaveLength(3);
  });

  it('asks the host for a part and resolves with the body it sends, refusing an invalid answer', async () => {
    const api = new FakeVsCodeApi();
    const source = new EventTarget();
    let n = 0;
    const bridge = new HostBridge({ api, source, newRequestId: () => `req-${(n += 1)}` });
    bridge.start({ onMessage: () => undefined });
    const loading = bridge.loadPart('coder-1', 'w1', 'p1');
    expect(api.posted.at(-1)).toEqual({ type: 'transcript/loadPart', requestId: 'req-1', agentId: 'coder-1', turn: 'w1', partId: 'p1' });
    // A body that breaks the schema is dropped; the valid answer settles the request.
    postFromHost(source, { type: 'transcript/partContent', requestId: 'req-1', agentId: 'coder-1', turn: 'w1', partId: 'p1', body: { output: { text: 1 } } });
    postFromHost(source, { type: 'transcript/partContent', requestId: 'req-1', agentId: 'coder-1', turn: 'w1', partId: 'p1', body: { output: { text: 'ok', size: 2 } } });
    postFromHost(source, { type: 'request/done', requestId: 'req-1', ok: true });
    expect(await loading).toEqual({ ok: true, body: { output: { text: 'ok', size: 2 } } });
    expect(bridge.invalidCount).toBe(1);

    const refused = bridge.loadPart('coder-1', 'w1', 'nope');
    postFromHost(source, { type: 'request/done', requestId: 'req-2', ok: false, error: 'Not in this run.' });
    expect(await refused).toEqual({ ok: false, error: 'Not in this run.' });
  });
});
