/// <reference types="mocha" />
import * as vscode from 'vscode';
import manifest from '../../../package.json';
import type { OrchestraExtensionApi } from '../../../extension/testApi';

// Shared by the host tests, which run inside the real extension host (see .vscode-test.mjs).

export const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;
export const KILO_EXTENSION_ID = 'kilocode.kilo-code';

/** The command ids package.json contributes, in its order. */
export const CONTRIBUTED_COMMANDS: string[] = manifest.contributes.commands.map((command) => command.command);

export function orchestraExtension(): vscode.Extension<OrchestraExtensionApi> {
  const extension = vscode.extensions.getExtension<OrchestraExtensionApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed in the test host.`);
  return extension;
}

/** The extension's test API, activating it if nothing has yet. */
export async function orchestraApi(): Promise<OrchestraExtensionApi> {
  const extension = orchestraExtension();
  return extension.isActive ? extension.exports : extension.activate();
}

/** The opened sample project (a fresh git repository each run). */
export function workspaceFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('The host tests need the sample workspace open.');
  return folder.uri.fsPath;
}

/**
 * Rejects when `promise` has not settled after `ms`: a command that waits for input nobody gives
 * would otherwise hold the suite until mocha's own, much longer, timeout.
 */
export async function within<T>(promise: Thenable<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms.`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve(promise), expired]);
  } finally {
    clearTimeout(timer);
  }
}
