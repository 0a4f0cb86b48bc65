import { z } from 'zod';
import type { AgentRecord } from '../agents/agentSchema';
import type { Profile } from '../roles/roleSchema';

const Usd = z.number().finite().positive();

/** Spending limits in USD: for the whole run, and per role id. */
export const BudgetsSchema = z.strictObject({
  runUsd: Usd.optional(),
  roleUsd: z.record(z.string().min(1), Usd).optional(),
});
export type Budgets = z.infer<typeof BudgetsSchema>;

/** Output tokens assumed for a role's first turn, before it has shown what it writes. */
export const DEFAULT_OUTPUT_TOKENS = 1000;

/** What one turn is expected to cost; `usd` is absent when the profile names no price. */
export interface TurnEstimate {
  inputTokens: number;
  outputTokens: number;
  usd?: number;
}

/**
 * Tokens of a text, cheaply: four characters a token. Exact counting would cost more CPU than the
 * estimate is worth on large inputs, and a budget check must never block the run.
 */
export function roughTokens(chars: number): number {
  return Math.ceil(Math.max(0, chars) / 4);
}

/**
 * The cost of the next turn of a role, priced with the profile's USD per million tokens. Input is
 * the text it is sent (role prompt, work prompt, inputs), or the role's average input so far when
 * that is more: a backend adds its own system prompt and tool definitions, which Kilo bills and
 * the text alone does not show. Output is the role's average so far, or a default.
 */
export function estimateTurn(input: { sentChars: number; profile: Pick<Profile, 'cost'>; earlier: readonly AgentRecord[] }): TurnEstimate {
  const turns = input.earlier.reduce((sum, agent) => sum + agent.turns, 0);
  const written = input.earlier.reduce((sum, agent) => sum + agent.tokens.output, 0);
  const read = input.earlier.reduce((sum, agent) => sum + agent.tokens.input, 0);
  const inputTokens = Math.max(roughTokens(input.sentChars), turns > 0 ? Math.ceil(read / turns) : 0);
  const outputTokens = turns > 0 ? Math.ceil(written / turns) : DEFAULT_OUTPUT_TOKENS;
  const price = input.profile.cost;
  if (!price) return { inputTokens, outputTokens };
  return { inputTokens, outputTokens, usd: (inputTokens * price.input + outputTokens * price.output) / 1e6 };
}

/** A budget that the next turn would pass: the run must pause before sending it. */
export interface BudgetStop {
  scope: 'run' | 'role';
  role: string;
  limitUsd: number;
  spentUsd: number;
  reservedUsd: number;
  /** Absent for an unpriced turn. */
  estimateUsd?: number;
  /** One line for the user and the report. */
  reason: string;
}

/** Where the money went, against the limits, for the run report. */
export interface BudgetReport {
  runUsd?: number;
  spentUsd: number;
  roles: Record<string, { spentUsd: number; budgetUsd?: number }>;
  /** Roles whose profile has no price: their turns could not be estimated, only counted afterwards. */
  estimateUnavailable: string[];
  /** The budget that paused the run, when one did. */
  stoppedBy?: Pick<BudgetStop, 'scope' | 'role' | 'limitUsd' | 'reason'>;
}

export interface BudgetGuardOptions {
  budgets: Budgets;
  /** Every agent of the run so far (carried-over ones included), with what it cost. */
  agents: () => AgentRecord[];
}

/**
 * Keeps a run inside its budgets. Spent money is what the backend reported per agent; turns sent
 * but not answered yet are reserved at their estimate, so several turns dispatched together cannot
 * each pass the check alone and overspend together.
 */
export class BudgetGuard {
  private budgets: Budgets;
  private readonly reserved = new Map<string, { role: string; usd: number }>();
  private readonly unpriced = new Set<string>();

  constructor(private readonly options: BudgetGuardOptions) {
    this.budgets = BudgetsSchema.parse(options.budgets);
  }

  /** New limits (the user raised them before resuming); reservations are kept. */
  setBudgets(budgets: Budgets): void {
    this.budgets = BudgetsSchema.parse(budgets);
  }

  get limits(): Budgets {
    return { ...this.budgets, ...(this.budgets.roleUsd ? { roleUsd: { ...this.budgets.roleUsd } } : {}) };
  }

  /** True when any limit is set. */
  get active(): boolean {
    return this.budgets.runUsd !== undefined || Object.keys(this.budgets.roleUsd ?? {}).length > 0;
  }

  /**
   * Checks the turn `key` of `role` against the run's and the role's budget. Within both, the
   * estimate is reserved until `release(key)` and nothing is returned; otherwise nothing is
   * reserved and the stop says which budget. An unpriced turn cannot be estimated: it reserves
   * nothing and is stopped only once what the backend reported has reached a budget.
   */
  admit(key: string, role: string, estimate: TurnEstimate): BudgetStop | undefined {
    this.reserved.delete(key);
    if (estimate.usd === undefined) this.unpriced.add(role);
    const stop = this.wouldPass(role, estimate.usd);
    if (stop) return stop;
    if (estimate.usd !== undefined) this.reserved.set(key, { role, usd: estimate.usd });
    return undefined;
  }

