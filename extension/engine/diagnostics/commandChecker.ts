import { OrchestraError } from '../util/errors';
import { toWorkspaceRelative } from '../util/paths';
import { parseCheckerOutput } from './checkerOutput';
import { runCheckerProcess, type CheckerProcessResult } from './checkerProcess';
import type { DiagnosticsChecker, FileDiagnostic } from './diagnosticsChecker';

/*
 * The headless gate's checker: the project's own command (tsc, eslint, or one the workflow
 * definition names), run exactly as given in the workspace, its output read by checkerOutput.ts.
 * A failing exit with diagnostics is the normal "errors found"; a command that cannot start, runs
 * too long, or fails without a single line the gate can read is a broken checker, said so with
 * what to change.
 */

export interface CommandCheckerOptions {
  /** The program and its arguments, exactly as run (no shell, no globbing, no quoting). */
  argv: readonly string[];
  workspace: string;
  /** For the user, e.g. "tsc --noEmit -p tsconfig.json"; default the argv joined by spaces. */
  description?: string;
  /** Added to the user's environment. */
  env?: NodeJS.ProcessEnv;
  /** Default 3 minutes: a whole-project type check of a large project. */
  timeoutMs?: number;
  /** Bytes of each output stream read; default 4 MB. */
  maxOutputBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 180_000;
const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
/** How much of a broken checker's output the error quotes. */
const QUOTED_OUTPUT_CHARS = 400;
const TURN_OFF = 'or set "workflow": { "diagnostics": { "enabled": false } } in the roles file to turn the gate off';

export class CommandChecker implements DiagnosticsChecker {
  readonly description: string;

  constructor(private readonly options: CommandCheckerOptions) {
    if (options.argv.length === 0 || options.argv.some((arg) => arg === '')) throw new OrchestraError('invalid-config', 'The diagnostics command is empty.', { hint: `Set workflow.diagnostics.command to a command such as "npx tsc --noEmit -p tsconfig.json", ${TURN_OFF}.` });
    this.description = options.description ?? options.argv.join(' ');
  }

  async check(files: readonly string[], signal: AbortSignal): Promise<FileDiagnostic[]> {
    const result = await runCheckerProcess({
      argv: this.options.argv,
      cwd: this.options.workspace,
      env: { ...process.env, ...this.options.env },
      timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxOutputBytes: this.options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      signal,
    });
    const output = this.readResult(result);
    const found = [...parseCheckerOutput(output.stdout, this.options.workspace), ...parseCheckerOutput(output.stderr, this.options.workspace)];
    if (found.length === 0 && !output.passed) throw this.unreadable(output);
    const asked = new Set(files.flatMap((file) => safeRelative(file)));
    return asked.size === 0 ? found : found.filter((diagnostic) => asked.has(diagnostic.file));
  }

  private readResult(result: CheckerProcessResult): { passed: boolean; how: string; stdout: string; stderr: string } {
    const command = this.description;
    switch (result.kind) {
      case 'aborted':
        throw new OrchestraError('aborted', `The diagnostics check (${command}) was stopped.`);
      case 'timed-out':
        throw new OrchestraError('io-failed', `The diagnostics command (${command}) did not finish within ${Math.round((this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s and was stopped.`, {
          hint: `Give workflow.diagnostics.command a faster check (one project, incremental), ${TURN_OFF}.`,
          retryable: true,
        });
      case 'not-started': {
        const program = this.options.argv[0] ?? '';
        const missing = result.error.code === 'ENOENT';
        throw new OrchestraError('invalid-config', `The diagnostics command (${command}) could not start: ${missing ? `${program} was not found` : `${result.error.code ?? 'error'} ${result.error.message}`}.`, {
          hint: `${missing ? `Install ${program}, or give` : 'Give'} workflow.diagnostics.command as a program that runs in ${this.options.workspace} (a full path, or one on PATH; the command runs without a shell), ${TURN_OFF}.`,
          cause: result.error,
        });
      }
      case 'exited': {
        const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
        return { passed: result.code === 0 && !result.signal, how, stdout: result.stdout, stderr: result.stderr };
      }
    }
  }

  private unreadable(output: { how: string; stdout: string; stderr: string }): OrchestraError {
    const printed = quoteOutput(`${output.stderr}\n${output.stdout}`);
    return new OrchestraError('invalid-config', `The diagnostics command (${this.description}) ${output.how} without a diagnostic the gate can read${printed ? `: ${printed}` : ' and printed nothing'}.`, {
      hint: `Make the command print tsc's output, eslint's --format unix or compact, or "file:line:col: error: message" lines, and check that it runs in the workspace, ${TURN_OFF}.`,
    });
  }
}

/**
 * A command from the workflow definition as argv: split on spaces, nothing else (no quotes, no
 * variables, no globbing), so what runs is exactly what the user wrote. A path with a space in it
 * cannot be given this way; a wrapper script can.
 */
export function splitCommand(command: string): string[] {
  return command.split(' ').filter((part) => part !== '');
}

function safeRelative(file: string): string[] {
  try {
    return [toWorkspaceRelative(file)];
  } catch {
    return [];
  }
}

/** The end of a checker's output, on one line, without control characters. */
function quoteOutput(text: string): string {
  const flat = text.replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '').replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/ {2,}/g, ' ').trim();
  if (flat.length <= QUOTED_OUTPUT_CHARS) return flat;
  return `…${flat.slice(flat.length - QUOTED_OUTPUT_CHARS + 1)}`;
}
