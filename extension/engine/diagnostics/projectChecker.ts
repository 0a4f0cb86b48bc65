import fs from 'node:fs';
import path from 'node:path';
import { resolveWorkflow, type WorkflowDefinition } from '../../protocol/workflowDefinition';
import { CommandChecker, splitCommand } from './commandChecker';
import type { DiagnosticsChecker } from './diagnosticsChecker';

/*
 * Which checker the headless diagnostics gate uses: the command the workflow definition names,
 * else the project's own TypeScript when it has one, else none (the gate is off). Nothing is looked
 * up on PATH and nothing runs through a shell unless the user's command itself is a shell.
 */

/** The project's own tsc, as run: the running Node on the workspace's node_modules/typescript. */
export const PROJECT_TSC = 'node_modules/typescript/bin/tsc';
const TSC_ARGS = ['--noEmit', '-p', 'tsconfig.json', '--pretty', 'false'];

export interface ProjectCheckerOptions {
  workspace: string;
  /** The roles file's `workflow` section (RoleResolution.workflow). */
  workflow?: WorkflowDefinition;
  /** The Node that runs the project's tsc; default this process's. */
  nodePath?: string;
}

/** The headless checker for the workspace, or undefined when the gate is off or nothing can check. */
export function projectChecker(options: ProjectCheckerOptions): DiagnosticsChecker | undefined {
  const gate = resolveWorkflow(options.workflow).diagnostics;
  if (!gate.enabled || gate.maxRounds === 0) return undefined;
  const configured = configuredChecker(options);
  if (configured) return configured;
  return projectTypeScript(options);
}

/** The definition's `diagnostics.command` as a checker, when it sets one. */
export function configuredChecker(options: Pick<ProjectCheckerOptions, 'workspace' | 'workflow'>): DiagnosticsChecker | undefined {
  const command = options.workflow?.diagnostics?.command;
  if (command === undefined) return undefined;
  return new CommandChecker({ argv: splitCommand(command), workspace: options.workspace, description: command });
}

/** `tsc --noEmit -p tsconfig.json` with the workspace's own TypeScript, when it has tsconfig.json and typescript installed. */
function projectTypeScript(options: ProjectCheckerOptions): DiagnosticsChecker | undefined {
  const tsconfig = path.join(options.workspace, 'tsconfig.json');
  const tsc = path.join(options.workspace, ...PROJECT_TSC.split('/'));
  if (!isFile(tsconfig) || !isFile(tsc)) return undefined;
  return new CommandChecker({
    argv: [options.nodePath ?? process.execPath, tsc, ...TSC_ARGS],
    workspace: options.workspace,
    description: 'tsc --noEmit -p tsconfig.json',
    // Inside VS Code process.execPath is Electron, which runs as plain Node only when told so.
    env: { ELECTRON_RUN_AS_NODE: '1' },
  });
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The run's opening line about the gate, or undefined when it is off: "Checks before review: tsc
 * --noEmit -p tsconfig.json (errors go back to the coder, at most 2 rounds)".
 */
export function describeGate(checker: DiagnosticsChecker | undefined, rounds: number | undefined): string | undefined {
  if (!checker || rounds === undefined || rounds <= 0) return undefined;
  return `Checks before review: ${checker.description} (errors go back to the coder, at most ${rounds} round${rounds === 1 ? '' : 's'})`;
}
