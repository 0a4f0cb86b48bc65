import type { Draft } from './draft';
import { fixFile, requestCodeReview } from './fileBoard';
import { findingsNote } from './workNotes';
import { rulesOf } from './workflowRules';
import { CHECKER_ROLE, type FileEntry, type WorkItem, type WorkResult } from './workflowTypes';

/*
 * The diagnostics gate: before a coder's file is reviewed, the run's checker (the language server in
 * VS Code, the project's own checker headless) looks at it. Errors go straight back to the coder, at
 * most `diagnosticsRounds` times in a row; then the file goes to review with the errors in the note,
 * so a reviewer never waits on code the gate could have sent back, and the loop always ends.
 */

/** New code for a file: through the gate when the run has one, then to review. */
export function onCoded(draft: Draft, work: WorkItem, codeArtifactId: string): void {
  const file = draft.file(work.file);
  if (!file) return;
  file.codeArtifactId = codeArtifactId;
  if (rulesOf(draft.state).diagnosticsRounds !== undefined) startCheck(draft, file);
  else requestCodeReview(draft, file);
}

/** Hands the file to the checker; the work is the run's, not an agent's (see CHECKER_ROLE). */
export function startCheck(draft: Draft, file: FileEntry): void {
  file.stage = 'checking';
  draft.dispatch({ kind: 'check', role: CHECKER_ROLE, instance: 1, grants: [], file: file.path, inputs: [file.codeArtifactId] });
}

/** The checker's errors for the file: back to the coder while rounds are left, else on to review. */
export function onChecked(draft: Draft, work: WorkItem, result: WorkResult): void {
  const file = draft.file(work.file);
  if (!file || file.stage !== 'checking') return;
  const errors = result.diagnostics ?? [];
  file.diagnostics = errors.length;
  const rounds = rulesOf(draft.state).diagnosticsRounds ?? 0;
  const used = file.gateRounds ?? 0;
  if (errors.length > 0 && used < rounds) {
    file.gateRounds = used + 1;
    file.openFindings = `The checker found ${errors.length} error${errors.length === 1 ? '' : 's'} in ${file.path}; fix them:\n${findingsNote(errors)}`;
    fixFile(draft, file, undefined, false);
    return;
  }
  file.gateRounds = 0;
  const note = errors.length > 0 ? `The checker still reports ${errors.length} error${errors.length === 1 ? '' : 's'} after ${rounds} rounds of fixes:\n${findingsNote(errors)}` : undefined;
  requestCodeReview(draft, file, 0, note);
}
