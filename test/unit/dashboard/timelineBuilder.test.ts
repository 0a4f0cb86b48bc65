import { describe, expect, it } from 'vitest';
import { TimelineBuilder } from '../../../extension/dashboard/timelineBuilder';
import { rollupCost } from '../../../extension/dashboard/costRollup';
import type { AgentView } from '../../../extension/protocol/viewModel';

describe('TimelineBuilder', () => {
  it('closes the current phase with its duration when the next one starts, and returns both', () => {
    const timeline = new TimelineBuilder();
    expect(timeline.phase('PLANNING', 10)).toEqual([{ seq: 0, kind: 'phase', title: 'PLANNING', atMs: 10 }]);
    timeline.add({ kind: 'artifact', title: 'plan plan-1 v1', atMs: 40 });
    expect(timeline.phase('PLAN_REVIEW', 70, 'from PLANNING')).toEqual([
      { seq: 0, kind: 'phase', title: 'PLANNING', atMs: 10, durationMs: 60 },
      { seq: 2, kind: 'phase', title: 'PLAN_REVIEW', atMs: 70, detail: 'from PLANNING' },
    ]);
    expect(timeline.list().map((e) => e.seq)).toEqual([0, 1, 2]);
  });

  it('keeps only the most recent entries, and does not resend a phase that fell off', () => {
    const timeline = new TimelineBuilder(3);
    timeline.phase('PLANNING', 0);
    for (let i = 1; i <= 5; i++) timeline.add({ kind: 'work', title: `w${i}`, atMs: i });
    expect(timeline.list().map((e) => e.title)).toEqual(['w3', 'w4', 'w5']);
    expect(timeline.phase('PLAN_REVIEW', 9).map((e) => e.title)).toEqual(['PLAN_REVIEW']);
    expect(timeline.list()).toHaveLength(3);
  });

  it('hands out copies, so callers cannot change its entries', () => {
    const timeline = new TimelineBuilder();
    const [entry] = timeline.phase('PLANNING', 0);
    entry!.title = 'changed';
    expect(timeline.list()[0]?.title).toBe('PLANNING');
  });
});

describe('rollupCost', () => {
  const agent = (id: string, role: string, costUsd: number, tokens = { input: 10, output: 5 }): AgentView => ({
    id,
    role,
    roleName: role.toUpperCase(),
    instance: 1,
    model: 'p/m',
    status: 'idle',
    turns: 1,
    tokens,
    costUsd,
  });

  it('sums per role in order of first appearance and per agent, against the budget', () => {
    const cost = rollupCost([agent('b-1', 'b', 0.1), agent('a-1', 'a', 0.2), agent('b-2', 'b', 0.2)], 1);
    expect(cost).toEqual({
      totalUsd: 0.5,
      budgetUsd: 1,
      byRole: [
        { role: 'b', roleName: 'B', usd: 0.3, tokens: { input: 20, output: 10 } },
        { role: 'a', roleName: 'A', usd: 0.2, tokens: { input: 10, output: 5 } },
      ],
      byAgent: [
        { agentId: 'b-1', usd: 0.1 },
        { agentId: 'a-1', usd: 0.2 },
        { agentId: 'b-2', usd: 0.2 },
      ],
    });
    expect(rollupCost([]).budgetUsd).toBeUndefined();
  });
});
