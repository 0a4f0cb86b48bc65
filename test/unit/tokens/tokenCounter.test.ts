import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTokens, truncateToTokens } from '../../../extension/engine/tokens/tokenCounter';

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

  it('is fast enough to be called thousands of times', () => {
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) countTokens(`summary of artifact number ${i}`);
    expect(performance.now() - started).toBeLessThan(3_000);
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

  it('cuts a very long text quickly', () => {
    const text = 'lorem ipsum dolor sit amet '.repeat(200_000);
    const started = performance.now();
    expect(countTokens(truncateToTokens(text, 10))).toBeLessThanOrEqual(10);
    expect(performance.now() - started).toBeLessThan(500);
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
