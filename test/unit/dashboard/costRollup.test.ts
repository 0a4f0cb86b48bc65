import { describe, expect, it } from 'vitest';
import { rollupCost } from '../../../extension/dashboard/costRollup';
import type { AgentView } from '../../../extension/protocol/viewModel';

const agent = (id: string, role: string, costUsd: number) => ({ id, role, roleName: role, costUsd, tokens: { input: 1, output: 1 } }) as AgentView;

describe('rollupCost with role budgets', () => {
  it('puts each role budget on its row, and none on roles without one', () => {
    const cost = rollupCost([agent('architect-1', 'architect', 0.2), agent('debugger-1', 'debugger', 0.1)], 1, { architect: 0.5, constructor: 1 });
    expect(cost.byRole).toEqual([
      { role: 'architect', roleName: 'architect', usd: 0.2, tokens: { input: 1, output: 1 }, budgetUsd: 0.5 },
      { role: 'debugger', roleName: 'debugger', usd: 0.1, tokens: { input: 1, output: 1 } },
    ]);
  });

  it('does not read a budget for a role named like an Object.prototype member', () => {
    expect(rollupCost([agent('constructor-1', 'constructor', 0.1)]).byRole[0]).not.toHaveProperty('budgetUsd');
  });
});

describe('rollupCost with unpriced models', () => {
  it('marks the roles whose agents run on an unpriced model and lists the models used', () => {
    const on = (id: string, role: string, model: string) => ({ ...agent(id, role, 0), model }) as AgentView;
    const cost = rollupCost([on('organiser-1', 'organiser', 'Kilo default (p/m)'), on('architect-1', 'architect', 'p/priced')], undefined, {}, new Set(['Kilo default (p/m)', 'p/unused']));
    expect(cost.byRole.map((row) => [row.role, row.unpriced ?? false])).toEqual([['organiser', true], ['architect', false]]);
    expect(cost.unpricedModels).toEqual(['Kilo default (p/m)']);
    expect(rollupCost([on('architect-1', 'architect', 'p/priced')])).not.toHaveProperty('unpricedModels');
  });
});
