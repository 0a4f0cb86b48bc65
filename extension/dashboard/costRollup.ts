import type { AgentView, CostView } from '../protocol/viewModel';

/**
 * What the run has cost so far, per role and per agent, against the user's budget. Roles keep the
 * order in which their first agent appears, so the dashboard's rows do not jump around. An agent
 * whose model is in `unpricedModels` (names as `AgentView.model` gives them) marks its role unpriced.
 */
export function rollupCost(agents: readonly AgentView[], budgetUsd?: number, roleBudgetsUsd: Readonly<Record<string, number>> = {}, unpricedModels: ReadonlySet<string> = new Set()): CostView {
  const byRole = new Map<string, CostView['byRole'][number]>();
  const unpricedUsed = new Set<string>();
  for (const agent of agents) {
    const row = byRole.get(agent.role) ?? { role: agent.role, roleName: agent.roleName, usd: 0, tokens: { input: 0, output: 0 } };
    if (unpricedModels.has(agent.model)) {
      row.unpriced = true;
      unpricedUsed.add(agent.model);
    }
    row.usd += agent.costUsd;
    row.tokens.input += agent.tokens.input;
    row.tokens.output += agent.tokens.output;
    byRole.set(agent.role, row);
  }
  const rows = [...byRole.values()].map((row) => {
    const limit = Object.hasOwn(roleBudgetsUsd, row.role) ? roleBudgetsUsd[row.role] : undefined;
    return { ...row, usd: roundUsd(row.usd), ...(limit !== undefined ? { budgetUsd: limit } : {}) };
  });
  return {
    totalUsd: roundUsd(agents.reduce((sum, agent) => sum + agent.costUsd, 0)),
    ...(budgetUsd !== undefined ? { budgetUsd } : {}),
    byRole: rows,
    byAgent: agents.map((agent) => ({ agentId: agent.id, usd: roundUsd(agent.costUsd) })),
    ...(unpricedUsed.size > 0 ? { unpricedModels: [...unpricedUsed].sort() } : {}),
  };
}

/** Micro-dollar precision: float sums of many small costs otherwise show as 0.30000000000000004. */
function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
