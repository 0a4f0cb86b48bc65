import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import type { ConfigIssueView, CostPreview, DiscoveredModel, ProfileView, RoleCard, RolesView } from '../../../extension/protocol/rolesView';

/**
 * Builds `RolesView` fixtures: `aRolesView().withRequiredUnassigned('architect').build()`. The
 * roles start as the engine's real built-ins, every one assigned, so a fixture only states what
 * a test is about.
 */
export class RolesViewBuilder {
  private view: RolesView;

  constructor() {
    const roles: RoleCard[] = BUILTIN_ROLES.map((role) => structuredClone(role));
    const profiles: ProfileView[] = [
      { id: 'sonnet', label: 'Claude Sonnet', providerID: 'anthropic', modelID: 'claude-sonnet-4', cost: { input: 3, output: 15 } },
      { id: 'mini', label: 'GPT Mini', providerID: 'openai', modelID: 'gpt-5-mini', cost: { input: 0.25, output: 2 } },
    ];
    const assignments = Object.fromEntries(roles.map((role) => [role.id, role.id === 'secondary-coder' ? 'mini' : 'sonnet']));
    this.view = {
      config: { profiles, roles, assignments },
      discovered: [
        { providerID: 'anthropic', modelID: 'claude-sonnet-4', label: 'Claude Sonnet', connected: true, cost: { input: 3, output: 15 } },
        { providerID: 'openrouter', modelID: 'qwen/qwen3-coder:free', label: 'Qwen3 Coder (free)', connected: true, cost: { input: 0, output: 0 } },
        { providerID: 'google', modelID: 'gemini-2.5-pro', label: 'Gemini 2.5 Pro', connected: false },
      ],
      issues: [],
      templates: [
        { id: 'economy', name: 'Economy', description: 'Cheap models everywhere but planning.' },
        { id: 'balanced', name: 'Balanced', description: 'A strong planner and reviewer, fast coders.' },
        { id: 'best-quality', name: 'Best quality', description: 'The strongest model on every role.' },
      ],
      costPreview: {
        totalUsd: 1.25,
        perRole: roles.map((role) => ({ roleId: role.id, usd: 0.15, priced: true })),
        basis: 'A 10-file task; tokens per role from the last runs.',
      },
      appliesAtNextStart: false,
    };
  }

  /** The role has no profile, and the host reports it as an error. */
  withRequiredUnassigned(roleId: string): this {
    const { [roleId]: _removed, ...assignments } = this.view.config.assignments;
    this.view.config.assignments = assignments;
    const name = this.view.config.roles.find((role) => role.id === roleId)?.name ?? roleId;
    return this.withIssue({ severity: 'error', code: 'required-unassigned', roleId, message: `${name} is required but has no provider profile; assign one to it.` });
  }

  withIssue(issue: ConfigIssueView): this {
    this.view.issues.push(issue);
    return this;
  }

  /** A custom role, active, with the given fields over sensible defaults. */
  withCustomRole(fields: Partial<RoleCard> & { id: string }, profileId?: string): this {
    this.view.config.roles.push({
      name: 'Security Auditor',
      description: 'Looks for security problems.',
      category: 'custom',
      required: false,
      builtin: false,
      capabilities: ['audit dependencies'],
      inputArtifacts: ['code'],
      outputArtifacts: ['review'],
      prompt: 'You audit code for security problems.',
      active: true,
      instances: 1,
      ...fields,
    });
    if (profileId !== undefined) this.view.config.assignments[fields.id] = profileId;
    return this;
  }

  withRole(roleId: string, fields: Partial<RoleCard>): this {
    this.view.config.roles = this.view.config.roles.map((role) => (role.id === roleId ? { ...role, ...fields } : role));
    return this;
  }

  withDiscovered(models: DiscoveredModel[]): this {
    this.view.discovered = models;
    return this;
  }

  withDiscoveryProblem(problem: string): this {
    this.view.discoveryProblem = problem;
    return this;
  }

  withCostPreview(costPreview: CostPreview): this {
    this.view.costPreview = costPreview;
    return this;
  }

  /** A run is live, so saved changes wait for the next task. */
  whileRunIsLive(): this {
    this.view.appliesAtNextStart = true;
    return this;
  }

  build(): RolesView {
    return structuredClone(this.view);
  }
}

export function aRolesView(): RolesViewBuilder {
  return new RolesViewBuilder();
}
