import { describe, expect, it } from 'vitest';
import type { HostMessage } from '../../extension/protocol/dashboardProtocol';
import { applyHostMessage, emptyDashboardView, MAX_TRANSCRIPT_ENTRIES, type DashboardView } from '../../webview/lib/dashboardStore';
import { aChatMessage, aCost, aFile, anAgent, anArtifact, anEntry, aRun, aState, aTodo } from './fixtures/dashboardBuilders';

function apply(view: DashboardView, ...messages: HostMessage[]): DashboardView {
  return messages.reduce(applyHostMessage, view);
}

describe('applyHostMessage', () => {
  it('replaces the whole state on state/reset, sorting the timeline by seq', () => {
    const before = apply(emptyDashboardView(), { type: 'agents/didChange', agents: [anAgent({ id: 'old-agent' })] });
    const after = apply(before, { type: 'state/reset', state: aState({ timeline: [anEntry(2), anEntry(0), anEntry(1)] }) });
    expect(after.state.agents).toEqual([]);
    expect(after.state.timeline.map((e) => e.seq)).toEqual([0, 1, 2]);
    expect(after.state.run?.task).toBe('Add a login page');
  });

  it('keeps the roles view across a state/reset', () => {
    const roles = { config: { profiles: [], roles: [], assignments: {} }, discovered: [], issues: [], templates: [], costPreview: { totalUsd: 0, perRole: [], basis: '' }, appliesAtNextStart: false };
    const view = apply(emptyDashboardView(), { type: 'roles/didChange', roles }, { type: 'state/reset', state: aState() });
    expect(view.roles).toEqual(roles);
  });

  it('never changes the view it was given', () => {
    const before = apply(emptyDashboardView(), { type: 'agents/didChange', agents: [anAgent()] });
    const snapshot = structuredClone(before);
    apply(before, { type: 'agents/didChange', agents: [anAgent({ status: 'done' })] }, { type: 'timeline/didChange', entries: [anEntry(0)] });
    expect(before).toEqual(snapshot);
  });

  it('upserts agents by id: replaces in place and appends new ones in arrival order', () => {
    const view = apply(
      emptyDashboardView(),
      { type: 'agents/didChange', agents: [anAgent({ id: 'organiser' }), anAgent({ id: 'architect' })] },
      { type: 'agents/didChange', agents: [anAgent({ id: 'coder-2' }), anAgent({ id: 'organiser', status: 'paused' })] },
    );
    expect(view.state.agents.map((a) => [a.id, a.status])).toEqual([
      ['organiser', 'paused'],
      ['architect', 'working'],
      ['coder-2', 'working'],
    ]);
  });

  it('upserts timeline entries by seq and keeps them in seq order when they arrive out of order', () => {
    const view = apply(
      emptyDashboardView(),
      { type: 'timeline/didChange', entries: [anEntry(0, { kind: 'phase', title: 'Planning' }), anEntry(1)] },
      { type: 'timeline/didChange', entries: [anEntry(4), anEntry(3)] },
      { type: 'timeline/didChange', entries: [anEntry(2)] },
      // A phase entry comes again once its duration is known.
      { type: 'timeline/didChange', entries: [anEntry(0, { kind: 'phase', title: 'Planning', durationMs: 4200 })] },
    );
    expect(view.state.timeline.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(view.state.timeline[0]?.durationMs).toBe(4200);
  });

  it('appends 1,000 in-order entries one message at a time without losing or reordering any', () => {
    let view = emptyDashboardView();
    for (let seq = 0; seq < 1000; seq += 1) view = applyHostMessage(view, { type: 'timeline/didChange', entries: [anEntry(seq)] });
    expect(view.state.timeline).toHaveLength(1000);
    expect(view.state.timeline.every((e, i) => e.seq === i)).toBe(true);
  });

  it('replaces the file board and the to-do list whole', () => {
    const view = apply(
      emptyDashboardView(),
      { type: 'files/didChange', files: [aFile({ path: 'a.ts' }), aFile({ path: 'b.ts' })] },
      { type: 'files/didChange', files: [aFile({ path: 'c.ts' })] },
      { type: 'todo/didChange', todo: [aTodo({ id: 't1' }), aTodo({ id: 't2' })] },
      { type: 'todo/didChange', todo: [aTodo({ id: 't3' })] },
    );
    expect(view.state.files.map((f) => f.path)).toEqual(['c.ts']);
    expect(view.state.todo.map((t) => t.id)).toEqual(['t3']);
  });

  it('upserts artifacts by id', () => {
    const view = apply(
      emptyDashboardView(),
      { type: 'artifacts/didChange', artifacts: [anArtifact({ id: 'plan-1', version: 1 }), anArtifact({ id: 'code-1' })] },
      { type: 'artifacts/didChange', artifacts: [anArtifact({ id: 'plan-1', version: 2 })] },
    );
    expect(view.state.artifacts.map((a) => [a.id, a.version])).toEqual([
      ['plan-1', 2],
      ['code-1', 1],
    ]);
  });

  it('upserts chat messages by id, so a pending answer is replaced by the real one in place', () => {
    const view = apply(
      emptyDashboardView(),
      { type: 'chat/didChange', messages: [aChatMessage({ id: 'q' }), aChatMessage({ id: 'a', from: 'organiser', text: '', pending: true })] },
      { type: 'chat/didChange', messages: [aChatMessage({ id: 'a', from: 'organiser', text: 'All on track.' })] },
    );
    expect(view.state.chat.map((m) => [m.id, m.text, m.pending])).toEqual([
      ['q', 'How is it going?', undefined],
      ['a', 'All on track.', undefined],
    ]);
  });

  it('sets the run and the cost as sent', () => {
    const view = apply(emptyDashboardView(), { type: 'run/didChange', run: aRun({ phase: 'PAUSED' }) }, { type: 'cost/didChange', cost: aCost({ totalUsd: 1.5 }) });
    expect(view.state.run?.phase).toBe('PAUSED');
    expect(view.state.cost.totalUsd).toBe(1.5);
  });

  it('appends transcript entries per agent and keeps only the most recent ones', () => {
    const entry = (i: number) => ({ atMs: i, direction: 'from-agent' as const, counterpart: 'organiser', text: `line ${i}` });
    let view = apply(emptyDashboardView(), { type: 'transcript/didAppend', agentId: 'architect', entries: [entry(0)] });
    view = apply(view, { type: 'transcript/didAppend', agentId: 'architect', entries: Array.from({ length: MAX_TRANSCRIPT_ENTRIES }, (_, i) => entry(i + 1)) });
    view = apply(view, { type: 'transcript/didAppend', agentId: 'debugger', entries: [entry(7)] });
    expect(view.state.transcripts['architect']).toHaveLength(MAX_TRANSCRIPT_ENTRIES);
    expect(view.state.transcripts['architect']?.[0]?.text).toBe('line 1');
    expect(view.state.transcripts['debugger']?.map((e) => e.text)).toEqual(['line 7']);
  });

  it('applies a batch as its messages in order', () => {
    const view = apply(emptyDashboardView(), {
      type: 'batch',
      messages: [
        { type: 'state/reset', state: aState() },
        { type: 'agents/didChange', agents: [anAgent({ id: 'architect' })] },
        { type: 'agents/didChange', agents: [anAgent({ id: 'architect', status: 'done' })] },
        { type: 'timeline/didChange', entries: [anEntry(1), anEntry(0)] },
      ],
    });
    expect(view.state.agents.map((a) => a.status)).toEqual(['done']);
    expect(view.state.timeline.map((e) => e.seq)).toEqual([0, 1]);
  });

  it('numbers focus requests, so asking twice for the same agent still counts', () => {
    const once = apply(emptyDashboardView(), { type: 'view/focus', tab: 'run', agentId: 'architect' });
    const twice = apply(once, { type: 'view/focus', tab: 'run', agentId: 'architect' });
    expect(once.focus).toEqual({ tab: 'run', agentId: 'architect', seq: 1 });
    expect(twice.focus?.seq).toBe(2);
  });

  it('leaves the view alone for replies that belong to the bridge', () => {
    const view = apply(emptyDashboardView(), { type: 'state/reset', state: aState() });
    expect(apply(view, { type: 'request/done', requestId: 'r1', ok: true })).toBe(view);
    expect(apply(view, { type: 'artifact/content', requestId: 'r2', artifactId: 'a', version: 1, content: 'x' })).toBe(view);
  });
});
