import * as vscode from 'vscode';
import { chooseRun, discardUnfinishedRun, resumeUnfinishedRun } from '../run/unfinishedRunActions';
import { userWords } from '../run/userErrors';
import type { CommandDeps } from './commandDeps';

/** A run id given by code: a string, or an object carrying `runId` (a tree item of the Runs view). */
export type RunIdArg = string | { runId?: unknown } | undefined;

/**
 * `kiloOrchestra.resumeRun`: continues an unfinished run of this workspace in this window (the
 * one named, else the only one, else the one picked). Resolves with its run id once it has started.
 */
export async function resumeRun(deps: CommandDeps, arg?: RunIdArg): Promise<{ runId: string } | undefined> {
  try {
    const runId = await chooseRun(deps, 'resume', runIdOf(arg));
    if (!runId) return undefined;
    const session = await resumeUnfinishedRun(deps, runId);
    if (!session) return undefined;
    deps.showDashboard({ tab: 'run' });
    return { runId: session.runId };
  } catch (error) {
    report(deps, 'resume', error);
    return undefined;
  }
}

/** `kiloOrchestra.discardRun`: ends an unfinished run for good, so it is neither offered nor resumed again. */
export async function discardRun(deps: CommandDeps, arg?: RunIdArg): Promise<boolean> {
  try {
    const runId = await chooseRun(deps, 'discard', runIdOf(arg));
    if (!runId) return false;
    await discardUnfinishedRun(deps, runId);
    void vscode.window.showInformationMessage(`Run ${runId} was discarded: it will not be offered or resumed again. Its files and artifacts stay.`);
    return true;
  } catch (error) {
    report(deps, 'discard', error);
    return false;
  }
}

function runIdOf(arg: RunIdArg): string | undefined {
  const value = typeof arg === 'object' && arg !== null ? arg.runId : arg;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function report(deps: CommandDeps, what: string, error: unknown): void {
  const { message, hint } = userWords(error);
  deps.log.error(`Could not ${what} the run: ${message}`);
  void vscode.window.showErrorMessage(hint ? `${message} ${hint}` : message, 'Show Log').then((choice) => {
    if (choice) deps.channel.show(true);
  });
}
