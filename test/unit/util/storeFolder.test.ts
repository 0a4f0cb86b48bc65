import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkspaceLock } from '../../../extension/engine/run/workspaceLock';
import { STORE_GITIGNORE, ensureStoreFolder } from '../../../extension/engine/util/storeFolder';

const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' });

function aRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-folder-'));
  git(dir, 'init', '-q');
  fs.writeFileSync(path.join(dir, 'README.md'), 'readme\n');
  return dir;
}

describe('ensureStoreFolder', () => {
  it("creates .kilo-orchestra/ with a .gitignore of '*', so git status does not list the run's files", async () => {
    const dir = aRepo();
    const folder = await ensureStoreFolder(dir);
    fs.mkdirSync(path.join(folder, 'runs', 'run-1'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'runs', 'run-1', 'state.json'), '{}');
    expect(fs.readFileSync(path.join(folder, '.gitignore'), 'utf8')).toBe(STORE_GITIGNORE);
    expect(git(dir, 'status', '--porcelain', '--untracked-files=all')).toBe('?? README.md\n');
  });

  it('keeps a .gitignore that is already there', async () => {
    const dir = aRepo();
    fs.mkdirSync(path.join(dir, '.kilo-orchestra'));
    fs.writeFileSync(path.join(dir, '.kilo-orchestra', '.gitignore'), 'runs/\n');
    await ensureStoreFolder(dir);
    expect(fs.readFileSync(path.join(dir, '.kilo-orchestra', '.gitignore'), 'utf8')).toBe('runs/\n');
  });

  it('the run lock, the first thing every run writes, goes into an ignored folder', async () => {
    const dir = aRepo();
    const lock = await WorkspaceLock.acquire(dir, { runId: 'run-1', by: 'run' });
    expect(git(dir, 'status', '--porcelain', '--untracked-files=all')).toBe('?? README.md\n');
    await lock.release();
  });
});
