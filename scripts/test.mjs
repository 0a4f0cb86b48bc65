// `npm test`: type-check, build, then every vitest suite; ends with one plain line
// "tests: N passed, N failed" so any CI can read the outcome.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const resultsFile = path.join(root, 'test-results', 'vitest.json');

step('type-check', bin('tsc'), ['--noEmit']);
step('build', process.execPath, [path.join(root, 'esbuild.config.mjs')]);
fs.rmSync(resultsFile, { force: true });
const vitest = spawnSync(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${resultsFile}`, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });

if (!fs.existsSync(resultsFile)) {
  console.error('vitest wrote no results: it did not run.');
  process.exit(vitest.status || 1);
}
const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
const failed = results.numFailedTests + (results.numRuntimeErrorTestSuites ?? 0);
console.log(`\ntests: ${results.numPassedTests} passed, ${failed} failed`);
process.exit(vitest.status === 0 && failed === 0 && results.numPassedTests > 0 ? 0 : 1);

function step(name, command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    console.error(`${name} failed`);
    console.log('tests: 0 passed, 1 failed');
    process.exit(result.status || 1);
  }
}
