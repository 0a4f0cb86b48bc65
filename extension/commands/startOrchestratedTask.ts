import * as vscode from 'vscode';
import type { RoleResolution } from '../engine/roles/roleValidation';
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
  const task = args?.task?.trim() || (await askForTask());
  if (!task) return undefined;

  const roles = deps.roles.resolution();
  if (roles.errors.length > 0) {
    const problems = roles.errors.map((issue) => issue.message).join(' ');
    deps.log.warn(`The task was not started; the roles configuration has problems: ${problems}`);
    void vscode.window.showErrorMessage(`The agent roles need fixing before a task can start: ${problems}`, 'Configure Agent Roles').then((choice) => {
      if (choice) void vscode.commands.executeCommand(COMMANDS.configureAgentRoles);
    });
    return undefined;
  }
  if (!args?.skipConfirmation && !(await confirmStart(task, roles, deps.roles.costEstimate()))) return undefined;

  const session = await controller.start(task, roles);
  if (!session) return undefined;
  deps.showDashboard({ tab: 'run' });
  return { runId: session.runId };
}

async function askForTask(): Promise<string | undefined> {
  const task = await vscode.window.showInputBox({
    title: 'Start Orchestrated Task',
    prompt: 'What should the team build? The Architect plans it, coders write it, the Code Sceptic reviews it.',
    placeHolder: 'e.g. Add overdue-loan tracking with reminders',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? 'Describe the task in a sentence or two.' : undefined),
  });
  return task?.trim() || undefined;
}

async function confirmStart(task: string, roles: RoleResolution, cost: CostPreview): Promise<boolean> {
  const choice = await vscode.window.showInformationMessage(`Start this task with ${roles.roles.filter((role) => role.active).length} roles?`, { modal: true, detail: startDetail(task, roles, cost) }, 'Start', 'Configure Agent Roles');
  if (choice === 'Configure Agent Roles') await vscode.commands.executeCommand(COMMANDS.configureAgentRoles);
  return choice === 'Start';
}
