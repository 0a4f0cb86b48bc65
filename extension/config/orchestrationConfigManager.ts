import { z } from 'zod';
import { parseRolesConfig } from '../engine/roles/rolesConfigFile';
import { ProfileSchema, RoleIdSchema, RoleOverrideSchema, type RolesConfig } from '../engine/roles/roleSchema';
import { resolveRoles, type RoleResolution } from '../engine/roles/roleValidation';
import { KILO_DEFAULT_PROFILE_ID, modelName, type KiloDefaultModel } from '../engine/roles/kiloDefault';
import type { Disposable } from '../engine/util/disposable';
import { OrchestraError, describeError } from '../engine/util/errors';
import { TypedEmitter } from '../engine/util/typedEvents';
import type { ConfigIssueView, CostPreview, DiscoveredModel, RolesConfigView } from '../protocol/rolesView';
import { WorkflowDefinitionSchema } from '../protocol/workflowDefinition';
import { configIssues } from './configChecks';
import { costPreview } from './costPreview';
import { readValidated, type CorruptValue, type MementoLike } from './mementoStore';
import { configToView, viewToConfig } from './roleCards';
import { applyTemplate, type TemplateId } from './roleTemplates';

/** Profiles follow the user from workspace to workspace. */
export const PROFILES_KEY = 'kiloOrchestra.profiles';
/** Which role runs on which profile, and role changes, belong to one workspace. */
export const WORKSPACE_ROLES_KEY = 'kiloOrchestra.roles';

const StoredProfilesSchema = z.array(ProfileSchema);
const StoredWorkspaceRolesSchema = z.object({
  roles: z.array(RoleOverrideSchema).default([]),
  assignments: z.record(RoleIdSchema, z.string()).default({}),
  /** The workflow belongs to the workspace, like the roles that join it. */
  workflow: WorkflowDefinitionSchema.optional(),
});
type StoredWorkspaceRoles = z.infer<typeof StoredWorkspaceRolesSchema>;

export interface OrchestrationConfigManagerOptions {
  globalState: MementoLike;
  workspaceState: MementoLike;
  /** The user's Kilo default model, which every role nobody assigned runs on; none: such roles stay errors. */
  kiloDefault?: () => KiloDefaultModel | undefined;
  log?: (line: string) => void;
  now?: () => number;
}

type ManagerEvents = { changed: () => void };

/**
 * The roles configuration of the extension: profiles in global state, role changes and
 * assignments in workspace state, both validated with the engine's schemas on the way in and out.
 * Changes apply at the next task start: a run resolves the configuration once, when it begins.
 */
export class OrchestrationConfigManager {
  private readonly emitter = new TypedEmitter<ManagerEvents>();
  private readonly corrupt = new Map<string, CorruptValue>();
  private readonly now: () => number;

