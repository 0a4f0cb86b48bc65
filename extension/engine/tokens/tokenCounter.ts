import { countTokens as countO200k, decode, encodeGenerator } from 'gpt-tokenizer/encoding/o200k_base';

/**
 * Token counting with the o200k_base encoding (GPT-4o and later). Agents and artifacts carry
 * arbitrary text, so special-token markers such as `<|endoftext|>` are counted as plain text
 * instead of making the tokenizer throw.
 */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

const ELLIPSIS = '…';

/** Number of o200k_base tokens in `text`. */
export function countTokens(text: string): number {
  if (text === '') return 0;
  return countO200k(text, PLAIN_TEXT);
}

/**
 * `text` cut to at most `maxTokens` tokens. When it has to cut, it cuts at a token boundary and
 * ends the result with "…", which counts towards the cap. Text that fits is returned unchanged.
 */
export function truncateToTokens(text: string, maxTokens: number): string {
  const cap = Math.floor(maxTokens);
  if (!(cap > 0)) return '';
  const head = leadingTokens(text, cap + 1);
  if (head.length <= cap) return text;
  // Re-tokenising a cut string can merge differently at the seam, so check and step back.
  for (let keep = cap - 1; keep >= 0; keep--) {
    const candidate = `${commonPrefix(text, decode(head.slice(0, keep))).trimEnd()}${ELLIPSIS}`;
    if (countTokens(candidate) <= cap) return candidate;
  }
  return '';
}

/** The first `limit` tokens of `text`, without encoding the rest of a long text. */
function leadingTokens(text: string, limit: number): number[] {
  const tokens: number[] = [];
  for (const chunk of encodeGenerator(text, PLAIN_TEXT)) {
    for (const token of chunk) {
      tokens.push(token);
      if (tokens.length >= limit) return tokens;
    }
  }
  return tokens;
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
