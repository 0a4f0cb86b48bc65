import pLimit, { type LimitFunction } from 'p-limit';
import type { Finding } from '../backends/agentOutput';
import type { DiagnosticsChecker, FileDiagnostic } from '../diagnostics/diagnosticsChecker';
import { LIMITS, capText } from '../util/limits';
import { describeError, isOrchestraError } from '../util/errors';
import type { WorkItem, WorkflowEvent } from '../workflow/workflowTypes';
import type { FileChecked } from './runTypes';
import type { RecordedFinding } from './workRecorder';

export interface DiagnosticChecksOptions {
  checker: DiagnosticsChecker;
  feed: (event: WorkflowEvent) => Promise<void>;
  reportFinding: (finding: RecordedFinding) => void;
  /** Each check's outcome, for the event log. */
  noteChecked?: (checked: FileChecked) => void;
}

/**
 * Performs the machine's `check` work: as many at once as the checker says (one for a project checker
 * such as tsc, which looks at the whole project, so two at once only compete for the same cores; all of
 * them for language servers that are running anyway), errors of the work's file only,
 * capped like review findings. A checker that cannot run does not hold the run: the file goes on to
 * review as if clean, and the user is told once why the gate let it through.
 */
export class DiagnosticChecks {
  private readonly limit: LimitFunction;
  private readonly running = new Map<string, AbortController>();
  private toldBroken = false;

  constructor(private readonly options: DiagnosticChecksOptions) {
    this.limit = pLimit(Math.max(1, Math.floor(options.checker.concurrency ?? 1)));
  }

  run(work: WorkItem): void {
    const controller = new AbortController();
    this.running.set(work.id, controller);
    void this.limit(() => this.check(work, controller)).catch(() => undefined);
  }

  /** Checks of these work items stop; the machine gets them back as aborted (sent again on resume). */
  abort(workIds: readonly string[]): void {
    for (const id of workIds) this.running.get(id)?.abort();
  }

  private async check(work: WorkItem, controller: AbortController): Promise<void> {
    const { feed } = this.options;
    try {
      if (controller.signal.aborted) return void (await feed({ type: 'WORK_ABORTED', workId: work.id }));
      const file = work.file ?? '';
      let found: FileDiagnostic[];
      try {
        found = await this.options.checker.check([file], controller.signal);
      } catch (error) {
        if (controller.signal.aborted) return void (await feed({ type: 'WORK_ABORTED', workId: work.id }));
        this.tellBroken(work, error);
        found = [];
      }
      const diagnostics = errorsIn(found, file);
      this.options.noteChecked?.({ workId: work.id, file, errors: diagnostics.length, first: diagnostics.slice(0, 3).map((finding) => finding.message) });
      await feed({ type: 'WORK_DONE', workId: work.id, result: { artifactIds: [], diagnostics } });
    } finally {
      this.running.delete(work.id);
    }
  }

  private tellBroken(work: WorkItem, error: unknown): void {
    if (this.toldBroken) return;
    this.toldBroken = true;
    this.options.reportFinding({
      workId: work.id,
      agentId: 'diagnostics',
      kind: 'checker-failed',
      message: `The diagnostics gate (${this.options.checker.description}) could not check ${work.file ?? 'a file'}, so files go to review unchecked: ${capText(describeError(error), 600, true)}${isOrchestraError(error) && error.hint ? ` ${capText(error.hint, 400, true)}` : ''}`,
    });
  }
}

/** The errors in `file`, as review findings, at most as many as a review may list. */
export function errorsIn(found: readonly FileDiagnostic[], file: string): Finding[] {
  return found
    .filter((diagnostic) => diagnostic.severity === 'error' && diagnostic.file === file)
    .slice(0, LIMITS.findings)
    .map((diagnostic) => ({
      file,
      severity: 'major' as const,
      message: capText(`line ${diagnostic.line}${diagnostic.column !== undefined ? `:${diagnostic.column}` : ''}${diagnostic.source ? ` ${diagnostic.source}` : ''}: ${diagnostic.message}`, LIMITS.findingChars, true),
    }));
}
