import type { Plugin } from 'esbuild';

/** The esbuild plugin that inlines the ranks as JSON (see tokenizerRanks.mjs). */
export function tokenizerRanksAsJson(): Plugin;
