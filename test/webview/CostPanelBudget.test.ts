// @vitest-environment jsdom
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import CostPanel from '../../webview/components/CostPanel.svelte';
import { aCost } from './fixtures/dashboardBuilders';

describe('CostPanel role budgets', () => {
  it("shows a role's spending against its own budget, marked when over it", () => {
    const byRole = [
      { role: 'architect', roleName: 'Architect', usd: 0.4, tokens: { input: 1, output: 1 }, budgetUsd: 0.5 },
      { role: 'code-sceptic', roleName: 'Code Sceptic', usd: 0.3, tokens: { input: 1, output: 1 }, budgetUsd: 0.25 },
      { role: 'debugger', roleName: 'Debugger', usd: 0.1, tokens: { input: 1, output: 1 } },
    ];
    render(CostPanel, { cost: aCost({ totalUsd: 0.8, byRole }), agents: [] });
    expect(screen.getByTestId('cost-role-architect').textContent).toMatch(/\$0\.40 of \$0\.50/);
    expect(screen.getByTestId('cost-role-architect').querySelector('.over')).toBeNull();
    expect(screen.getByTestId('cost-role-code-sceptic').querySelector('.over')?.textContent).toContain('of $0.25');
    expect(screen.getByTestId('cost-role-debugger').textContent).not.toContain(' of ');
  });
});
