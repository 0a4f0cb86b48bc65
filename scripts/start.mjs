// The main job: a real orchestrated task through real `kilo serve` on the bundled sample workspace,
// in a fresh output folder.
//   npm start [-- --report FILE] [-- any `kilo-orchestra run` option]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const passThrough = process.argv.slice(2);
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..+$/, '').replace('T', '-');
const outDir = path.join(root, 'runs', stamp);
const workspace = path.join(outDir, 'workspace');

// Quiet unless it fails: `npm ci` has just built the same bundles and said so.
const build = spawnSync(process.execPath, [path.join(root, 'esbuild.config.mjs')], { cwd: root, encoding: 'utf8' });
if (build.status !== 0) {
  process.stderr.write(`${build.stdout}${build.stderr}`);
  process.exit(build.status ?? 1);
}
fs.cpSync(path.join(root, 'scripts', 'sample-project'), workspace, { recursive: true });
// Agents work in a git repository: Kilo diffs and grants are relative to its root.
for (const gitArgs of [['init', '-q'], ['add', '-A'], ['-c', 'user.name=Kilo Orchestra', '-c', 'user.email=demo@localhost', 'commit', '-qm', 'Sample workspace']]) {
  const git = spawnSync('git', gitArgs, { cwd: workspace, stdio: 'inherit' });
  if (git.status !== 0) process.exit(git.status ?? 1);
}

// A --report given by the user is honoured; the output folder always keeps its own copy too.
const reportAt = passThrough.indexOf('--report');
const userReport = reportAt >= 0 ? passThrough.splice(reportAt, 2)[1] : undefined;
const report = path.join(outDir, 'report.json');
const task = 'Add overdue-loan tracking to the inventory: due dates on loans, a list of overdue books, and fines.';
if (!passThrough.includes('--model') && !passThrough.includes('--roles')) {
  console.log('No --model given: every role runs on the scripted offline model, which writes small placeholder');
  console.log('code by a fixed script; its prices are stand-ins, there to show the cost tracking. Real models:');
  console.log('  npm start -- --model secondary-coder=anthropic/claude-sonnet-4 (any role, any model your Kilo can call)\n');
}
const code = run(
  process.execPath,
  // Real `kilo serve` with each role on its own scripted offline model; `--model ROLE=provider/model`
  // options put roles on real models, `--backend simulated` runs without Kilo.
  [path.join(root, 'dist', 'cli.js'), 'run', '--backend', 'kilo', '--task', task, '--workspace', workspace, '--report', report, '--sim-latency-ms', '150', ...passThrough],
  false,
);
if (userReport && fs.existsSync(report)) fs.copyFileSync(report, path.resolve(userReport));

console.log(`\nOutput folder: ${outDir}`);
console.log(`  workspace (code and docs the agents wrote): ${workspace}`);
console.log(`  report: ${report}${userReport ? ` (also ${path.resolve(userReport)})` : ''}`);
console.log(`  artifacts, state and event log: ${path.join(workspace, '.kilo-orchestra', 'runs')}`);
process.exit(code);

function run(command, args, mustSucceed = true) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (mustSucceed && result.status !== 0) process.exit(result.status ?? 1);
  return result.status ?? 1;
}
