import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { aSampleCopy, requireBuiltCli, runCli } from './builtCli';

// Runs the built CLI bundle (`npm test` builds it first) as a user would.


const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' });
/** Git on the workspace's private checkpoint store. */
const store = (workspace: string, ...args: string[]): string => git(workspace, '--git-dir', path.join(workspace, '.kilo-orchestra', 'checkpoints.git'), ...args);

/** Every file of the workspace but .git and the run's folder, workspace-relative, sorted. */
function filesOf(workspace: string): string[] {
  return (fs.readdirSync(workspace, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((file) => !file.startsWith('.git') && !file.startsWith('.kilo-orchestra') && fs.statSync(path.join(workspace, file)).isFile())
    .map((file) => file.split(path.sep).join('/'))
    .sort();
}

/** HEAD, the branches and the user's index, to show a roll back leaves them as they were. */
const repositoryState = (workspace: string) => ({ head: git(workspace, 'rev-parse', 'HEAD'), branches: git(workspace, 'branch', '--list'), index: git(workspace, 'ls-files', '--stage') });

// Each test starts up to six CLI processes one after another: on a busy machine more than the default timeout.
describe('checkpoints and rollback in the built CLI', { timeout: 90_000 }, () => {
  beforeAll(() => {
    requireBuiltCli();
  });

  it('a simulated run takes a checkpoint before it and after each phase, and rollback --to 1 puts the files back as HEAD has them', () => {
    const workspace = aSampleCopy('cli-checkpoints-');
    git(workspace, 'init', '-q');
    git(workspace, 'add', '-A');
    git(workspace, '-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '-qm', 'sample');
    const committed = filesOf(workspace);
    // A staged change of the user's own: it must stay staged through the run and the roll back.
    fs.writeFileSync(path.join(workspace, 'NOTES.md'), 'mine\n');
    git(workspace, 'add', 'NOTES.md');
    const before = repositoryState(workspace);
    const report = path.join(workspace, '..', `${path.basename(workspace)}-report.json`);

    const run = runCli(['run', '--task', 'Add overdue-loan tracking', '--workspace', workspace, '--report', report]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { runId, status } = JSON.parse(fs.readFileSync(report, 'utf8')) as { runId: string; status: string };
    expect(status).toBe('COMPLETED');
    expect(run.stdout).toContain(`checkpoint 1 (before the run); roll back with: kilo-orchestra rollback --workspace ${workspace} --run ${runId}`);
    const refs = store(workspace, 'for-each-ref', '--format=%(refname)', 'refs/kilo-orchestra').trim().split('\n');
    expect(refs).toContain(`refs/kilo-orchestra/${runId}/1`);
    expect(refs).toContain(`refs/kilo-orchestra/${runId}/2`);
    const created = filesOf(workspace).filter((file) => !committed.includes(file) && file !== 'NOTES.md');
    expect(created.length).toBeGreaterThan(0);
    // The user's history shows no checkpoint, and their status only what the agents changed (and their own staged file).
    expect(git(workspace, 'log', '--all', '--oneline').trim().split('\n')).toEqual([expect.stringMatching(/^\w+ sample$/)]);
    expect(git(workspace, 'for-each-ref', 'refs/kilo-orchestra')).toBe('');
    const dirty = git(workspace, 'status', '--porcelain', '--untracked-files=all').trim().split('\n').map((line) => line.slice(3)).sort();
    const modified = committed.filter((file) => fs.readFileSync(path.join(workspace, file), 'utf8') !== git(workspace, 'show', `HEAD:${file}`));
    expect(dirty).toEqual([...created, ...modified, 'NOTES.md'].sort());
    // An edit after the run (as an agent or the user might make) that the roll back must not lose.
    fs.appendFileSync(path.join(workspace, 'README.md'), 'edited after the run\n');

    const listing = runCli(['rollback', '--workspace', workspace]);
    expect(listing.status).toBe(0);
    expect(listing.stdout).toMatch(/^ +1 {2}before the run +\S+ \S+ {2}\d+ files\n/m);
    expect(listing.stdout).toMatch(/after writing the plan/);
    expect(listing.stdout.trim().split('\n')).toHaveLength(refs.length + 2);

    const rolled = runCli(['rollback', '--workspace', workspace, '--run', runId, '--to', '1']);
    expect(rolled.stderr).toBe('');
    expect(rolled.status).toBe(0);
    expect(rolled.stdout).toMatch(/^Rolled back run \S+ to checkpoint 1 \(before the run\): 1 file restored, \d+ created files removed\.$/m);
    expect(rolled.stdout).toContain('restored: README.md');
    for (const file of committed) expect(fs.readFileSync(path.join(workspace, file), 'utf8')).toBe(git(workspace, 'show', `HEAD:${file}`));
    expect(filesOf(workspace)).toEqual([...committed, 'NOTES.md'].sort());
    expect(fs.readFileSync(path.join(workspace, 'NOTES.md'), 'utf8')).toBe('mine\n');
    expect(repositoryState(workspace)).toEqual(before);
    // The run's own folder is not rolled back: its report and state stay.
    expect(fs.existsSync(path.join(workspace, '.kilo-orchestra', 'runs', runId, 'state.json'))).toBe(true);

    // The files as they were just before the roll back were saved first: rolling forward brings back the edit and the created files.
    const saved = /undo with: kilo-orchestra rollback --workspace \S+ --run \S+ --to (\d+)$/m.exec(rolled.stdout)?.[1];
    expect(Number(saved)).toBe(refs.length + 1);
    expect(runCli(['rollback', '--workspace', workspace, '--to', saved!]).status).toBe(0);
    expect(fs.readFileSync(path.join(workspace, 'README.md'), 'utf8')).toMatch(/edited after the run\n$/);
    for (const file of created) expect(fs.existsSync(path.join(workspace, file))).toBe(true);
    expect(repositoryState(workspace)).toEqual(before);

    // Rolling forward again to where the files already are restores nothing, and says so.
    const again = runCli(['rollback', '--workspace', workspace, '--to', saved!]);
    expect(again.stdout).toMatch(/^Rolled back run \S+ to checkpoint \d+ \(before rollback to 1\): 0 files restored, 0 created files removed\.$/m);
  });

  it('refuses with one line and exit 2 a checkpoint or run that does not exist', () => {
    const workspace = aSampleCopy('cli-checkpoints-refuse-');
    git(workspace, 'init', '-q');
    const none = runCli(['rollback', '--workspace', workspace]);
    expect(none.status).toBe(2);
    expect(none.stderr).toBe(`kilo-orchestra: No run in ${workspace} has checkpoints.\n`);
    expect(runCli(['run', '--task', 'x', '--workspace', workspace, '--quiet']).status).toBe(0);
    for (const [args, message] of [
      [['--to', '99'], /^kilo-orchestra: Run \S+ has no checkpoint 99; it has 1 to \d+ \(1 is before the run\)\.\n$/],
      [['--run', 'run-missing', '--to', '1'], /^kilo-orchestra: Run run-missing has no checkpoints in /],
      [['--to', '0'], /^kilo-orchestra: --to takes a checkpoint number/],
    ] as const) {
      const result = runCli(['rollback', '--workspace', workspace, ...args]);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toBe('');
    }
  });

  it('a folder that is not a git repository gets checkpoints all the same (a private store), rollback removes created files, and no .git appears', () => {
    const workspace = aSampleCopy('cli-nogit-');
    const before = filesOf(workspace);
    const run = runCli(['run', '--task', 'x', '--workspace', workspace]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').filter((line) => /^(note|warning):/.test(line))).toEqual([]);
    expect(run.stdout).toMatch(/^checkpoint 1 \(before the run\); roll back with: kilo-orchestra rollback/m);
    expect(run.stdout).toMatch(/^COMPLETED/m);
    const created = filesOf(workspace).filter((file) => !before.includes(file));
    expect(created.length).toBeGreaterThan(0);

    const rollback = runCli(['rollback', '--workspace', workspace, '--to', '1']);
    expect(rollback.stderr).toBe('');
    expect(rollback.status).toBe(0);
    expect(rollback.stdout).toMatch(new RegExp(`: \\d+ files? restored, ${created.length} created files? removed\\.$`, 'm'));
    expect(filesOf(workspace)).toEqual(before);
    expect(fs.existsSync(path.join(workspace, '.git'))).toBe(false);
  });
});
