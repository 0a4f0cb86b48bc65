import type { Finding, TestFailure } from '../backends/agentOutput';

/** Longest excerpt of findings put into a decision question; the full text travels as the note. */
const QUESTION_EXCERPT_CHARS = 400;

/** Review findings as the note handed to whoever fixes them. */
export function findingsNote(findings: Finding[] | undefined): string {
  const lines = (findings ?? []).map((f) => `- [${f.severity}]${f.file ? ` ${f.file}:` : ''} ${f.message}`);
  return lines.length > 0 ? lines.join('\n') : 'The reviewer asked for changes without listing findings.';
}

/** Test failures of one file as the note handed to its coder. */
export function failuresNote(failures: TestFailure[]): string {
  return failures.map((f) => `- ${f.test ? `${f.test}: ` : ''}${f.message}`).join('\n');
}

/** A short, single-line excerpt for a decision question. */
export function excerpt(text: string | undefined): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > QUESTION_EXCERPT_CHARS ? `${flat.slice(0, QUESTION_EXCERPT_CHARS - 1)}…` : flat;
}
