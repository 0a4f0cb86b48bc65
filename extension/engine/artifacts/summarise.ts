import { countTokens, truncateToTokens } from '../tokens/tokenCounter';
import { LIMITS } from '../util/limits';
import { SUMMARY_TOKEN_CAP, type ArtifactType } from './artifactSchema';

/** A one-line summary and its token count. */
export interface CappedSummary {
  summary: string;
  tokens: number;
}

/** Most file names spelled out in a derived summary; the rest are counted. */
const LISTED_FILES = 3;

/**
 * `text` as a single line (all whitespace runs collapsed to one space) of at most `cap` tokens,
 * cut with "…" when it was longer.
 */
export function capSummary(text: string, cap: number = SUMMARY_TOKEN_CAP): CappedSummary {
  // Cut by characters before tokenising (a cap of tokens never needs more than a few thousand);
  // collapsing whitespace first is linear, and keeps a run of spaces from eating the cut.
  const flat = oneLine(text);
  const summary = truncateToTokens(flat.length > LIMITS.summaryChars * 4 ? `${flat.slice(0, LIMITS.summaryChars * 4)}…` : flat, cap);
  return { summary, tokens: countTokens(summary) };
}

/**
 * The summary the Organiser sees for an artifact: the producing agent's own summary when it gave
 * one, otherwise one derived from the content (its first heading or sentence, led by the file
 * names for code). Never empty and never more than `SUMMARY_TOKEN_CAP` tokens.
 */
export function deriveSummary(type: ArtifactType, content: string, agentSummary?: string, files: string[] = []): CappedSummary {
  if (agentSummary !== undefined && oneLine(agentSummary) !== '') return capSummary(agentSummary);
  return capSummary(describe(type, content, files));
}

function describe(type: ArtifactType, content: string, files: string[]): string {
  const subject = files.length > 0 ? `${type} for ${listFiles(files)}` : type;
  // Source code rarely opens with a sentence worth reading, so code is described by its files.
  if (type === 'code') {
    const body = content.replace(/\r?\n$/, '');
    const lines = body === '' ? 0 : body.split('\n').length;
    return lines > 0 ? `${subject} (${lines} ${lines === 1 ? 'line' : 'lines'}, no summary given)` : `${subject} (empty, no summary given)`;
  }
  const lead = firstHeadingOrSentence(content);
  if (lead === '') return `${subject} (${content.trim() === '' ? 'empty, ' : ''}no summary given)`;
  return files.length > 0 ? `${subject}: ${lead}` : lead;
}

function listFiles(files: string[]): string {
  const shown = files.slice(0, LISTED_FILES).join(', ');
  return files.length > LISTED_FILES ? `${shown} and ${files.length - LISTED_FILES} more` : shown;
}

/** A markdown heading if the text opens with one, else its first sentence. */
function firstHeadingOrSentence(content: string): string {
  const lines = content.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const first = lines[0];
  if (first === undefined) return '';
  const heading = /^#{1,6}\s+(.*)$/.exec(first);
  if (heading) return stripMarkup(heading[1] ?? '');
  const paragraph = oneLine(stripMarkup(lines.slice(0, 3).join(' ')));
  const sentence = /^(.+?[.!?])(\s|$)/.exec(paragraph);
  return sentence ? (sentence[1] ?? paragraph) : paragraph;
}

function stripMarkup(text: string): string {
  return text.replace(/^[-*>]\s+/, '').replace(/[*_`]+/g, '').trim();
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
