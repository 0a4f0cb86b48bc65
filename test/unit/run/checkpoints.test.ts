import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Checkpoints } from '../../../extension/engine/run/checkpoints';
import { rejection } from '../support/errors';

/** A real repository in a temp folder with one commit, on branch main. */
function aRepo(files: Record<string, string> = { 'src/a.js': 'a1\n', 'README.md': 'readme\n', '.gitignore': 'node_modules/\n.kilo-orchestra/\n' }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoints-'));
  git(dir, 'init', '-q', '-b', 'main');
  for (const [file, content] of Object.entries(files)) write(dir, file, content);
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', 'commit', '-q', '-m', 'initial');
  return dir;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

function write(dir: string, file: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), content);
}

function read(dir: string, file: string): string | undefined {
  const full = path.join(dir, file);
  return fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : undefined;
}

/** What the user's repository looks like to them: HEAD, branches, the index and status. */
function userView(dir: string) {
  return {
    head: git(dir, 'rev-parse', 'HEAD'),
    branches: git(dir, 'branch', '--list'),
    index: git(dir, 'ls-files', '--stage'),
    status: git(dir, 'status', '--porcelain'),
  };
}

describe('Checkpoints', () => {
  it("records a checkpoint under refs/kilo-orchestra/<run>/<n> without touching HEAD, branches, the index or status", async () => {
    const dir = aRepo();
    write(dir, 'src/a.js', 'a2 (unstaged)\n');
    write(dir, 'src/new.js', 'untracked\n');
    git(dir, 'add', 'src/new.js');
    const before = userView(dir);

    const checkpoints = new Checkpoints({ workspace: dir, runId: 'run-1' });
    const first = await checkpoints.create('before the run');
    const second = await checkpoints.create('after PLANNING');

    expect(userView(dir)).toEqual(before);
    expect(first).toMatchObject({ index: 1, ref: 'refs/kilo-orchestra/run-1/1', label: 'before the run' });
    expect(second.index).toBe(2);
    expect(git(dir, 'rev-parse', 'refs/kilo-orchestra/run-1/2').trim()).toBe(second.commit);
    expect(git(dir, 'show', `${first.commit}:src/a.js`)).toBe('a2 (unstaged)\n');
    expect(git(dir, 'show', `${first.commit}:src/new.js`)).toBe('untracked\n');
  });

  it("leaves ignored files and the run's own folder out of the snapshot", async () => {
    const dir = aRepo();
    write(dir, 'node_modules/x/index.js', 'dependency\n');
    write(dir, '.kilo-orchestra/runs/run-1/state.json', '{}');
    const checkpoint = await new Checkpoints({ workspace: dir, runId: 'run-1' }).create('before the run');
    const files = git(dir, 'ls-tree', '-r', '--name-only', checkpoint.commit).trim().split('\n');
    expect(files.sort()).toEqual(['.gitignore', 'README.md', 'src/a.js']);
  });

  it("leaves the run's own folder out even when .gitignore does not name it", async () => {
    const dir = aRepo({ 'src/a.js': 'a1\n', '.gitignore': 'node_modules/\n' });
    write(dir, '.kilo-orchestra/runs/run-1/state.json', '{}');
    const checkpoint = await new Checkpoints({ workspace: dir, runId: 'run-1' }).create('before the run');
    const files = git(dir, 'ls-tree', '-r', '--name-only', checkpoint.commit).trim().split('\n');
    expect(files.sort()).toEqual(['.gitignore', 'src/a.js']);
  });

  it("rolls back changed, deleted and created files, keeping ignored files, .git and the run's folder", async () => {
    const dir = aRepo();
    const checkpoints = new Checkpoints({ workspace: dir, runId: 'run-1' });
    const checkpoint = await checkpoints.create('before the run');
    const before = userView(dir);

    write(dir, 'src/a.js', 'changed by an agent\n');
    fs.rmSync(path.join(dir, 'README.md'));
    write(dir, 'src/created/deep/b.js', 'created by an agent\n');
    write(dir, 'node_modules/x/index.js', 'dependency\n');
    write(dir, '.kilo-orchestra/runs/run-1/state.json', '{}');
    const result = await checkpoints.rollBack(checkpoint);

    expect(read(dir, 'src/a.js')).toBe('a1\n');
    expect(read(dir, 'README.md')).toBe('readme\n');
    expect(read(dir, 'src/created/deep/b.js')).toBeUndefined();
    expect(fs.existsSync(path.join(dir, 'src/created'))).toBe(false);
    expect(result.removed).toEqual(['src/created/deep/b.js']);
    expect(read(dir, 'node_modules/x/index.js')).toBe('dependency\n');
    expect(read(dir, '.kilo-orchestra/runs/run-1/state.json')).toBe('{}');
    expect(userView(dir)).toEqual(before);
  });

  it('restores the state of a later checkpoint, not the first', async () => {
    const dir = aRepo();
    const checkpoints = new Checkpoints({ workspace: dir, runId: 'run-1' });
    await checkpoints.create('before the run');
    write(dir, 'src/plan.md', 'plan\n');
    const afterPlanning = await checkpoints.create('after PLANNING');
    write(dir, 'src/plan.md', 'plan, then code\n');
    write(dir, 'src/code.js', 'code\n');

    await checkpoints.rollBack(afterPlanning);

    expect(read(dir, 'src/plan.md')).toBe('plan\n');
    expect(read(dir, 'src/code.js')).toBeUndefined();
  });

  it('only rolls back inside the workspace when it is a folder within the repository', async () => {
    const dir = aRepo({ 'app/src/a.js': 'a1\n', 'other/keep.js': 'other\n' });
    const workspace = path.join(dir, 'app');
    const checkpoints = new Checkpoints({ workspace, runId: 'run-1' });
    const checkpoint = await checkpoints.create('before the run');
    write(dir, 'app/src/a.js', 'changed\n');
    write(dir, 'app/new.js', 'new\n');
    write(dir, 'other/new.js', 'outside the workspace\n');

    const result = await checkpoints.rollBack(checkpoint);

    expect(read(dir, 'app/src/a.js')).toBe('a1\n');
    expect(result.removed).toEqual(['new.js']);
    expect(read(dir, 'other/new.js')).toBe('outside the workspace\n');
  });

  it('reads the checkpoints of a run back from its refs', async () => {
    const dir = aRepo();
    const first = new Checkpoints({ workspace: dir, runId: 'run-1' });
    await first.create('before the run');
    await first.create('after PLANNING');
    await new Checkpoints({ workspace: dir, runId: 'run-2' }).create('other run');

    const loaded = await new Checkpoints({ workspace: dir, runId: 'run-1' }).load();

    expect(loaded.map((checkpoint) => [checkpoint.index, checkpoint.label])).toEqual([
      [1, 'before the run'],
      [2, 'after PLANNING'],
    ]);
    expect(loaded.map((checkpoint) => checkpoint.commit)).toEqual(first.list().map((checkpoint) => checkpoint.commit));
  });

  it('works in a repository with no commit yet', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoints-empty-'));
    git(dir, 'init', '-q');
    write(dir, 'a.txt', 'a\n');
    const checkpoints = new Checkpoints({ workspace: dir, runId: 'run-1' });
    const checkpoint = await checkpoints.create('before the run');
    write(dir, 'b.txt', 'b\n');
    await checkpoints.rollBack(checkpoint);
    expect(read(dir, 'b.txt')).toBeUndefined();
    expect(read(dir, 'a.txt')).toBe('a\n');
  });

  it('refuses with invalid-config outside a git repository', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoints-nogit-'));
    const error = await rejection(new Checkpoints({ workspace: dir, runId: 'run-1', git: 'git' }).create('before the run'));
    expect(error.reason).toBe('invalid-config');
    expect(error.hint).toContain('git init');
  });
});
