// Runs the benchmarks. Each bench/*.bench.ts is bundled with esbuild into .cache/bench and run
// with node; each prints one JSON object per measurement to stdout.
//   node bench/run.mjs [name …]      e.g. node bench/run.mjs organiserContext
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, '..', '.cache', 'bench');
const wanted = process.argv.slice(2);
const benches = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace('.bench.ts', '')));

let failed = 0;
for (const file of benches) {
  const outfile = path.join(outDir, file.replace(/\.ts$/, '.cjs'));
  await esbuild.build({ entryPoints: [path.join(here, file)], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });
  const result = spawnSync(process.execPath, [outfile], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
