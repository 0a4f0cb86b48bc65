import type * as vscode from 'vscode';
import type { RoleResolution } from '../engine/roles/roleValidation';
import type { CostPreview } from '../protocol/rolesView';
import type { RunController } from '../run/runController';
import type { RunLog } from '../run/runLog';
import type { DashboardFocus } from '../statusBar/statusBarText';

/** What the commands work with; built once in `activate`. */
export interface CommandDeps {
  controller: RunController;
  log: RunLog;
  channel: vscode.LogOutputChannel;
  /** Provider API keys, by the names profiles give in `apiKeyEnv`. */
  secrets: vscode.SecretStorage;
  /** The stored roles configuration, checked, and its cost estimate. */
  roles: { resolution(): RoleResolution; costEstimate(): CostPreview };
  showDashboard(focus?: DashboardFocus): void;
}
