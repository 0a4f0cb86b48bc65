import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Checkpoints, rollBackCounts } from '../../../extension/engine/run/checkpoints';
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

/** Git on the private checkpoint store of a workspace. */
function store(dir: string, ...args: string[]): string {
  return git(dir, '--git-dir', path.join(dir, '.kilo-orchestra', 'checkpoints.git'), ...args);
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
  it("records a checkpoint under refs/kilo-orchestra/<run>/<n> of its private store without touching HEAD, branches, the index, status or the user's refs", async () => {
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
    expect(store(dir, 'rev-parse', 'refs/kilo-orchestra/run-1/2').trim()).toBe(second.commit);
    expect(store(dir, 'show', `${first.commit}:src/a.js`)).toBe('a2 (unstaged)\n');
    expect(store(dir, 'show', `${first.commit}:src/new.js`)).toBe('untracked\n');
    // History views walk every ref of the user's repository: none of them is a checkpoint.
    expect(git(dir, 'log', '--all', '--oneline').trim().split('\n')).toEqual([expect.stringMatching(/^\w+ initial$/)]);
    expect(git(dir, 'for-each-ref', 'refs/kilo-orchestra')).toBe('');
    expect(() => git(dir, 'cat-file', '-e', first.commit)).toThrow();
  });

  it("borrows the user's objects instead of copying them: a snapshot of the committed files writes only its commit", async () => {
    const dir = aRepo();
    await new Checkpoints({ workspace: dir, runId: 'run-1' }).create('before the run');
    const loose = fs.readdirSync(path.join(dir, '.kilo-orchestra', 'checkpoints.git', 'objects'), { recursive: true, encoding: 'utf8' }).filter((file) => /^[0-9a-f]{2}[/\\][0-9a-f]+$/.test(file));
    // Its blobs and trees are HEAD's, so they are read from the user's repository through alternates.
    expect(loose).toHaveLength(1);
  });

  it("leaves ignored files and the run's own folder out of the snapshot", async () => {
    const dir = aRepo();
    write(dir, 'node_modules/x/index.js', 'dependency\n');
    write(dir, '.kilo-orchestra/runs/run-1/state.json', '{}');
    const checkpoint = await new Checkpoints({ workspace: dir, runId: 'run-1' }).create('before the run');
    const files = store(dir, 'ls-tree', '-r', '--name-only', checkpoint.commit).trim().split('\n');
    expect(files.sort()).toEqual(['.gitignore', 'README.md', 'src/a.js']);
  });

  it("leaves the run's own folder out of the snapshot and of git status even when .gitignore does not name it", async () => {
    const dir = aRepo({ 'src/a.js': 'a1\n', '.gitignore': 'node_modules/\n' });
    write(dir, '.kilo-orchestra/runs/run-1/state.json', '{}');
    expect(git(dir, 'status', '--porcelain')).toBe('?? .kilo-orchestra/\n');
    const checkpoint = await new Checkpoints({ workspace: dir, runId: 'run-1' }).create('before the run');
    const files = store(dir, 'ls-tree', '-r', '--name-only', checkpoint.commit).trim().split('\n');
    expect(files.sort()).toEqual(['.gitignore', 'src/a.js']);
    expect(git(dir, 'status', '--porcelain', '--untracked-files=all')).toBe('');
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

  it('counts as restored only the files that differed: none when nothing changed, and it rewrites no file that is as it was', async () => {
    const dir = aRepo();
    const checkpoints = new Checkpoints({ workspace: dir, runId: 'run-1' });
    const checkpoint = await checkpoints.create('before the run');
    const past = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(path.join(dir, 'README.md'), past, past);

    expect(await checkpoints.rollBack(checkpoint)).toEqual({ restored: 0, restoredFiles: [], removed: [] });
    expect(fs.statSync(path.join(dir, 'README.md')).mtimeMs).toBe(past.getTime());

    write(dir, 'src/a.js', 'changed\n');
    fs.rmSync(path.join(dir, '.gitignore'));
    const result = await checkpoints.rollBack(checkpoint);
    expect(result.restoredFiles.sort()).toEqual(['.gitignore', 'src/a.js']);
    expect(result.restored).toBe(2);
    expect(fs.statSync(path.join(dir, 'README.md')).mtimeMs).toBe(past.getTime());
  });

  it('words a roll back the same for the CLI and the editor, in the singular for one', () => {
    expect(rollBackCounts({ restored: 0, restoredFiles: [], removed: [] })).toBe('0 files restored, 0 created files removed');
    expect(rollBackCounts({ restored: 1, restoredFiles: ['a'], removed: ['b'] })).toBe('1 file restored, 1 created file removed');
    expect(rollBackCounts({ restored: 219, restoredFiles: [], removed: ['b', 'c'] })).toBe('219 files restored, 2 created files removed');
  });

  it('works in a folder that is not a git repository: snapshot, roll back, created files removed, and no repository appears', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoints-nogit-'));
    write(dir, 'src/a.js', 'a1\n');
    const checkpoints = new Checkpoints({ workspace: dir, runId: 'run-1' });
    const checkpoint = await checkpoints.create('before the run');
    write(dir, 'src/a.js', 'changed\n');
    write(dir, 'src/b.js', 'created\n');

    const result = await checkpoints.rollBack(checkpoint);

    expect(result).toEqual({ restored: 1, restoredFiles: ['src/a.js'], removed: ['src/b.js'] });
    expect(read(dir, 'src/a.js')).toBe('a1\n');
    expect(fs.existsSync(path.join(dir, '.git'))).toBe(false);
    expect(await new Checkpoints({ workspace: dir, runId: 'run-2' }).runs()).toEqual(['run-1']);
  });

  it('moves checkpoints an older version left under the user\'s refs/kilo-orchestra/ into its store, with their objects, and removes them there', async () => {
    const dir = aRepo();
    // What an older version did: a commit no branch reaches, kept by a ref in the user's repository.
    write(dir, 'src/agent.js', 'written by an agent, never committed\n');
    const blob = git(dir, 'hash-object', '-w', 'src/agent.js').trim();
    git(dir, 'update-index', '--add', 'src/agent.js');
    const tree = git(dir, 'write-tree').trim();
    git(dir, 'rm', '-q', '--cached', 'src/agent.js');
    const legacy = execFileSync('git', ['commit-tree', tree, '-m', 'Kilo Orchestra checkpoint: after PLANNING'], { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } }).trim();
    git(dir, 'update-ref', 'refs/kilo-orchestra/run-old/1', legacy);
    fs.rmSync(path.join(dir, 'src/agent.js'));

    const loaded = await new Checkpoints({ workspace: dir, runId: 'run-old' }).load();

    expect(loaded.map((checkpoint) => [checkpoint.index, checkpoint.commit, checkpoint.label])).toEqual([[1, legacy, 'after PLANNING']]);
    expect(git(dir, 'for-each-ref', 'refs/kilo-orchestra')).toBe('');
    expect(git(dir, 'log', '--all', '--oneline').trim().split('\n')).toHaveLength(1);
    // The user's gc may now drop the old commit and its blob: the store has its own copy.
    git(dir, 'reflog', 'expire', '--expire=now', '--all');
    git(dir, 'gc', '-q', '--prune=now');
    expect(() => git(dir, 'cat-file', '-e', blob)).toThrow();
    const again = new Checkpoints({ workspace: dir, runId: 'run-old' });
    const [checkpoint] = await again.load();
    await again.rollBack(checkpoint!);
    expect(read(dir, 'src/agent.js')).toBe('written by an agent, never committed\n');
  });

  it('prune keeps the checkpoints of the newest runs and this one, and deletes the others with the objects only they used', async () => {
    const dir = aRepo();
    const blobs: Record<string, string> = {};
    for (const runId of ['run-1', 'run-2', 'run-3']) {
      write(dir, `src/${runId}.js`, `only in ${runId}\n`);
      await new Checkpoints({ workspace: dir, runId }).create('before the run');
      blobs[runId] = git(dir, 'hash-object', `src/${runId}.js`).trim();
      fs.rmSync(path.join(dir, `src/${runId}.js`));
    }
    // Same second for all three: the newest is the one whose id sorts last.
    const pruned = await new Checkpoints({ workspace: dir, runId: 'run-1' }).prune(1, 'now');

    expect(pruned).toEqual(['run-2']);
    expect(await new Checkpoints({ workspace: dir, runId: 'x' }).runs()).toEqual(['run-3', 'run-1']);
    expect(() => store(dir, 'cat-file', '-e', blobs['run-2']!)).toThrow();
    expect(store(dir, 'cat-file', '-p', blobs['run-3']!)).toBe('only in run-3\n');
  });

  it('refuses with invalid-config when git cannot be run', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoints-nogit-'));
    const error = await rejection(new Checkpoints({ workspace: dir, runId: 'run-1', git: path.join(dir, 'no-such-git') }).create('before the run'));
    expect(error.reason).toBe('invalid-config');
    expect(error.hint).toContain('Install git');
  });
});
