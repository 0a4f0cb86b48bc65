// An esbuild plugin for every bundle that counts tokens: it inlines gpt-tokenizer's o200k_base
// ranks (200,000 entries) as one JSON string read by JSON.parse, instead of the package's own
// JavaScript array literals. Same data, the package's own encoder; but V8 parses and compiles a
// 2 MB array literal into bytecode and boilerplate that stay resident (measured: a process holds
// ~20 MB more RSS after loading the literal than after parsing the same ranks from JSON), and every
// process of ours (the extension host's, the CLI's) loads the tokenizer.
//   import { tokenizerRanksAsJson } from './scripts/tokenizerRanks.mjs';  plugins: [tokenizerRanksAsJson()]
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const RANKS = /gpt-tokenizer[\\/](esm|cjs)[\\/]bpeRanks[\\/]o200k_base\.js$/;

/** The module that replaces the ranks file: the same array, from one JSON string. */
function ranksModuleSource(ranks) {
  // Stringified twice: once to JSON, once into a JavaScript string literal holding that JSON.
  return `export default JSON.parse(${JSON.stringify(JSON.stringify(ranks))});\n`;
}

export function tokenizerRanksAsJson() {
  return {
    name: 'tokenizer-ranks-as-json',
    setup(build) {
      build.onLoad({ filter: RANKS }, () => {
        const ranks = require('gpt-tokenizer/bpeRanks/o200k_base').default;
        if (!Array.isArray(ranks) || ranks.length < 199_000) throw new Error(`gpt-tokenizer's o200k_base ranks are not the array this plugin expects (${typeof ranks}).`);
        return { contents: ranksModuleSource(ranks), loader: 'js' };
      });
    },
  };
}
