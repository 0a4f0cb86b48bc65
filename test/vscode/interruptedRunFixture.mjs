// A workspace with a run cut off by `kill -9` of the built CLI, for the host tests of the
// activation offer (test/vscode/suite/interruptedRun.test.ts). Made before VS Code starts, so the
// extension meets it the way a user's window does after a crash.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { prepareWorkspace } from './hostFixtures.mjs';

export const INTERRUPTED_TASK = 'Add overdue-loan tracking';
const CODING = ['CODE_IMPLEMENTATION', 'CODE_REVIEW', 'CODE_FIXING'];

/**
 * A fresh sample project (its own git repository) where a simulated CLI run was killed with
 * SIGKILL once it had coded at least two files: its state.json is mid-coding and its lock names a
 * dead pid. Resolves with the workspace and the run id.
 */
export async function prepareInterruptedWorkspace(root, session) {
  const cli = path.join(root, 'dist', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing; build it first: node esbuild.config.mjs`);
  const folder = path.join(session, 'interrupted');
  fs.mkdirSync(folder, { recursive: true });
  const workspace = prepareWorkspace(root, folder);
  const child = spawn(process.execPath, [cli, 'run', '--task', INTERRUPTED_TASK, '--workspace', workspace, '--backend', 'simulated', '--sim-files', '6', '--sim-latency-ms', '100', '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk.toString('utf8')));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const runId = await new Promise((resolve, reject) => {
    const watcher = fs.watch(workspace, { recursive: true });
    const check = () => {
      const seen = observe(workspace);
      if (!seen || !CODING.includes(seen.phase) || seen.coded < 2) return;
      watcher.close();
      resolve(seen.runId);
    };
    watcher.on('change', check);
    void exited.then(({ code }) => {
      watcher.close();
      reject(new Error(`The CLI ended (exit ${code}) before it could be killed mid-coding: ${stderr}`));
    });
    check();
  });
  child.kill('SIGKILL');
  await exited;
  if (!fs.existsSync(path.join(workspace, '.kilo-orchestra', 'run.lock'))) throw new Error('The killed run left no lock; the fixture expects the lock of a dead process.');
  return { workspace, runId };
}

/** The run's saved phase and how many files have code, or undefined while nothing readable is there. */
function observe(workspace) {
  const runs = path.join(workspace, '.kilo-orchestra', 'runs');
  const runId = fs.existsSync(runs) ? fs.readdirSync(runs)[0] : undefined;
  if (!runId) return undefined;
  try {
    const state = JSON.parse(fs.readFileSync(path.join(runs, runId, 'state.json'), 'utf8'));
    const coded = state.workflow.files.filter((file) => file.stage !== 'pending' && file.stage !== 'implementing').length;
    return { runId, phase: state.workflow.phase, coded };
  } catch {
    return undefined; // written by rename: the next change reads it whole
  }
}
