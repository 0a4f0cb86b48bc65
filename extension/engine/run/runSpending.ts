import type { AgentRecord } from '../agents/agentSchema';
import type { WorkRequest } from '../backends/agentBackend';
import type { RoleResolution } from '../roles/roleValidation';
import { BudgetGuard, estimateTurn, type BudgetReport, type BudgetStop, type Budgets } from './budget';

/**
 * A run's money: the budget guard, fed with every agent's cost, including what agents cost in
 * earlier processes of the same run (a resumed run starts with a fresh pool but not a fresh bill).
 */
export class RunSpending {
  readonly guard: BudgetGuard;
  /** Set once a budget stopped the run, until it is resumed: later refusals add no second pause. */
  stopped?: BudgetStop;

  constructor(
    private readonly options: {
      budgets: Budgets;
      roles: RoleResolution;
      /** The agents of this process. */
      live: () => AgentRecord[];
      /** Agents as saved by an earlier process of this run. */
      carried?: AgentRecord[];
    },
  ) {
    this.guard = new BudgetGuard({ budgets: options.budgets, agents: () => this.agents() });
  }

  /** Every agent of the run, with turns, tokens and cost summed over this and earlier processes. */
  agents(): AgentRecord[] {
    const live = this.options.live();
    const carried = this.options.carried ?? [];
    if (carried.length === 0) return live;
    const byId = new Map(live.map((agent) => [agent.id, agent]));
    const merged = carried.map((before): AgentRecord => {
      const now = byId.get(before.id);
      byId.delete(before.id);
      if (!now) return { ...before, status: before.status === 'terminated' ? 'idle' : before.status, tokens: { ...before.tokens } };
      return {
        ...now,
        turns: before.turns + now.turns,
        tokens: { input: before.tokens.input + now.tokens.input, output: before.tokens.output + now.tokens.output },
        costUsd: before.costUsd + now.costUsd,
      };
    });
    return [...merged, ...byId.values()];
  }

  /**
   * Admits one turn of `role` (reserving its estimate under `key`) or says which budget it would
   * pass. Without budgets, or for a role that cannot be resolved, the turn is admitted unseen.
   */
  admit(key: string, role: string, request: Pick<WorkRequest, 'prompt' | 'inputs'>): BudgetStop | undefined {
    if (!this.guard.active) return undefined;
    let resolved;
    try {
      resolved = this.options.roles.resolve(role);
    } catch {
      return undefined; // the dispatch itself reports a role without a profile
    }
    const sentChars = resolved.role.prompt.length + request.prompt.length + request.inputs.reduce((sum, input) => sum + input.content.length + input.summary.length, 0);
    const earlier = this.agents().filter((agent) => agent.role === role);
    return this.guard.admit(key, role, estimateTurn({ sentChars, profile: resolved.profile, earlier }));
  }

  release(key: string): void {
    this.guard.release(key);
  }

  setBudgets(budgets: Budgets): void {
    this.guard.setBudgets(budgets);
  }

  report(): BudgetReport {
    const stop = this.stopped;
    return { ...this.guard.report(), ...(stop ? { stoppedBy: { scope: stop.scope, role: stop.role, limitUsd: stop.limitUsd, reason: stop.reason } } : {}) };
  }

  /** Total and per-role cost, for the snapshot. */
  spent(): { totalUsd: number; byRole: Record<string, number> } {
    const report = this.guard.report();
    return { totalUsd: report.spentUsd, byRole: Object.fromEntries(Object.entries(report.roles).map(([role, entry]) => [role, entry.spentUsd])) };
  }
}