  release(key: string): void {
    this.reserved.delete(key);
  }

  reservedUsd(role?: string): number {
    let sum = 0;
    for (const entry of this.reserved.values()) if (role === undefined || entry.role === role) sum += entry.usd;
    return sum;
  }

  spentUsd(role?: string): number {
    return this.options.agents().reduce((sum, agent) => (role === undefined || agent.role === role ? sum + agent.costUsd : sum), 0);
  }

  report(): BudgetReport {
    // A Map, so that a role named like an Object.prototype member stays a plain entry.
    const roles = new Map<string, { spentUsd: number; budgetUsd?: number }>();
    const entry = (role: string) => roles.get(role) ?? roles.set(role, { spentUsd: 0 }).get(role)!;
    for (const agent of this.options.agents()) entry(agent.role).spentUsd += agent.costUsd;
    for (const [role, limit] of Object.entries(this.budgets.roleUsd ?? {})) entry(role).budgetUsd = limit;
    for (const value of roles.values()) value.spentUsd = roundUsd(value.spentUsd);
    return {
      ...(this.budgets.runUsd !== undefined ? { runUsd: this.budgets.runUsd } : {}),
      spentUsd: roundUsd(this.spentUsd()),
      roles: Object.fromEntries(roles),
      estimateUnavailable: [...this.unpriced].sort(),
    };
  }

  private wouldPass(role: string, estimateUsd: number | undefined): BudgetStop | undefined {
    const runLimit = this.budgets.runUsd;
    if (runLimit !== undefined) {
      const stop = this.check('run', role, runLimit, this.spentUsd(), this.reservedUsd(), estimateUsd);
      if (stop) return stop;
    }
    const roleUsd = this.budgets.roleUsd ?? {};
    const roleLimit = Object.hasOwn(roleUsd, role) ? roleUsd[role] : undefined;
    if (roleLimit !== undefined) return this.check('role', role, roleLimit, this.spentUsd(role), this.reservedUsd(role), estimateUsd);
    return undefined;
  }

  private check(scope: BudgetStop['scope'], role: string, limitUsd: number, spentUsd: number, reservedUsd: number, estimateUsd: number | undefined): BudgetStop | undefined {
    const committed = spentUsd + reservedUsd;
    if (estimateUsd === undefined ? committed < limitUsd : committed + estimateUsd <= limitUsd) return undefined;
    const which = scope === 'run' ? 'The run budget' : `The budget of ${role}`;
    const running = reservedUsd > 0 ? ` (+${usd(reservedUsd)} in turns under way)` : '';
    const next = estimateUsd === undefined ? `next turn not priced (${role}: its profile has no price)` : `next turn ~${usd(estimateUsd)} (${role})`;
    return {
      scope,
      role,
      limitUsd,
      spentUsd,
      reservedUsd,
      ...(estimateUsd !== undefined ? { estimateUsd } : {}),
      reason: `${which} of ${usd(limitUsd)} ${estimateUsd === undefined ? 'is spent' : 'would be passed'}: spent ${usd(spentUsd)}${running}, ${next}`,
    };
  }
}

/** Money in the words of a budget line: cents, or more digits below a cent. */
export function usd(value: number): string {
  return value > 0 && value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

function roundUsd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * Budgets from settings (`kiloOrchestra.budgetUsd`, `kiloOrchestra.roleBudgetsUsd`): empty, zero
 * or null means no limit; a value that is not a positive amount is left out with a warning.
 */
export function readBudgets(runUsd: unknown, roleUsd: unknown, warn: (problem: string) => void): Budgets {
  const budgets: Budgets = {};
  if (typeof runUsd === 'number' && Usd.safeParse(runUsd).success) budgets.runUsd = runUsd;
  else if (runUsd !== undefined && runUsd !== null && runUsd !== 0) warn(`kiloOrchestra.budgetUsd must be an amount in US dollars; ${JSON.stringify(runUsd)?.slice(0, 40)} is ignored.`);
  if (roleUsd === undefined || roleUsd === null) return budgets;
  if (typeof roleUsd !== 'object' || Array.isArray(roleUsd)) {
    warn('kiloOrchestra.roleBudgetsUsd must map role ids to amounts in US dollars; it is ignored.');
    return budgets;
  }
  const roles: Record<string, number> = {};
  for (const [role, value] of Object.entries(roleUsd)) {
    if (typeof value === 'number' && Usd.safeParse(value).success) roles[role] = value;
    else warn(`kiloOrchestra.roleBudgetsUsd.${role.slice(0, 40)} must be a positive amount in US dollars; it is ignored.`);
  }
  if (Object.keys(roles).length > 0) budgets.roleUsd = roles;
  return budgets;
}
