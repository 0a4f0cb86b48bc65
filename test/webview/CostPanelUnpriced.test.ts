// @vitest-environment jsdom
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import CostPanel from '../../webview/components/CostPanel.svelte';
import { aCost } from './fixtures/dashboardBuilders';

describe('CostPanel with unpriced models', () => {
  it('says the total leaves the unpriced models out, and marks their roles', () => {
    const byRole = [
      { role: 'organiser', roleName: 'Organiser', usd: 0, tokens: { input: 900, output: 80 }, unpriced: true },
      { role: 'architect', roleName: 'Architect', usd: 0.4, tokens: { input: 12_000, output: 3_000 } },
    ];
    render(CostPanel, { cost: aCost({ totalUsd: 0.4, byRole, unpricedModels: ['Kilo default (teamproxy/team-model)'] }), agents: [] });
    expect(screen.getByTestId('cost-unpriced').textContent).toMatch(/Unpriced: Kilo default \(teamproxy\/team-model\) has no price, so its use counts as \$0 and budgets cannot stop it\./);
    expect(screen.getByTestId('cost-role-unpriced-organiser')).toBeTruthy();
    expect(screen.queryByTestId('cost-role-unpriced-architect')).toBeNull();
  });

  it('says nothing of prices when every model has one', () => {
    render(CostPanel, { cost: aCost({ totalUsd: 0.4 }), agents: [] });
    expect(screen.queryByTestId('cost-unpriced')).toBeNull();
  });
});
