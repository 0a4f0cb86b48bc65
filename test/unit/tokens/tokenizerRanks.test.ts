import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countTokens as packageCount } from 'gpt-tokenizer/encoding/o200k_base';
import { tokenizerRanksAsJson } from '../../../scripts/tokenizerRanks.mjs';

// The shipped bundles carry the tokenizer's ranks as JSON (scripts/tokenizerRanks.mjs). Built here
// with the plugin, a real esbuild bundle must count exactly as the package does.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ranks-json-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const SAMPLES = [
  'Hello, world!',
  'export function overdueLoans(loans: Loan[], today: Date): Loan[] { return loans.filter((l) => l.due < today); }',
  'Ünïcödé — 日本語のテキスト, emoji 🎉🎉, and Ελληνικά.',
  '<|endoftext|> is plain text here\n\n\t  indented\r\n',
];

describe('the tokenizer ranks inlined as JSON', () => {
  it('count every sample exactly as the package does, from a bundle that holds no array literal of ranks', async () => {
    const entry = path.join(dir, 'entry.ts');
    fs.writeFileSync(entry, `import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';\nexport const counts = (texts: string[]) => texts.map((text) => countTokens(text, { disallowedSpecial: new Set() }));\n`);
    const outfile = path.join(dir, 'bundle.cjs');
    await esbuild.build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent', nodePaths: [path.resolve('node_modules')], plugins: [tokenizerRanksAsJson()] });

    const text = fs.readFileSync(outfile, 'utf8');
    // Booleans, so a failure does not print a 4 MB bundle. esbuild may write the string as a template literal.
    expect(/JSON\.parse\([`"']\[/.test(text), 'the ranks are read from a JSON string').toBe(true);
    // The package's own file starts its ranks as `const c0 = ["!", ...`.
    expect(/const c0 = \["!"/.test(text), 'no array literal of ranks is left').toBe(false);
    const { counts } = createRequire(import.meta.url)(outfile) as { counts: (texts: string[]) => number[] };
    expect(counts(SAMPLES)).toEqual(SAMPLES.map((sample) => packageCount(sample, { disallowedSpecial: new Set() })));
  }, 60_000);
});
