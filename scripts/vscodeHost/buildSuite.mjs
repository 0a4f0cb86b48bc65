// Bundles the host tests (test/vscode/suite/*.test.ts) to out/vscode-test/suite/*.test.js: CommonJS
// for the extension host's Node, `vscode` and `mocha` supplied by the host at run time, everything
// else (the scripted model server, engine helpers) inlined.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const suiteDir = path.join(root, 'test', 'vscode', 'suite');
const outdir = path.join(root, 'out', 'vscode-test', 'suite');

fs.rmSync(outdir, { recursive: true, force: true });
await esbuild.build({
  entryPoints: fs.readdirSync(suiteDir).filter((file) => file.endsWith('.test.ts')).map((file) => path.join(suiteDir, file)),
  outdir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});
console.log(`host suite built into ${path.relative(root, outdir)}`);
