import * as vscode from 'vscode';
import { describeError } from '../engine/util/errors';
import { pauseNotice } from '../run/pauseNotice';
import type { RunSession } from '../run/runSession';
import type { CommandDeps } from './commandDeps';
import { COMMANDS } from './commandIds';

/** Pause All, Resume and Cancel: they act on the live run, or say there is none. */
export async function pauseAll(deps: CommandDeps): Promise<void> {
  const session = liveSession(deps, 'to pause');
  if (!session) return;
  if (session.paused) return void vscode.window.showInformationMessage('The task is already paused.');
  const busy = session.agents();
  await act(deps, () => session.pause(), 'pause');
  void vscode.window.showInformationMessage(`${pauseNotice(busy, session.roleNaming)} Resume when you are ready.`, 'Resume').then((choice) => {
    if (choice) void resume(deps);
  });
}

export async function resume(deps: CommandDeps): Promise<void> {
  const session = liveSession(deps, 'to resume');
  if (!session) return;
  if (!session.paused) return void vscode.window.showInformationMessage('The task is not paused.');
  await act(deps, () => session.resume(), 'resume');
}

export async function cancel(deps: CommandDeps): Promise<void> {
  const session = liveSession(deps, 'to cancel');
  if (!session) return;
  await act(deps, () => session.cancel(), 'cancel');
}

/** The live session, or undefined after telling the user there is none (without waiting for them). */
export function liveSession(deps: CommandDeps, purpose: string): RunSession | undefined {
  const session = deps.controller.current;
  if (session?.live) return session;
  void vscode.window.showInformationMessage(`No orchestrated task is running ${purpose}.`, 'Start Orchestrated Task').then((choice) => {
    if (choice) void vscode.commands.executeCommand(COMMANDS.startOrchestratedTask);
  });
  return undefined;
}

async function act(deps: CommandDeps, action: () => Promise<void>, what: string): Promise<void> {
  try {
    await action();
  } catch (error) {
    deps.log.error(`Could not ${what} the run: ${describeError(error)}`);
    void vscode.window.showErrorMessage(`Could not ${what} the task: ${describeError(error)}`, 'Show Log');
  }
}
