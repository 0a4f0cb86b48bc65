import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTokens as exactO200kCount } from 'gpt-tokenizer/encoding/o200k_base';
import { LONGEST_PIECE, countTokens, truncateToTokens } from '../../../extension/engine/tokens/tokenCounter';

describe('countTokens', () => {
  it('counts with the o200k_base encoding', () => {
    expect(countTokens('hello world')).toBe(2);
    expect(countTokens('Hello, world!')).toBe(4);
    expect(countTokens('日本語のテキスト')).toBe(6);
  });

  it('counts the empty string as zero tokens', () => {
    expect(countTokens('')).toBe(0);
  });

  it('counts special-token markers as plain text instead of throwing', () => {
    expect(countTokens('<|endoftext|>')).toBe(7);
  });

});

describe('truncateToTokens', () => {
  it('returns text that fits unchanged', () => {
    expect(truncateToTokens('hello world', 2)).toBe('hello world');
    expect(truncateToTokens('', 5)).toBe('');
  });

  it('cuts at a token boundary and ends with an ellipsis inside the cap', () => {
    const text = 'one two three four five six seven eight nine ten';
    const cut = truncateToTokens(text, 5);
    expect(cut).toBe('one two three four…');
    expect(countTokens(cut)).toBeLessThanOrEqual(5);
  });

  it('returns only an ellipsis for a cap of one and nothing for a cap of zero', () => {
    expect(truncateToTokens('hello world again', 1)).toBe('…');
    expect(truncateToTokens('hello world', 0)).toBe('');
    expect(truncateToTokens('hello world', -3)).toBe('');
  });

  it('never leaves half of a character made of several tokens', () => {
    const family = '👨‍👩‍👧‍👦'.repeat(5);
    for (let cap = 1; cap <= 12; cap++) {
      const cut = truncateToTokens(family, cap);
      expect(cut).not.toContain('\uFFFD');
      expect(family.startsWith(cut.slice(0, -1))).toBe(true);
    }
  });

  it('cuts a very long text (5 MB) to the cap; its speed is measured in bench/tokenCounter', () => {
    const text = 'lorem ipsum dolor sit amet '.repeat(200_000);
    expect(countTokens(truncateToTokens(text, 10))).toBeLessThanOrEqual(10);
  });

  it('never returns more tokens than the cap, and a cut result is a prefix plus an ellipsis', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.integer({ min: 0, max: 40 }), (text, cap) => {
        const cut = truncateToTokens(text, cap);
        expect(countTokens(cut)).toBeLessThanOrEqual(cap);
        if (cut !== text && cut !== '') {
          expect(cut.endsWith('…')).toBe(true);
          expect(text.startsWith(cut.slice(0, -1))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('long runs of one character (sliced before encoding)', () => {
  const plain = { disallowedSpecial: new Set<string>() };
  const word = fc.constantFrom('the', 'Loan', 'fines', 'DUE', 'überfällig', '日本', '42', '3.14', '=>', '{', '});', "don't", '😀', '<|endoftext|>');
  const gap = fc.constantFrom(' ', '  ', '\n', '\n\n', '\t', ' \n  ', '');
  const normalText = fc.array(fc.tuple(word, gap), { maxLength: 80 }).map((parts) => parts.map(([w, g]) => w + g).join(''));

  it('counts text without an overlong run exactly as the encoding does', () => {
    fc.assert(
      fc.property(normalText, (text) => {
        expect(countTokens(text)).toBe(text === '' ? 0 : exactO200kCount(text, plain));
      }),
      { numRuns: 300 },
    );
  });

  it('counts a run just at the slicing limit exactly', () => {
    // The leading space belongs to the piece, so the piece is exactly LONGEST_PIECE long.
    const run = 'a'.repeat(LONGEST_PIECE - 1);
    expect(countTokens(`start ${run} end`)).toBe(exactO200kCount(`start ${run} end`, plain));
  });

  it('gives 120 KB of one letter a count near the exact one (slices of the run counted alone)', () => {
    const slice = countTokens('a'.repeat(LONGEST_PIECE));
    const count = countTokens('a'.repeat(120_000));
    expect(count).toBe(slice * (120_000 / LONGEST_PIECE));
    // The exact count of a 4,000-letter run scaled up: slicing may only add a little.
    const exactPerChar = exactO200kCount('a'.repeat(4_000), plain) / 4_000;
    expect(count).toBeGreaterThanOrEqual(Math.floor(exactPerChar * 120_000));
    expect(count).toBeLessThanOrEqual(Math.ceil(exactPerChar * 120_000 * 1.1));
  });

  it('gives runs of spaces, punctuation, digits and emoji a count between one per slice and one per character', () => {
    for (const unit of [' ', '!', '7', '😀', 'AB', '\n']) {
      const text = unit.repeat(120_000 / unit.length);
      const count = countTokens(text);
      expect(count).toBeGreaterThanOrEqual(Math.floor(text.length / LONGEST_PIECE));
      expect(count).toBeLessThanOrEqual(text.length);
    }
  });

  it('never splits a surrogate pair when slicing a run', () => {
    const text = `x${'😀'.repeat(1_000)}`;
    const cut = truncateToTokens(text, 300);
    expect(cut).not.toContain('\uFFFD');
    expect(text.startsWith(cut.slice(0, -1))).toBe(true);
  });

  it('cuts 120 KB of one letter, and a long text ending in such a run, inside the cap', () => {
    for (const text of ['a'.repeat(120_000), `${'a normal opening sentence. '.repeat(10)}${'z'.repeat(120_000)}`]) {
      for (const cap of [1, 50, 2_000]) {
        const cut = truncateToTokens(text, cap);
        expect(countTokens(cut)).toBeLessThanOrEqual(cap);
        expect(cut.endsWith('…')).toBe(true);
        expect(text.startsWith(cut.slice(0, -1))).toBe(true);
      }
    }
  });

  it('keeps the cut of normal text the same whether or not the rest of the text is long', () => {
    const opening = 'one two three four five six seven eight nine ten';
    expect(truncateToTokens(`${opening} ${'x'.repeat(100_000)}`, 5)).toBe('one two three four…');
  });
});
