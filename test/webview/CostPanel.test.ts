// @vitest-environment jsdom
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import CostPanel from '../../webview/components/CostPanel.svelte';
import { aCost, anAgent } from './fixtures/dashboardBuilders';

const byRole = [{ role: 'architect', roleName: 'Architect', usd: 0.4, tokens: { input: 12_000, output: 3_000 } }];
const byAgent = [
  { agentId: 'architect', usd: 0.4 },
  { agentId: 'secondary-coder-2', usd: 0.2 },
];

describe('CostPanel', () => {
  it('shows the total against the budget with a meter', () => {
    render(CostPanel, { cost: aCost({ totalUsd: 0.6, budgetUsd: 2, byRole, byAgent }), agents: [] });
    expect(screen.getByTestId('cost-total').textContent).toMatch(/\$0\.60\s*of \$2\.00 budget/);
    const meter = screen.getByTestId('budget-meter') as HTMLMeterElement;
    expect(meter.getAttribute('max')).toBe('2');
    expect(meter.getAttribute('value')).toBe('0.6');
  });

  it('says when the run is over budget', () => {
    render(CostPanel, { cost: aCost({ totalUsd: 3, budgetUsd: 2 }), agents: [] });
    expect(screen.getByTestId('cost-total').textContent).toContain('over budget');
  });

  it('shows just the totals when no budget is set', () => {
    render(CostPanel, { cost: aCost({ totalUsd: 0.6, byRole, byAgent }), agents: [] });
    expect(screen.getByTestId('cost-total').textContent?.trim()).toBe('$0.60');
    expect(screen.queryByTestId('budget-meter')).toBeNull();
  });

  it('lists cost per role with tokens, and per agent by name', () => {
    render(CostPanel, {
      cost: aCost({ totalUsd: 0.6, byRole, byAgent }),
      agents: [anAgent({ id: 'secondary-coder-2', roleName: 'Secondary Coder', instance: 2 })],
    });
    expect(screen.getByTestId('cost-role-architect').textContent).toMatch(/Architect.*12\.0k \/ 3,000.*\$0\.40/);
    expect(screen.getByTestId('cost-agent-secondary-coder-2').textContent).toMatch(/Coder 2.*\$0\.20/);
    expect(screen.getByTestId('cost-agent-architect').textContent).toContain('architect');
  });
});
