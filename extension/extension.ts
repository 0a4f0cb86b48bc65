import * as vscode from 'vscode';
import { SimulatedBackend } from './engine/backends/simulatedBackend';
import { simulatedRolesConfig } from './engine/roles/rolesConfigFile';
import { resolveRoles } from './engine/roles/roleValidation';
import { OrchestrationRun } from './engine/run/orchestrationRun';
import { COMMANDS } from './commands/commandIds';

/**
 * The VS Code side is a thin layer over the engine. This first version runs the engine on the
 * simulated backend (deterministic scripted agents); the Kilo backend replaces it when configured.
 */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Kilo Orchestra', { log: true });
  context.subscriptions.push(log, vscode.commands.registerCommand(COMMANDS.startOrchestratedTask, () => startOrchestratedTask(log)));
}

export function deactivate(): void {}

async function startOrchestratedTask(log: vscode.LogOutputChannel): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('Kilo Orchestra needs an open folder on disk: open one, then start the task again.');
    return;
  }
  const task = await vscode.window.showInputBox({ title: 'Start Orchestrated Task', prompt: 'What should the team build?', ignoreFocusOut: true });
  if (!task?.trim()) return;
  const backend = new SimulatedBackend({});
  const run = await OrchestrationRun.create({ workspace: folder.uri.fsPath, task: task.trim(), roles: resolveRoles(simulatedRolesConfig()), backend, onAttention: 'fail' });
  run.events.on('workflow:transitioned', (change) => log.info(`[${run.runId}] ${change.from} → ${change.to}`));
  run.events.on('agent:statusChanged', (agent) => log.debug(`[${run.runId}] [${agent.id}] [${agent.role}] ${agent.status} ${agent.currentStep ?? ''}`));
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Kilo Orchestra (simulated agents)', cancellable: true },
    async (progress, token) => {
      token.onCancellationRequested(() => void run.cancel());
      run.events.on('workflow:transitioned', (change) => progress.report({ message: change.to }));
      try {
        return await run.start();
      } finally {
        await backend.dispose();
      }
    },
  );
  const message = `Orchestrated task ${report.status}: ${report.files.approved}/${report.files.planned} files approved.`;
  if (report.status === 'COMPLETED') void vscode.window.showInformationMessage(message);
  else void vscode.window.showWarningMessage(`${message} ${report.reason ?? ''}`);
}
