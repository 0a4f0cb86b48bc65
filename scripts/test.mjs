// `npm test`: type-check, build, every vitest suite, then the host tests in a real VS Code
// (test/vscode, see .vscode-test.mjs). Ends with one plain line "tests: N passed, N failed" that
// counts both, so any CI can read the outcome.
// KILO_ORCHESTRA_SKIP_HOST_TESTS=1 leaves the host tests out for a quick local run; CI never sets it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const vitestResults = path.join(root, 'test-results', 'vitest.json');
const hostResults = path.join(root, 'test-results', 'vscode.json');

step('type-check', bin('tsc'), ['--noEmit']);
step('build', process.execPath, [path.join(root, 'esbuild.config.mjs')]);

const vitest = runVitest();
const host = process.env.KILO_ORCHESTRA_SKIP_HOST_TESTS === '1' ? skippedHostTests() : runHostTests();

const passed = vitest.passed + host.passed;
const failed = vitest.failed + host.failed;
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(vitest.ok && host.ok && failed === 0 && passed > 0 ? 0 : 1);

function runVitest() {
  fs.rmSync(vitestResults, { force: true });
  const run = spawnSync(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestResults}`, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
  if (!fs.existsSync(vitestResults)) {
    console.error('vitest wrote no results: it did not run.');
    return { ok: false, passed: 0, failed: 1 };
  }
  const results = JSON.parse(fs.readFileSync(vitestResults, 'utf8'));
  const failed = results.numFailedTests + (results.numRuntimeErrorTestSuites ?? 0);
  return { ok: run.status === 0, passed: results.numPassedTests, failed };
}

/** Provisions the host (cached after the first time), bundles the suite and runs it through @vscode/test-cli. */
function runHostTests() {
  console.log('\nhost tests: a real VS Code (code-server) with the extension and a stand-in Kilo Code extension');
  for (const [name, command, args] of [
    ['provision the VS Code host', 'bash', [path.join(root, 'scripts', 'vscodeHost', 'setup.sh')]],
    ['build the host suite', process.execPath, [path.join(root, 'scripts', 'vscodeHost', 'buildSuite.mjs')]],
  ]) {
    if (spawnSync(command, args, { stdio: 'inherit', cwd: root }).status !== 0) {
      console.error(`host tests: could not ${name}.`);
      return { ok: false, passed: 0, failed: 1 };
    }
  }
  fs.rmSync(hostResults, { force: true });
  const run = spawnSync(bin('vscode-test'), [], { stdio: 'inherit', cwd: root });
  if (!fs.existsSync(hostResults)) {
    // The host never reached the end of the suite (it did not start, or timed out).
    console.error(`host tests: no results in ${path.relative(root, hostResults)}; vscode-test exited with ${run.status ?? run.signal}.`);
    return { ok: false, passed: 0, failed: 1 };
  }
  const results = JSON.parse(fs.readFileSync(hostResults, 'utf8'));
  console.log(`host tests: ${results.passed} passed, ${results.failed} failed`);
  return { ok: run.status === 0, passed: results.passed, failed: results.failed };
}

function skippedHostTests() {
  console.log('\nhost tests: skipped (KILO_ORCHESTRA_SKIP_HOST_TESTS=1)');
  return { ok: true, passed: 0, failed: 0 };
}

function step(name, command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    console.error(`${name} failed`);
    console.log('tests: 0 passed, 1 failed');
    process.exit(result.status || 1);
  }
}
