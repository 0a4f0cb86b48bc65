import * as vscode from 'vscode';
import { COMMANDS } from '../commands/commandIds';
import { describeError, isOrchestraError } from '../engine/util/errors';
import type { RunLog } from './runLog';

/** Actions an error notification may offer; each does what it says. */
export type ErrorAction = 'Open Dashboard' | 'Show Log' | 'Retry' | 'Configure Agent Roles' | 'Install Kilo Code';

/**
 * Shows a failure at the UI edge: what went wrong and what to do next (the error's `hint`), with
 * actions. Never waits for the user, so a command that fails still returns at once.
 */
export function showError(log: RunLog, error: unknown, actions: ErrorAction[], handlers: { retry?: () => unknown } = {}): void {
  const { message, hint } = userWords(error);
  log.error(hint ? `${message} ${hint}` : message);
  void vscode.window.showErrorMessage(hint ? `${message} ${hint}` : message, ...actions).then((choice) => runAction(choice, handlers));
}

/** The message and what to do, from an OrchestraError, an Error or a plain `{ message, hint }`. */
export function userWords(error: unknown): { message: string; hint?: string } {
  if (isOrchestraError(error)) return { message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  if (typeof error === 'object' && error !== null && 'message' in error && !(error instanceof Error)) {
    const plain = error as { message: string; hint?: string };
    return { message: plain.message, ...(plain.hint ? { hint: plain.hint } : {}) };
  }
  return { message: describeError(error) };
}

async function runAction(choice: ErrorAction | undefined, handlers: { retry?: () => unknown }): Promise<void> {
  switch (choice) {
    case 'Open Dashboard':
      await vscode.commands.executeCommand(COMMANDS.openDashboard);
      return;
    case 'Show Log':
      await vscode.commands.executeCommand(COMMANDS.showLog);
      return;
    case 'Configure Agent Roles':
      await vscode.commands.executeCommand(COMMANDS.configureAgentRoles);
      return;
    case 'Install Kilo Code':
      await vscode.commands.executeCommand('extension.open', 'kilocode.kilo-code');
      return;
    case 'Retry':
      await handlers.retry?.();
      return;
    case undefined:
      return;
  }
}
