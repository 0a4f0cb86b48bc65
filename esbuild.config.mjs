// Builds the three bundles: the VS Code extension (CJS, `vscode` external), the headless CLI
// (dist/cli.js) and the dashboard webview (browser ESM, Svelte). Dependencies such as lowdb, zod
// and the tokenizer are inlined, so the packaged extension needs no node_modules.
//   node esbuild.config.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import sveltePlugin from 'esbuild-svelte';
import fs from 'node:fs';
import { tokenizerRanksAsJson } from './scripts/tokenizerRanks.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const { version } = JSON.parse(fs.readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  metafile: true,
  logLevel: 'warning',
  define: { __VERSION__: JSON.stringify(version) },
};

// The tokenizer's ranks as JSON: less resident memory in every process that counts tokens (scripts/tokenizerRanks.mjs).
const node = { ...common, platform: 'node', target: 'node20', format: 'cjs', plugins: [tokenizerRanksAsJson()] };

const builds = [
  { ...node, entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['extension/cli/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  {
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview/main.js',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    mainFields: ['svelte', 'browser', 'module', 'main'],
    conditions: ['svelte', 'browser'],
    // Component styles go to dist/webview/main.css (linked by the panel): styles Svelte injects at
    // run time are <style> elements without the page's nonce, which the CSP blocks.
    // The a11y checks cannot see that the VS Code elements set their own role and tabindex.
    plugins: [
      sveltePlugin({
        compilerOptions: { css: 'external' },
        filterWarnings: (warning) => !(warning.code?.startsWith('a11y') && warning.message.includes('<vscode-')),
      }),
    ],
  },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('esbuild: watching for changes');
} else {
  const results = await Promise.all(builds.map((options) => esbuild.build(options)));
  fs.mkdirSync('dist', { recursive: true });
  results.forEach((result, i) => {
    const name = builds[i].outfile.replace(/^dist\//, '').replace(/\.js$/, '');
    fs.writeFileSync(`dist/${name.replace(/\//g, '-')}.meta.json`, JSON.stringify(result.metafile));
  });
  fs.chmodSync('dist/cli.js', 0o755);
  const sizes = builds.map((b) => `${b.outfile} ${(fs.statSync(b.outfile).size / 1024).toFixed(0)} KiB`);
  console.log(`esbuild: built ${sizes.join(', ')}`);
}
