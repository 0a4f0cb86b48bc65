// What the host tests need on disk before VS Code starts; called from .vscode-test.mjs on every run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The stand-in for the Kilo Code extension (`kilocode.kilo-code`): our extension depends on it and
 * takes its `bin/kilo`. The folder is built under `.vscode-test/` so the 170 MB binary is linked,
 * never committed.
 */
export function prepareStandInKilo(root) {
  const binary = path.join(root, 'node_modules', '@kilocode', 'cli-linux-x64', 'bin', 'kilo');
  if (!fs.existsSync(binary)) {
    throw new Error(`The Kilo binary is missing (${binary}); "npm ci" installs it with @kilocode/cli-linux-x64.`);
  }
  const folder = path.join(root, '.vscode-test', 'stand-in-kilo');
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(path.join(folder, 'bin'), { recursive: true });
  fs.copyFileSync(path.join(root, 'test', 'vscode', 'standInKilo', 'package.json'), path.join(folder, 'package.json'));
  fs.symlinkSync(binary, path.join(folder, 'bin', 'kilo'));
  return folder;
}

/**
 * One folder holding every extension under development, as links: the workbench's URL payload
 * accepts several extensionDevelopmentPath entries, but code-server 4.139 loads only the last one,
 * while a single path whose folder has no package.json is scanned for one extension per subfolder.
 */
export function prepareDevelopmentExtensions(root) {
  const folder = path.join(root, '.vscode-test', 'development-extensions');
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  fs.symlinkSync(root, path.join(folder, 'kilo-orchestra'));
  fs.symlinkSync(prepareStandInKilo(root), path.join(folder, 'kilo-code'));
  return folder;
}

/**
 * A fresh copy of the sample project as the opened folder, committed in its own git repository
 * (Kilo needs the workspace to be a git root). Recreated on each run: runs write into it.
 */
export function prepareWorkspace(root) {
  const workspace = path.join(root, '.vscode-test', 'workspace');
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
export function prepareKiloHome(root) {
  const home = path.join(root, '.vscode-test', 'kilo-home');
  fs.rmSync(home, { recursive: true, force: true });
  fs.mkdirSync(home, { recursive: true });
  return home;
}
