import { OrchestraError } from './errors';

/**
 * Every size limit on text that enters the run, in one place. The user's task is refused past its
 * limit (the user can shorten it); what an agent sends is cut with a marker (the run goes on, and
 * the cut is a finding), so one oversized answer cannot blow up every prompt that quotes it.
 */
export const LIMITS = {
  /** The user's task, from `--task`, `--task-file` or the editor. */
  taskChars: 100_000,
  /** An agent's summary, cut by characters before it is ever tokenised (then to its token cap). */
  summaryChars: 2_000,
  /** An artifact's content (plan, review, documentation, test report) as the agent sent it. */
  contentChars: 200_000,
  /** Files one plan may name; the rest are left out with a note. */
  plannedFiles: 500,
  /** One planned file's purpose. */
  purposeChars: 1_000,
  /** A path an agent names (longer is no real path). */
  pathChars: 1_000,
  /** Findings in one review, and the length of each. */
  findings: 100,
  findingChars: 2_000,
  /** Test failures in one report, and the length of each message and test name. */
  testFailures: 200,
  failureChars: 2_000,
  /** Spawn requests in one answer, and the length of each reason. */
  spawnRequests: 10,
  spawnReasonChars: 500,
  /** A note handed from one step to the next (review findings, test failures, a consult question). */
  noteChars: 20_000,
  /** One input artifact quoted in another agent's prompt. */
  promptInputChars: 200_000,
} as const;

/** The marker a cut text ends with: says how much was left out, so a reader knows it is partial. */
export function cutMarker(kept: number, total: number): string {
  return `\n[… cut: ${(total - kept).toLocaleString('en')} of ${total.toLocaleString('en')} characters left out]`;
}

/**
 * `text` cut to at most `maxChars` characters (marker included) when longer, never splitting a
 * surrogate pair. `single` cuts with "…" instead of a marker line, for one-line fields.
 */
export function capText(text: string, maxChars: number, single = false): string {
  if (text.length <= maxChars) return text;
  const tail = single ? '…' : cutMarker(maxChars, text.length);
  let keep = Math.max(0, maxChars - tail.length);
  const before = text.charCodeAt(keep - 1);
  if (keep > 0 && before >= 0xd800 && before <= 0xdbff) keep -= 1;
  return `${text.slice(0, keep)}${tail}`;
}

/** The task as given, or a one-line `invalid-input` error naming the limit. */
export function checkTaskSize(task: string): string {
  if (task.length > LIMITS.taskChars) {
    throw new OrchestraError('invalid-input', taskTooLong(task.length), { hint: 'Shorten the task; put long background into files in the workspace and name them in the task.' });
  }
  return task;
}

/** The one line a too-long task is refused with. */
export function taskTooLong(chars: number): string {
  return `The task is ${chars.toLocaleString('en')} characters, over the limit of ${LIMITS.taskChars.toLocaleString('en')}; shorten it, or put background into workspace files and name them in the task.`;
}
