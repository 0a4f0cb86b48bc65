import { describe, expect, it } from 'vitest';
import type { AgentRecord } from '../../../extension/engine/agents/agentSchema';
import { BudgetGuard, DEFAULT_OUTPUT_TOKENS, estimateTurn, readBudgets, roughTokens, type Budgets } from '../../../extension/engine/run/budget';

function anAgent(role: string, overrides: Partial<AgentRecord> = {}): AgentRecord {
  return { id: `${role}-1`, role, instance: 1, profileId: 'p', status: 'idle', turns: 0, tokens: { input: 0, output: 0 }, costUsd: 0, lastHeartbeat: 0, createdAt: 0, ...overrides };
}

/** A guard over a list of agents the test changes as turns "cost" money. */
function aGuard(budgets: Budgets, agents: AgentRecord[] = []) {
  return { guard: new BudgetGuard({ budgets, agents: () => agents }), agents };
}

const PRICED = { cost: { input: 10, output: 30 } };

describe('estimateTurn', () => {
  it('prices input at four characters a token and a first turn at the default output', () => {
    const estimate = estimateTurn({ sentChars: 4000, profile: PRICED, earlier: [] });
    expect(estimate.inputTokens).toBe(1000);
    expect(estimate.outputTokens).toBe(DEFAULT_OUTPUT_TOKENS);
    expect(estimate.usd).toBeCloseTo((1000 * 10 + DEFAULT_OUTPUT_TOKENS * 30) / 1e6, 12);
  });

  it("takes the output from the average of the role's earlier turns", () => {
    const earlier = [anAgent('coder', { turns: 3, tokens: { input: 0, output: 600 } }), anAgent('coder', { id: 'coder-2', turns: 1, tokens: { input: 0, output: 200 } })];
    expect(estimateTurn({ sentChars: 0, profile: PRICED, earlier }).outputTokens).toBe(200);
  });

  it("takes the role's average input when it is more than the text sent (the backend's own prompt and tools)", () => {
    const earlier = [anAgent('coder', { turns: 2, tokens: { input: 9000, output: 0 } })];
    expect(estimateTurn({ sentChars: 4000, profile: PRICED, earlier }).inputTokens).toBe(4500);
    expect(estimateTurn({ sentChars: 40_000, profile: PRICED, earlier }).inputTokens).toBe(10_000);
  });

  it('has no price for a profile without one', () => {
    expect(estimateTurn({ sentChars: 400, profile: {}, earlier: [] }).usd).toBeUndefined();
  });

  it('counts large text without tokenising it', () => {
    expect(roughTokens(10_000_001)).toBe(2_500_001);
    expect(roughTokens(-5)).toBe(0);
  });
});

