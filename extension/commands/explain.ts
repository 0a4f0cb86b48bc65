import * as vscode from 'vscode';
import { describeError } from '../engine/util/errors';
import { phaseWords } from '../statusBar/statusBarText';
import type { CommandDeps } from './commandDeps';
import { liveSession } from './runControls';

/** Asks the Organiser for a plain-words summary and shows it as a Markdown document beside the editor. */
export async function explain(deps: CommandDeps): Promise<string | undefined> {
  const session = liveSession(deps, 'to explain');
  if (!session) return undefined;
  try {
    const answer = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Asking the Organiser what is happening…' }, () => session.explain());
    const content = [`# What's happening — ${phaseWords(session.run.workflow.phase)}`, '', `*Task:* ${session.run.workflow.task}`, '', answer, '', `*Run ${session.runId}, asked at ${new Date().toLocaleTimeString()}.*`].join('\n');
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content });
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
    return answer;
  } catch (error) {
    void vscode.window.showErrorMessage(`The Organiser could not answer: ${describeError(error)}`, 'Open Dashboard', 'Show Log').then((choice) => {
      if (choice === 'Open Dashboard') deps.showDashboard({ tab: 'run' });
      if (choice === 'Show Log') deps.channel.show(true);
    });
    return undefined;
  }
}
