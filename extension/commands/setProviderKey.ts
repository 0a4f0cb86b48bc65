import * as vscode from 'vscode';
import type { CommandDeps } from './commandDeps';

/** Arguments for calls from code (tests): which key to store, and its value. */
export interface SetProviderKeyArgs {
  name: string;
  value: string;
}

const KEY_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Stores a provider's API key in VS Code's SecretStorage under the name a profile gives in
 * `apiKeyEnv`. Keys never go to settings or disk; the Kilo server gets them in memory at the next
 * task start (see kiloRuntime).
 */
export async function setProviderKey(deps: CommandDeps, args?: SetProviderKeyArgs): Promise<void> {
  if (args) return store(deps, args.name, args.value);
  const names = [...new Set(deps.roles.resolution().profiles.flatMap((p) => (p.apiKeyEnv ? [p.apiKeyEnv] : [])))];
  if (names.length === 0) {
    // Not awaited: the command is done; the notification's action may come much later or never.
    void vscode.window
      .showInformationMessage(
        'No provider profile names an API key yet. Providers Kilo Code already knows use the keys you set up in Kilo Code; a custom OpenAI-compatible profile names its key in "apiKeyEnv" (import or edit it on the Agent Roles tab).',
        'Configure Agent Roles',
      )
      .then((action) => action && deps.showDashboard({ tab: 'roles' }));
    return;
  }
  const name = names.length === 1 ? names[0] : await vscode.window.showQuickPick(names, { title: 'Set Provider API Key', placeHolder: 'Which key?' });
  if (!name) return;
  const value = await vscode.window.showInputBox({ title: `API key ${name}`, password: true, ignoreFocusOut: true, prompt: 'Stored in VS Code SecretStorage, never in settings or files.' });
  if (value === undefined) return;
  await store(deps, name, value);
}

async function store(deps: CommandDeps, name: string, value: string): Promise<void> {
  if (!KEY_NAME.test(name)) throw new Error(`"${name}" is not a key name: use capitals, digits and underscores, like OPENROUTER_API_KEY.`);
  if (value.trim() === '') {
    await deps.secrets.delete(name);
    deps.log.info(`API key ${name} removed from SecretStorage`);
    void vscode.window.showInformationMessage(`Removed the stored key ${name}.`);
    return;
  }
  await deps.secrets.store(name, value.trim());
  deps.log.info(`API key ${name} stored in SecretStorage`);
  void vscode.window.showInformationMessage(`Stored ${name}; agents use it from the next task start.`);
}
