import type { Snippet } from 'svelte';
import type { ConfigIssueView, CostPreview, DiscoveredModel, RoleCard, RolesConfigView, RolesView } from '../../extension/protocol/rolesView';
import type { RequestOutcome, SendRequest } from '../lib/request';

/**
 * The props of the Agent Roles components, in a .ts file so the shell and the tests can name them
 * (TypeScript only sees `.svelte` imports through the ambient `*.svelte` declaration).
 */
export interface RolesTabProps {
  /** `undefined` until the host's first `roles/didChange`. */
  roles: RolesView | undefined;
  request: SendRequest;
}

export interface RoleCardProps {
  role: RoleCard;
  /** The tab's draft, for the dropdown and the assigned profile. */
  config: RolesConfigView;
  discovered: DiscoveredModel[];
  /** The host's issues about this role. */
  issues: ConfigIssueView[];
  /** What the role runs on without an assignment ("Kilo default (provider/model)"), when Kilo has a default. */
  kiloDefault?: string | undefined;
  /** Why the last save of a change to this role failed. */
  error?: string | undefined;
  onProfileChange: (value: string) => void;
  onToggle: (active: boolean) => void;
  /** `typed` is true for keystrokes in the number field, which the tab debounces. */
  onInstances: (instances: number, typed: boolean) => void;
  /** Only for custom roles. */
  onEdit?: (() => void) | undefined;
  onRemove?: (() => void) | undefined;
  /** The editor, shown in the card while its role is being edited. */
  editor?: Snippet<[RoleCard]> | undefined;
}

export interface CustomRoleEditorProps {
  config: RolesConfigView;
  /** The custom role to edit; a new role is added when absent. */
  role?: RoleCard | undefined;
  /** Saves the changed config; the editor closes itself only through `onCancel`/the caller. */
  onSave: (config: RolesConfigView) => Promise<RequestOutcome>;
  onCancel: () => void;
}

export interface IssueListProps {
  issues: ConfigIssueView[];
  /** Role id → display name, for naming each issue's role. */
  roleNames: ReadonlyMap<string, string>;
  /** A click on an issue's role: the tab focuses that role's card. */
  onSelect: (roleId: string) => void;
}

export interface CostPreviewProps {
  preview: CostPreview;
  roleNames: ReadonlyMap<string, string>;
}

export interface WorkflowSectionProps {
  /** The tab's draft: the workflow and the roles that join its steps. */
  config: RolesConfigView;
  /** Why the last save of a workflow change failed. */
  error?: string | undefined;
  /** Saves the config with the changed workflow. */
  onChange: (config: RolesConfigView) => void;
}