  constructor(private readonly options: OrchestrationConfigManagerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The stored configuration; corrupt stored data becomes the defaults (see `issues`). Never throws. */
  load(): RolesConfig {
    const profiles = this.read(this.options.globalState, PROFILES_KEY, StoredProfilesSchema, () => []);
    const workspace = this.read(this.options.workspaceState, WORKSPACE_ROLES_KEY, StoredWorkspaceRolesSchema, (): StoredWorkspaceRoles => ({ roles: [], assignments: {} }));
    return { profiles, roles: workspace.roles, assignments: workspace.assignments, ...(workspace.workflow ? { workflow: workspace.workflow } : {}) };
  }

  /** The stored configuration merged with the built-in roles and checked: what a task starting now runs with. */
  resolution(): RoleResolution {
    const kiloDefault = this.options.kiloDefault?.();
    return resolveRoles(this.load(), kiloDefault ? { kiloDefault } : {});
  }

  /** "Kilo default (provider/model)", the model a role without an assignment runs on, when Kilo has one. */
  kiloDefaultName(): string | undefined {
    const model = this.options.kiloDefault?.();
    return model ? modelName({ id: KILO_DEFAULT_PROFILE_ID, ...model }) : undefined;
  }

  /** The configuration as the roles tab edits it. */
  view(): RolesConfigView {
    return configToView(this.load());
  }

  /**
   * Validates and stores a configuration from the roles tab.
   * @throws OrchestraError `invalid-config` (nothing is stored) when the engine's schema refuses it.
   */
  async save(view: RolesConfigView): Promise<void> {
    await this.store(viewToConfig(view));
  }

  /** Assigns models to every role by a template (see `applyTemplate`) and stores the result. */
  async applyTemplate(templateId: TemplateId, discovered: readonly DiscoveredModel[]): Promise<void> {
    await this.store(parseRolesConfig(applyTemplate(templateId, this.load(), discovered), `The ${templateId} template`));
  }

  /**
   * Stores a whole configuration (already in the engine's shape, e.g. after an import).
   * @throws OrchestraError `invalid-config` (nothing is stored) when the engine's schema refuses it, or
   * a custom role joins a step after a role that is not in it (or in a circle): a run could not start.
   */
  async store(config: RolesConfig): Promise<void> {
    const valid = parseNamingRoles(config);
    const badJoin = resolveRoles(valid).errors.find((issue) => issue.code === 'join-invalid');
    if (badJoin) throw new OrchestraError('invalid-config', `The roles configuration: ${badJoin.message}`, { hint: 'Change where that role joins in its editor, or in the roles file.' });
    const workspace: StoredWorkspaceRoles = { roles: valid.roles, assignments: valid.assignments, ...(valid.workflow ? { workflow: valid.workflow } : {}) };
    await this.options.globalState.update(PROFILES_KEY, valid.profiles);
    await this.options.workspaceState.update(WORKSPACE_ROLES_KEY, workspace);
    this.corrupt.delete(PROFILES_KEY);
    this.corrupt.delete(WORKSPACE_ROLES_KEY);
    this.emitter.emit('changed');
  }

  /**
   * Everything the user should know: the resolution's errors and warnings (required role
   * unassigned, one model everywhere …), an expensive model on a high-volume role, and stored data
   * that was corrupt and replaced by defaults.
   */
  issues(discovered: readonly DiscoveredModel[] = []): ConfigIssueView[] {
    const issues = configIssues(this.resolution(), discovered);
    for (const corrupt of this.corrupt.values()) {
      issues.push({
        severity: 'warning',
        code: 'stored-config-corrupt',
        message: `The stored ${corrupt.key === PROFILES_KEY ? 'provider profiles were' : 'role settings of this workspace were'} damaged (${corrupt.problem}) and were replaced by defaults; the old value is kept under "${corrupt.backupKey}".`,
      });
    }
    return issues;
  }

  /** Estimated cost of a typical task with the stored configuration (see `costPreview`). */
  costEstimate(discovered: readonly DiscoveredModel[] = []): CostPreview {
    return costPreview(this.resolution(), discovered);
  }

  onDidChange(listener: () => void): Disposable {
    return this.emitter.on('changed', listener);
  }

  private read<T>(memento: MementoLike, key: string, schema: z.ZodType<T>, fallback: () => T): T {
    const known = this.corrupt.get(key);
    const { value, corrupt } = readValidated(
      memento,
      key,
      schema,
      fallback,
      this.now,
      (error) => this.options.log?.(`roles: could not back up the damaged value of ${key}: ${describeError(error)}`),
      known,
    );
    if (corrupt && corrupt !== known) {
      this.corrupt.set(key, corrupt);
      this.options.log?.(`roles: the stored value of ${key} was damaged (${corrupt.problem}); it was kept under ${corrupt.backupKey} and defaults are used.`);
    }
    return value;
  }
}

/**
 * The engine's check, with a role named by its id instead of its index (`security-auditor.joins.files`
 * rather than `roles[0].joins.files`): the stored list leaves unchanged built-ins out, so its indices
 * mean nothing to someone looking at the tab.
 */
function parseNamingRoles(config: RolesConfig): RolesConfig {
  try {
    return parseRolesConfig(config, 'The roles configuration');
  } catch (error) {
    if (!(error instanceof OrchestraError)) throw error;
    const message = error.message.replace(/: roles\[(\d+)\]/, (whole, index: string) => {
      const id = config.roles[Number(index)]?.id;
      return id ? `: ${id}` : whole;
    });
    if (message === error.message) throw error;
    throw new OrchestraError(error.reason, message, { cause: error, ...(error.hint ? { hint: error.hint } : {}) });
  }
}
