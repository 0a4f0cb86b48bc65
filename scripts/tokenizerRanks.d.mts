import type { Plugin } from 'esbuild';

/** The module that replaces gpt-tokenizer's o200k_base ranks file: the same array, from one JSON string. */
export function ranksModuleSource(ranks: readonly unknown[]): string;
/** The esbuild plugin that inlines the ranks as JSON (see tokenizerRanks.mjs). */
export function tokenizerRanksAsJson(): Plugin;
