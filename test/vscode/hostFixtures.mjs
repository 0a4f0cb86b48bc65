// What the host tests need on disk before VS Code starts; called from .vscode-test.mjs on every run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A folder for this run alone, `.vscode-test/sessions/<pid>`: two runs in one checkout at once
 * (two terminals, an editor's test runner) must not share a workspace or a Kilo home. Folders of
 * runs whose process has ended are removed.
 */
export function sessionFolder(root) {
  const sessions = path.join(root, '.vscode-test', 'sessions');
  fs.mkdirSync(sessions, { recursive: true });
  for (const name of fs.readdirSync(sessions)) {
    if (!/^\d+$/.test(name) || isAlive(Number(name))) continue;
    fs.rmSync(path.join(sessions, name), { recursive: true, force: true });
  }
  const folder = path.join(sessions, String(process.pid));
  fs.mkdirSync(folder, { recursive: true });
  return folder;
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * The stand-in for the Kilo Code extension (`kilocode.kilo-code`): our extension depends on it and
 * takes its `bin/kilo`. The folder is built under `.vscode-test/sessions/` so the 170 MB binary is linked,
 * never committed.
 */
export function prepareStandInKilo(root, session) {
  const binary = path.join(root, 'node_modules', '@kilocode', 'cli-linux-x64', 'bin', 'kilo');
  if (!fs.existsSync(binary)) {
    throw new Error(`The Kilo binary is missing (${binary}); "npm ci" installs it with @kilocode/cli-linux-x64.`);
  }
  const folder = path.join(session, 'stand-in-kilo');
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(path.join(folder, 'bin'), { recursive: true });
  fs.copyFileSync(path.join(root, 'test', 'vscode', 'standInKilo', 'package.json'), path.join(folder, 'package.json'));
  fs.symlinkSync(binary, path.join(folder, 'bin', 'kilo'));
  return folder;
}

/**
 * A fresh copy of the sample project as the opened folder, committed in its own git repository
 * (Kilo needs the workspace to be a git root). Recreated on each run: runs write into it.
 */
export function prepareWorkspace(root, session) {
  const workspace = path.join(session, 'workspace');
  fs.rmSync(workspace, { recursive: true, force: true });
  fs.cpSync(path.join(root, 'scripts', 'sample-project'), workspace, { recursive: true });
  const git = (...args) => {
    const result = spawnSync('git', args, { cwd: workspace, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${workspace}: ${result.stderr}`);
  };
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=Host Tests', '-c', 'user.email=host-tests@localhost', 'commit', '-qm', 'sample project');
  return workspace;
}

/**
 * An empty Kilo home for the run test (KILO_ORCHESTRA_KILO_HOME): Kilo's database, logs and
 * settings stay out of the user's home and it reaches no provider but the scripted model.
 */
export function prepareKiloHome(session) {
  const home = path.join(session, 'kilo-home');
  fs.rmSync(home, { recursive: true, force: true });
  fs.mkdirSync(home, { recursive: true });
  return home;
}
