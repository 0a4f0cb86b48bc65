import { describe, expect, it } from 'vitest';
import { MessageBatcher } from '../../../extension/dashboard/messageBatcher';
import type { HostMessage } from '../../../extension/protocol/dashboardProtocol';
import { emptyDashboardState, type AgentView } from '../../../extension/protocol/viewModel';

function aFakeTimer() {
  const pending: Array<() => void> = [];
  return {
    schedule: (callback: () => void) => {
      pending.push(callback);
      return () => pending.splice(pending.indexOf(callback), 1);
    },
    tick: () => pending.splice(0).forEach((callback) => callback()),
    pending,
  };
}

function anAgent(id: string, turns: number): AgentView {
  return { id, role: 'secondary-coder', roleName: 'Secondary Coder', instance: 1, model: 'p/m', status: 'working', turns, tokens: { input: 0, output: 0 }, costUsd: 0 };
}

function aBatcher() {
  const timer = aFakeTimer();
  const posts: HostMessage[] = [];
  const batcher = new MessageBatcher({ post: (message) => posts.push(message), schedule: timer.schedule });
  return { timer, posts, batcher };
}

describe('MessageBatcher', () => {
  it('posts nothing until the tick, then one batch for everything queued', () => {
    const { timer, posts, batcher } = aBatcher();
    batcher.push({ type: 'agents/didChange', agents: [anAgent('a-1', 1)] });
    batcher.push({ type: 'todo/didChange', todo: [] });
    expect(posts).toEqual([]);
    expect(timer.pending).toHaveLength(1);
    timer.tick();
    expect(posts).toEqual([{ type: 'batch', messages: [{ type: 'agents/didChange', agents: [anAgent('a-1', 1)] }, { type: 'todo/didChange', todo: [] }] }]);
  });

  it('posts a lone message as itself, not as a batch of one', () => {
    const { timer, posts, batcher } = aBatcher();
    batcher.push({ type: 'request/done', requestId: 'r1', ok: true });
    timer.tick();
    expect(posts).toEqual([{ type: 'request/done', requestId: 'r1', ok: true }]);
  });

  it('collapses upserts of the same id to the latest and keeps only the latest whole value', () => {
    const { timer, posts, batcher } = aBatcher();
    for (let turn = 1; turn <= 500; turn++) {
      batcher.push({ type: 'agents/didChange', agents: [anAgent(`a-${turn % 2}`, turn)] });
      batcher.push({ type: 'cost/didChange', cost: { totalUsd: turn, byRole: [], byAgent: [] } });
    }
    timer.tick();
    expect(posts).toHaveLength(1);
    expect(posts[0]).toEqual({
      type: 'batch',
      messages: [
        { type: 'agents/didChange', agents: [anAgent('a-1', 499), anAgent('a-0', 500)] },
        { type: 'cost/didChange', cost: { totalUsd: 500, byRole: [], byAgent: [] } },
      ],
    });
  });

  it('joins transcript lines per agent in order and keeps replies in order', () => {
    const { timer, posts, batcher } = aBatcher();
    const line = (text: string) => ({ atMs: 1, direction: 'from-agent' as const, counterpart: 'organiser', text });
    batcher.push({ type: 'transcript/didAppend', agentId: 'a-1', entries: [line('one')] });
    batcher.push({ type: 'request/done', requestId: 'r1', ok: true });
    batcher.push({ type: 'transcript/didAppend', agentId: 'a-1', entries: [line('two')] });
    batcher.push({ type: 'request/done', requestId: 'r2', ok: false, error: 'no' });
    timer.tick();
    expect(posts[0]).toEqual({
      type: 'batch',
      messages: [
        { type: 'transcript/didAppend', agentId: 'a-1', entries: [line('one'), line('two')] },
        { type: 'request/done', requestId: 'r1', ok: true },
        { type: 'request/done', requestId: 'r2', ok: false, error: 'no' },
      ],
    });
  });

  it('drops what was queued before a state reset, which already contains it', () => {
    const { timer, posts, batcher } = aBatcher();
    batcher.push({ type: 'todo/didChange', todo: [] });
    batcher.push({ type: 'state/reset', state: emptyDashboardState() });
    batcher.push({ type: 'files/didChange', files: [] });
    timer.tick();
    expect(posts).toEqual([{ type: 'batch', messages: [{ type: 'state/reset', state: emptyDashboardState() }, { type: 'files/didChange', files: [] }] }]);
  });

  it('posts nothing after dispose', () => {
    const { timer, posts, batcher } = aBatcher();
    batcher.push({ type: 'todo/didChange', todo: [] });
    batcher.dispose();
    batcher.push({ type: 'todo/didChange', todo: [] });
    timer.tick();
    batcher.flush();
    expect(posts).toEqual([]);
  });
});