describe('BudgetGuard', () => {
  it('admits a turn within the run budget and reserves its estimate until released', () => {
    const { guard } = aGuard({ runUsd: 1 });
    expect(guard.admit('w1', 'architect', { inputTokens: 0, outputTokens: 0, usd: 0.4 })).toBeUndefined();
    expect(guard.reservedUsd()).toBeCloseTo(0.4);
    guard.release('w1');
    expect(guard.reservedUsd()).toBe(0);
  });

  it('stops the turn whose estimate, with what is spent and reserved, would pass the run budget', () => {
    const { guard } = aGuard({ runUsd: 0.15 }, [anAgent('architect', { costUsd: 0.1 })]);
    expect(guard.admit('w1', 'architect', { inputTokens: 0, outputTokens: 0, usd: 0.03 })).toBeUndefined();
    const stop = guard.admit('w2', 'secondary-coder', { inputTokens: 0, outputTokens: 0, usd: 0.03 });
    expect(stop).toMatchObject({ scope: 'run', role: 'secondary-coder', limitUsd: 0.15 });
    expect(stop?.reason).toBe('The run budget of $0.15 would be passed: spent $0.10 (+$0.03 in turns under way), next turn ~$0.03 (secondary-coder)');
    // A refused turn reserves nothing.
    expect(guard.reservedUsd()).toBeCloseTo(0.03);
  });

  it('admits a turn again once the first one was answered and released', () => {
    const { guard, agents } = aGuard({ runUsd: 0.15 }, [anAgent('architect', { costUsd: 0.1 })]);
    guard.admit('w1', 'architect', { inputTokens: 0, outputTokens: 0, usd: 0.03 });
    expect(guard.admit('w2', 'architect', { inputTokens: 0, outputTokens: 0, usd: 0.03 })).toBeDefined();
    agents[0]!.costUsd = 0.11; // w1 came back cheaper than its estimate
    guard.release('w1');
    expect(guard.admit('w2', 'architect', { inputTokens: 0, outputTokens: 0, usd: 0.03 })).toBeUndefined();
  });

  it("stops a role at its own budget while others go on", () => {
    const { guard } = aGuard({ runUsd: 10, roleUsd: { architect: 0.2 } }, [anAgent('architect', { costUsd: 0.18 }), anAgent('secondary-coder', { costUsd: 1 })]);
    const stop = guard.admit('w1', 'architect', { inputTokens: 0, outputTokens: 0, usd: 0.05 });
    expect(stop).toMatchObject({ scope: 'role', role: 'architect', limitUsd: 0.2 });
    expect(stop?.reason).toMatch(/^The budget of architect of \$0\.20 would be passed: spent \$0\.18, next turn ~\$0\.05 \(architect\)$/);
    expect(guard.admit('w2', 'secondary-coder', { inputTokens: 0, outputTokens: 0, usd: 0.05 })).toBeUndefined();
  });

  it('counts only what a role reserved against its role budget', () => {
    const { guard } = aGuard({ roleUsd: { architect: 0.1 } });
    expect(guard.admit('w1', 'code-sceptic', { inputTokens: 0, outputTokens: 0, usd: 0.09 })).toBeUndefined();
    expect(guard.admit('w2', 'architect', { inputTokens: 0, outputTokens: 0, usd: 0.09 })).toBeUndefined();
    expect(guard.admit('w3', 'architect', { inputTokens: 0, outputTokens: 0, usd: 0.02 })).toMatchObject({ scope: 'role' });
  });

  it('admits an unpriced turn while the budget is not spent, counts what it cost, and reports the estimate as unavailable', () => {
    const { guard, agents } = aGuard({ runUsd: 0.1 }, [anAgent('local', { costUsd: 0.09 })]);
    expect(guard.admit('w1', 'local', { inputTokens: 100, outputTokens: 100 })).toBeUndefined();
    expect(guard.reservedUsd()).toBe(0);
    expect(guard.admit('w2', 'architect', { inputTokens: 0, outputTokens: 0, usd: 0.02 })).toMatchObject({ spentUsd: 0.09 });
    expect(guard.report()).toMatchObject({ runUsd: 0.1, spentUsd: 0.09, estimateUnavailable: ['local'] });
    // What the backend reported reaches the budget: the next unpriced turn is stopped too.
    agents[0]!.costUsd = 0.1;
    const stop = guard.admit('w3', 'local', { inputTokens: 100, outputTokens: 100 });
    expect(stop?.reason).toBe('The run budget of $0.10 is spent: spent $0.10, next turn not priced (local: its profile has no price)');
    expect(stop?.estimateUsd).toBeUndefined();
  });

  it('reports spent against the limits per role', () => {
    const { guard } = aGuard({ runUsd: 1, roleUsd: { architect: 0.5, debugger: 0.2 } }, [anAgent('architect', { costUsd: 0.25 }), anAgent('architect', { id: 'architect-2', costUsd: 0.05 })]);
    expect(guard.report().roles).toEqual({ architect: { spentUsd: 0.3, budgetUsd: 0.5 }, debugger: { spentUsd: 0, budgetUsd: 0.2 } });
  });

  it('keeps a role named like an Object.prototype member a plain entry', () => {
    const { guard } = aGuard({ roleUsd: { constructor: 0.01 } }, [anAgent('constructor', { costUsd: 0.005 })]);
    expect(guard.admit('w1', 'constructor', { inputTokens: 0, outputTokens: 0, usd: 0.01 })).toMatchObject({ scope: 'role', role: 'constructor' });
    expect(guard.admit('w2', 'toString', { inputTokens: 0, outputTokens: 0, usd: 0.01 })).toBeUndefined();
    expect(guard.report().roles.constructor).toEqual({ spentUsd: 0.005, budgetUsd: 0.01 });
  });

  it('takes raised limits for the next turn', () => {
    const { guard } = aGuard({ runUsd: 0.1 }, [anAgent('architect', { costUsd: 0.1 })]);
    expect(guard.admit('w1', 'architect', { inputTokens: 0, outputTokens: 0, usd: 0.01 })).toBeDefined();
    guard.setBudgets({ runUsd: 5 });
    expect(guard.admit('w1', 'architect', { inputTokens: 0, outputTokens: 0, usd: 0.01 })).toBeUndefined();
  });

  it('refuses a limit that is not a positive amount', () => {
    expect(() => aGuard({ runUsd: -1 })).toThrow();
    expect(() => aGuard({ runUsd: Number.POSITIVE_INFINITY })).toThrow();
  });
});

describe('readBudgets (settings)', () => {
  it('reads a run budget and role budgets, and treats empty or zero as no limit', () => {
    const warnings: string[] = [];
    expect(readBudgets(0.5, { architect: 0.2 }, (problem) => warnings.push(problem))).toEqual({ runUsd: 0.5, roleUsd: { architect: 0.2 } });
    expect(readBudgets(null, {}, (problem) => warnings.push(problem))).toEqual({});
    expect(readBudgets(0, undefined, (problem) => warnings.push(problem))).toEqual({});
    expect(warnings).toEqual([]);
  });

  it('leaves out values that are not positive amounts, with a warning each', () => {
    const warnings: string[] = [];
    expect(readBudgets('ten', { architect: -1, debugger: 'x', 'code-sceptic': 0.1 }, (problem) => warnings.push(problem))).toEqual({ roleUsd: { 'code-sceptic': 0.1 } });
    expect(readBudgets(1, [1, 2], (problem) => warnings.push(problem))).toEqual({ runUsd: 1 });
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatch(/^kiloOrchestra\.budgetUsd must be an amount/);
  });
});
