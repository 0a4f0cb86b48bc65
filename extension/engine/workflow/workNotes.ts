import type { Finding, TestFailure } from '../backends/agentOutput';
import { LIMITS, capText } from '../util/limits';

/** Longest excerpt of findings put into a decision question; the full text travels as the note. */
const QUESTION_EXCERPT_CHARS = 400;

/**
 * Review findings as the note handed to whoever fixes them, capped per finding and in all: the
 * recorder already cut them, but the note must hold whatever it is given.
 */
export function findingsNote(findings: Finding[] | undefined): string {
  const lines = (findings ?? []).slice(0, LIMITS.findings).map((f) => `- [${f.severity}]${f.file ? ` ${capText(f.file, LIMITS.pathChars, true)}:` : ''} ${capText(f.message, LIMITS.findingChars, true)}`);
  return lines.length > 0 ? capText(lines.join('\n'), LIMITS.noteChars) : 'The reviewer asked for changes without listing findings.';
}

/** Test failures of one file as the note handed to its coder. */
export function failuresNote(failures: TestFailure[]): string {
  const lines = failures.slice(0, LIMITS.testFailures).map((f) => `- ${f.test ? `${capText(f.test, LIMITS.failureChars, true)}: ` : ''}${capText(f.message, LIMITS.failureChars, true)}`);
  return capText(lines.join('\n'), LIMITS.noteChars);
}

/** A short, single-line excerpt for a decision question. */
export function excerpt(text: string | undefined): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > QUESTION_EXCERPT_CHARS ? `${flat.slice(0, QUESTION_EXCERPT_CHARS - 1)}…` : flat;
}
