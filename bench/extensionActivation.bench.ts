// Activation of our extension in the real VS Code host (code-server, see scripts/vscodeHost/ and
// .vscode-test.mjs): the time activate() takes, as the extension logs it, against how long the
// extension host had been up by then (its whole startup, ours included).
// The host is provisioned once by scripts/vscodeHost/setup.sh (~90 s and ~600 MB, cached in
// .vscode-host/); quick mode leaves the host out and says so.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { repoRoot } from './benchWorkspace';
import { median } from './fit';
import { emit } from './stats';

const quick = process.argv.includes('--quick');
const REPEATS = 3;
const root = repoRoot();

function main(): void {
  const provisioned = fs.existsSync(path.join(root, '.vscode-host', 'env.sh'));
  if (quick) {
    emit({ bench: 'extensionActivation', skipped: `quick mode leaves out the real VS Code host (a start of code-server and Chromium costs ~30 s${provisioned ? '' : ', and provisioning it once ~90 s and ~600 MB'}); the full run measures it` });
    return;
  }
  if (!provisioned) {
    const setup = spawnSync('bash', [path.join(root, 'scripts', 'vscodeHost', 'setup.sh')], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
    if (setup.status !== 0) throw new Error(`scripts/vscodeHost/setup.sh exited with ${setup.status}`);
  }
  esbuild.buildSync({
    entryPoints: [path.join(root, 'bench', 'host', 'activationTiming.test.ts')],
    outdir: path.join(root, 'out', 'bench-host'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  const runs: Array<{ activationMs: number; hostUpMs: number }> = [];
  for (let i = 0; i < REPEATS; i++) {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-activation-')), 'activation.json');
    const cli = path.join(root, 'node_modules', '@vscode', 'test-cli', 'out', 'bin.mjs');
    const host = spawnSync(process.execPath, [cli, '--config', path.join(root, 'bench', 'host', 'vscodeTest.config.mjs')], { cwd: root, env: { ...process.env, BENCH_ACTIVATION_OUT: out }, stdio: ['ignore', process.stderr, 'inherit'] });
    if (host.status !== 0 || !fs.existsSync(out)) throw new Error(`the VS Code host run exited with ${host.status} and wrote no timing`);
    runs.push(JSON.parse(fs.readFileSync(out, 'utf8')) as { activationMs: number; hostUpMs: number });
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
  emit({ bench: 'extensionActivation', repeats: REPEATS, activationMs: median(runs.map((run) => run.activationMs)), baselineMs: median(runs.map((run) => run.hostUpMs)) });
}

try {
  main();
} catch (error) {
  process.stderr.write(`extensionActivation failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
