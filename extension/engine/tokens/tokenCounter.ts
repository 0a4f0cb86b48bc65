import { countTokens as countO200k, decode, encodeGenerator } from 'gpt-tokenizer/encoding/o200k_base';
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';

/**
 * Token counting with the o200k_base encoding (GPT-4o and later). Agents and artifacts carry
 * arbitrary text, so special-token markers such as `<|endoftext|>` are counted as plain text
 * instead of making the tokenizer throw.
 *
 * Byte-pair encoding is quadratic in the length of one pre-tokenised piece (a run of one letter,
 * of spaces or of punctuation is a single piece): 120 KB of "a" took 50 s. So a piece longer than
 * `LONGEST_PIECE` characters is cut into slices of that length and each slice is encoded on its
 * own. Text without such a piece is counted exactly as the encoding counts it; text with one is
 * counted within a few tokens per slice of the exact figure (merges across a slice seam are lost,
 * so the count can only be a little higher). Real prose and code never hit this.
 */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

const ELLIPSIS = '…';

/** Longest pre-tokenised piece encoded whole; longer ones are sliced (see above). */
export const LONGEST_PIECE = 200;

/**
 * Characters per token assumed when truncating; a first guess, doubled while too small, so a
 * cut reads about cap × this many characters whatever the length of the text.
 */
const CHARS_PER_TOKEN_GUESS = 12;

/** Number of o200k_base tokens in `text` (exact unless it holds a pathological run, see above). */
export function countTokens(text: string): number {
  if (text === '') return 0;
  // No piece can be overlong in a short text: skip the scan (most calls count one line).
  if (text.length <= LONGEST_PIECE) return countO200k(text, PLAIN_TEXT);
  let total = 0;
  for (const segment of segments(text)) total += countO200k(segment, PLAIN_TEXT);
  return total;
}

/**
 * `text` cut to at most `maxTokens` tokens. When it has to cut, it cuts at a token boundary and
 * ends the result with "…", which counts towards the cap. Text that fits is returned unchanged.
 * Only a prefix of about `maxTokens` × 12 characters is ever tokenised, so a huge text costs no
 * more than a short one.
 */
export function truncateToTokens(text: string, maxTokens: number): string {
  const cap = Math.floor(maxTokens);
  if (!(cap > 0)) return '';
  const { prefix, head } = leadingPrefix(text, cap);
  if (prefix === text && head.length <= cap) return text;
  // Re-tokenising a cut string can merge differently at the seam, so check and step back.
  for (let keep = Math.min(cap - 1, head.length); keep >= 0; keep--) {
    const candidate = `${commonPrefix(prefix, decode(head.slice(0, keep))).trimEnd()}${ELLIPSIS}`;
    if (countTokens(candidate) <= cap) return candidate;
  }
  return '';
}

/**
 * A prefix of `text` that either is the whole text or holds more than `cap` tokens, with its first
 * `cap + 1` tokens. Grows geometrically, so the work is linear in the prefix finally used.
 */
function leadingPrefix(text: string, cap: number): { prefix: string; head: number[] } {
  for (let length = (cap + 1) * CHARS_PER_TOKEN_GUESS; ; length *= 2) {
    const prefix = length >= text.length ? text : text.slice(0, safeCut(text, length));
    const head = leadingTokens(prefix, cap + 1);
    if (prefix === text || head.length > cap) return { prefix, head };
  }
}

/** The first `limit` tokens of `text`, without encoding the rest of a long text. */
function leadingTokens(text: string, limit: number): number[] {
  const tokens: number[] = [];
  for (const segment of segments(text)) {
    for (const chunk of encodeGenerator(segment, PLAIN_TEXT)) {
      for (const token of chunk) {
        tokens.push(token);
        if (tokens.length >= limit) return tokens;
      }
    }
  }
  return tokens;
}

/**
 * `text` in consecutive parts that are each cheap to encode: the stretches between overlong
 * pieces whole (cut where the encoding's own pre-tokeniser cuts, so their tokens are unchanged),
 * and every overlong piece in `LONGEST_PIECE` slices. A text with no overlong piece is one part.
 */
function* segments(text: string): Generator<string> {
  const splitter = new RegExp(O200K_TOKEN_SPLIT_REGEX.source, O200K_TOKEN_SPLIT_REGEX.flags);
  let stretchStart = 0;
  for (let match = splitter.exec(text); match !== null; match = splitter.exec(text)) {
    const piece = match[0];
    if (piece.length === 0) {
      splitter.lastIndex += 1; // never loop on an empty match
      continue;
    }
    if (piece.length <= LONGEST_PIECE) continue;
    if (match.index > stretchStart) yield text.slice(stretchStart, match.index);
    const end = match.index + piece.length;
    for (let start = match.index; start < end; ) {
      const stop = Math.min(end, safeCut(text, start + LONGEST_PIECE));
      yield text.slice(start, stop);
      start = stop;
    }
    stretchStart = end;
  }
  if (stretchStart === 0) yield text;
  else if (stretchStart < text.length) yield text.slice(stretchStart);
}

/** `index`, moved back one if it would split a surrogate pair (never below 1). */
function safeCut(text: string, index: number): number {
  if (index <= 1 || index >= text.length) return index;
  const before = text.charCodeAt(index - 1);
  return before >= 0xd800 && before <= 0xdbff ? index - 1 : index;
}

/**
 * The part of `original` that `decoded` reproduces. A cut inside a multi-token character decodes
 * to a replacement character; taking the common prefix drops that half character.
 */
function commonPrefix(original: string, decoded: string): string {
  const limit = Math.min(original.length, decoded.length);
  let length = 0;
  while (length < limit && original.charCodeAt(length) === decoded.charCodeAt(length)) length++;
  const last = original.charCodeAt(length - 1);
  // Never end on the first half of a surrogate pair.
  if (length > 0 && last >= 0xd800 && last <= 0xdbff) length--;
  return original.slice(0, length);
}
