import * as vscode from 'vscode';
import { describeError } from '../engine/util/errors';
import type { CommandDeps } from './commandDeps';
import { liveSession } from './runControls';

/**
 * Asks the Organiser what is happening and answers in the dashboard's Organiser chat: the panel
 * opens on the run first, so the question and its pending answer show at once. No document is
 * opened, so nothing asks to be saved. The question names the phase it was asked in, and the
 * Organiser's context is built at the same moment, so both speak of the same phase.
 */
export async function explain(deps: CommandDeps): Promise<string | undefined> {
  const session = liveSession(deps, 'to explain');
  if (!session) return undefined;
  deps.showDashboard({ tab: 'run' });
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Asking the Organiser what is happening…' }, () => session.explain());
  } catch (error) {
    // The chat shows the failure too; the notification is for a panel the user has since hidden.
    void vscode.window.showErrorMessage(`The Organiser could not answer: ${describeError(error)}`, 'Open Dashboard', 'Show Log').then((choice) => {
      if (choice === 'Open Dashboard') deps.showDashboard({ tab: 'run' });
      if (choice === 'Show Log') deps.channel.show(true);
    });
    return undefined;
  }
}
