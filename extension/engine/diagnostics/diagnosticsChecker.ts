import { z } from 'zod';
import { LIMITS } from '../util/limits';

/*
 * The diagnostics gate's port: something that can say what is wrong with a set of workspace files.
 * In VS Code it is the language features already running (extension/run/languageDiagnostics.ts);
 * headless it is the project's own checker (commandChecker.ts). The engine only sees this interface.
 */

/** One problem in one file, as a checker reports it; paths are workspace-relative with `/`. */
export const FileDiagnosticSchema = z.object({
  file: z.string().min(1).max(LIMITS.pathChars),
  line: z.number().int().positive(),
  column: z.number().int().positive().optional(),
  severity: z.enum(['error', 'warning']),
  message: z.string().min(1).max(LIMITS.findingChars),
  /** The checker's own code or name (`TS2322`, `eslint(no-undef)`). */
  source: z.string().max(80).optional(),
});
export type FileDiagnostic = z.infer<typeof FileDiagnosticSchema>;

export interface DiagnosticsChecker {
  /** For the user: which checker the gate uses ("tsc --noEmit -p tsconfig.json", "VS Code language features"). */
  readonly description: string;
  /** How many checks may run at once (default 1: a project checker looks at the whole project each time). */
  readonly concurrency?: number;
  /**
   * The problems in `files` (others may be returned; the run keeps only the files asked about). Rejects
   * when the checker itself could not run; the run then lets the file through and says why.
   */
  check(files: readonly string[], signal: AbortSignal): Promise<FileDiagnostic[]>;
}
