// A workspace with a run cut off by `kill -9` of the built CLI, for the host tests of the
// activation offer (test/vscode/suite/interruptedRun.test.ts). Made before VS Code starts, so the
// extension meets it the way a user's window does after a crash.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { prepareWorkspace } from './hostFixtures.mjs';

export const INTERRUPTED_TASK = 'Add overdue-loan tracking';

/**
 * A fresh sample project (its own git repository) where a simulated CLI run was killed with
 * SIGKILL once at least two of its six files were approved: its saved state is mid-coding and its
 * lock names a dead pid. Resolves with the workspace and the run id.
 */
export async function prepareInterruptedWorkspace(root, session) {
  const cli = path.join(root, 'dist', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing; build it first: node esbuild.config.mjs`);
  const folder = path.join(session, 'interrupted');
  fs.mkdirSync(folder, { recursive: true });
  const workspace = prepareWorkspace(root, folder);
  const child = spawn(process.execPath, [cli, 'run', '--task', INTERRUPTED_TASK, '--workspace', workspace, '--backend', 'simulated', '--sim-files', '6', '--sim-latency-ms', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk.toString('utf8')));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  // The run's progress lines (state.json is a snapshot plus a journal now): its id, then the files approved.
  const runId = await new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk.toString('utf8');
      const id = /^Run (\S+) on /m.exec(stdout)?.[1];
      const approved = Math.max(0, ...[...stdout.matchAll(/(\d+)\/6 approved/g)].map((match) => Number(match[1])));
      if (id && approved >= 2 && approved < 6) resolve(id);
    });
    void exited.then(({ code }) => reject(new Error(`The CLI ended (exit ${code}) before it could be killed mid-coding: ${stderr}`)));
  });
  child.kill('SIGKILL');
  await exited;
  if (!fs.existsSync(path.join(workspace, '.kilo-orchestra', 'run.lock'))) throw new Error('The killed run left no lock; the fixture expects the lock of a dead process.');
  return { workspace, runId };
}
