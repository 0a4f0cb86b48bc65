import * as vscode from 'vscode';
import { rollBackCounts, type Checkpoint } from '../engine/run/checkpoints';
import { STORE_DIR_NAME } from '../engine/util/paths';
import { describeError } from '../engine/util/errors';
import type { CommandDeps } from './commandDeps';

/** Arguments when called from code. */
export interface RollBackArgs {
  /** The checkpoint's number (1 = before the run); default: the user picks. */
  index?: number;
  skipConfirmation?: boolean;
}

/**
 * Restores the workspace to a checkpoint of this window's run, after a confirmation that says what
 * happens: a live run is cancelled, files are restored, files created since are deleted.
 */
export async function rollBackToCheckpoint(deps: CommandDeps, args?: RollBackArgs): Promise<boolean> {
  const session = deps.controller.current;
  const checkpoints = session?.checkpointList() ?? [];
  if (!session || checkpoints.length === 0 || !session.canRollBack) {
    void vscode.window.showInformationMessage('There is no checkpoint to roll back to: checkpoints are taken while a task runs in this window.');
    return false;
  }
  const checkpoint = args?.index !== undefined ? checkpoints.find((candidate) => candidate.index === args.index) : await pick(checkpoints);
  if (!checkpoint) return false;
  if (!args?.skipConfirmation) {
    const detail = [
      session.live ? 'The running task is cancelled first.' : undefined,
      'Files changed since then are restored and files created since then are deleted. Files git ignores, .git and .kilo-orchestra are not touched.',
      `Checkpoints are kept in ${STORE_DIR_NAME}/checkpoints.git, outside your repository and its history.`,
    ]
      .filter(Boolean)
      .join('\n\n');
    const choice = await vscode.window.showWarningMessage(`Roll back the workspace to checkpoint ${checkpoint.index} (${checkpoint.label})?`, { modal: true, detail }, 'Roll Back');
    if (choice !== 'Roll Back') return false;
  }
  try {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Rolling back to checkpoint ${checkpoint.index}…` }, () => session.rollBackTo(checkpoint));
    void vscode.window.showInformationMessage(`Rolled back to "${checkpoint.label}": ${rollBackCounts(result)}.`);
    return true;
  } catch (error) {
    deps.log.error(`Roll back to checkpoint ${checkpoint.index} failed: ${describeError(error)}`);
    void vscode.window.showErrorMessage(`Roll back failed: ${describeError(error)}`, 'Show Log').then((choice) => {
      if (choice) deps.channel.show(true);
    });
    return false;
  }
}

async function pick(checkpoints: Checkpoint[]): Promise<Checkpoint | undefined> {
  const items = [...checkpoints].reverse().map((checkpoint) => ({ checkpoint, label: `$(history) ${checkpoint.index}: ${checkpoint.label}`, description: checkpoint.commit.slice(0, 10) }));
  return (await vscode.window.showQuickPick(items, { title: 'Roll Back to Checkpoint', placeHolder: 'Which state should the workspace go back to?' }))?.checkpoint;
}
