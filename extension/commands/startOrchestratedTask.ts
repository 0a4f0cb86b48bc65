import * as vscode from 'vscode';
import type { RoleResolution } from '../engine/roles/roleValidation';
import { readBudgets } from '../engine/run/budget';
import { unenforceableBudgets } from '../engine/run/unpricedModels';
import { startBlocker } from '../config/configChecks';
import type { CostPreview } from '../protocol/rolesView';
import type { StartTaskArgs } from '../testApi';
import type { CommandDeps } from './commandDeps';
import { COMMANDS } from './commandIds';
import { startDetail } from './startSummary';

/**
 * Asks for the task (unless given), shows each active role's provider/model, the warnings and the
 * cost estimate, then starts. A broken roles configuration blocks the start with a way to fix it.
 * Resolves with the run id once the run has started, or undefined when nothing started.
 */
export async function startOrchestratedTask(deps: CommandDeps, args?: StartTaskArgs): Promise<{ runId: string } | undefined> {
  const { controller } = deps;
  const current = controller.current;
  if (controller.live) {
    if (args?.skipConfirmation || !current) {
      void vscode.window.showWarningMessage('A task is already running in this window. Cancel it first, then start the new one.', 'Open Dashboard').then((choice) => {
        if (choice) deps.showDashboard({ tab: 'run' });
      });
      return undefined;
    }
    const choice = await vscode.window.showWarningMessage('A task is already running in this window.', { modal: true, detail: 'Only one orchestrated task runs per window. Cancel the running one and start a new task?' }, 'Cancel It and Start New');
    if (choice !== 'Cancel It and Start New') return undefined;
    await current.cancel();
    await current.finished;
  }
  // The roles are checked before the task is asked for: a task typed for a run that cannot start is lost work.
  const before = deps.roles.resolution();
  const blocker = startBlocker(before);
  if (blocker) {
    deps.log.warn(`No task was asked for; the roles configuration has problems: ${before.errors.map((issue) => issue.message).join(' ')}`);
    void vscode.window.showErrorMessage(blocker, 'Configure Agent Roles').then((choice) => {
      if (choice) void vscode.commands.executeCommand(COMMANDS.configureAgentRoles);
    });
    return undefined;
  }
  const task = args?.task?.trim() || (await askForTask(drafts.get(deps)));
  if (!task) return undefined;
  // Kept until the run starts, so "Configure Agent Roles" from the confirmation does not throw it away.
  drafts.set(deps, task);

  const roles = deps.roles.resolution();
  const stillBlocked = startBlocker(roles);
  if (stillBlocked) {
    deps.log.warn(`The task was not started (it is kept for the next start): ${stillBlocked}`);
    void vscode.window.showErrorMessage(`${stillBlocked} Your task is kept for the next start.`, 'Configure Agent Roles').then((choice) => {
      if (choice) void vscode.commands.executeCommand(COMMANDS.configureAgentRoles);
    });
    return undefined;
  }
  if (!args?.skipConfirmation && !(await confirmStart(task, roles, deps.roles.costEstimate(), budgetWarnings(roles)))) return undefined;

  const session = await controller.start(task, roles);
  if (!session) return undefined;
  drafts.delete(deps);
  deps.showDashboard({ tab: 'run' });
  return { runId: session.runId };
}

/** The task last typed in each window that did not start yet. */
const drafts = new WeakMap<CommandDeps, string>();

async function askForTask(draft: string | undefined): Promise<string | undefined> {
  const task = await vscode.window.showInputBox({
    ...(draft ? { value: draft } : {}),
    title: 'Start Orchestrated Task',
    prompt: 'What should the team build? The Architect plans it, coders write it, the Code Sceptic reviews it.',
    placeHolder: 'e.g. Add overdue-loan tracking with reminders',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? 'Describe the task in a sentence or two.' : undefined),
  });
  return task?.trim() || undefined;
}

/** The budget settings that cannot hold because their role's model has no price. */
function budgetWarnings(roles: RoleResolution): string[] {
  const settings = vscode.workspace.getConfiguration('kiloOrchestra');
  return unenforceableBudgets(roles, readBudgets(settings.get('budgetUsd'), settings.get('roleBudgetsUsd'), () => undefined));
}

async function confirmStart(task: string, roles: RoleResolution, cost: CostPreview, warnings: string[]): Promise<boolean> {
  const choice = await vscode.window.showInformationMessage(`Start this task with ${roles.roles.filter((role) => role.active).length} roles?`, { modal: true, detail: startDetail(task, roles, cost, warnings) }, 'Start', 'Configure Agent Roles');
  if (choice === 'Configure Agent Roles') await vscode.commands.executeCommand(COMMANDS.configureAgentRoles);
  return choice === 'Start';
}
