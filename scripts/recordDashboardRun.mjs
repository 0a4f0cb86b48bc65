// Bundles scripts/recordDashboardRun.ts with esbuild into .cache and runs it with node.
//   node scripts/recordDashboardRun.mjs [output folder]   (default test/fixtures/dashboard)
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, '.cache', 'scripts', 'recordDashboardRun.cjs');
await esbuild.build({ entryPoints: [path.join(root, 'scripts', 'recordDashboardRun.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });
const result = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
