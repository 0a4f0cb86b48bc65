import * as vscode from 'vscode';
import type { RolesDialogs } from './rolesController';

/** VS Code's open dialogs and notifications for the roles tab. */
export function vscodeRolesDialogs(): RolesDialogs {
  return {
    pickFolder: async (title) => (await vscode.window.showOpenDialog({ title, canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Export here' }))?.[0]?.fsPath,
    pickFiles: async (title) =>
      (await vscode.window.showOpenDialog({ title, canSelectFiles: true, canSelectMany: true, openLabel: 'Import', filters: { 'Kilo agent files and roles files': ['md', 'json'] } }))?.map((uri) => uri.fsPath),
    showInfo: (message) => void vscode.window.showInformationMessage(message),
  };
}
