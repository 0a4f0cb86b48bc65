// Token counting on hostile and ordinary input. The claim under test: counting and truncating are
// linear, so 120 KB of one character (quadratic for byte-pair encoding when encoded whole: 50 s)
// costs about what 120 KB of prose costs.
import { countTokens as exactO200kCount } from 'gpt-tokenizer/encoding/o200k_base';
import { countTokens, truncateToTokens } from '../extension/engine/tokens/tokenCounter';
import { emit, median, round } from './stats';

const size = 120_000;
const inputs: Record<string, string> = {
  oneLetter: 'a'.repeat(size),
  spaces: ' '.repeat(size),
  punctuation: '!'.repeat(size),
  prose: 'The quick brown fox jumps over the lazy dog, then returns 42 items.\n'.repeat(Math.ceil(size / 68)).slice(0, size),
};

for (const [input, text] of Object.entries(inputs)) {
  const count: number[] = [];
  const truncate: number[] = [];
  let tokens = 0;
  for (let i = 0; i < 7; i++) {
    let t = performance.now();
    tokens = countTokens(text);
    count.push(performance.now() - t);
    t = performance.now();
    truncateToTokens(text, 50);
    truncate.push(performance.now() - t);
  }
  emit({ bench: 'tokenCounter', input, chars: text.length, tokens, countMedianMs: round(median(count)), truncateTo50MedianMs: round(median(truncate)) });
}

// The exact encoder on a whole run, for scale: quadratic, so only a short run is measured.
const run = 'a'.repeat(8_000);
const t = performance.now();
exactO200kCount(run);
emit({ bench: 'tokenCounter', input: 'oneLetter, encoded whole (for scale)', chars: run.length, countMs: round(performance.now() - t) });
