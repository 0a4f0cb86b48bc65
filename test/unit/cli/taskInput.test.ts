import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError, parseCliArgs } from '../../../extension/cli/cliArgs';
import { LIMITS } from '../../../extension/engine/util/limits';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-task-'));
const base = ['run', '--workspace', workspace];

function usageError(argv: string[]): string {
  try {
    parseCliArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('accepted');
}

function aFile(name: string, content: string | Buffer): string {
  const file = path.join(workspace, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('--task and --task-file', () => {
  it('reads the task from a UTF-8 file, trimmed and without a byte-order mark', () => {
    const file = aFile('task.md', '\uFEFF  Add überfällig fines 😀\n');
    expect(parseCliArgs([...base, '--task-file', file])).toMatchObject({ task: 'Add überfällig fines 😀' });
  });

  it('accepts a task at the limit and refuses a 150 KB task with one line naming the limit and --task-file', () => {
    expect(parseCliArgs([...base, '--task', 'x'.repeat(LIMITS.taskChars)])).toMatchObject({ command: 'run' });
    expect(usageError([...base, '--task', 'x'.repeat(150_000)])).toBe('--task: the task is 150,000 characters, over the limit of 100,000; put it in a file and pass --task-file FILE, or shorten it.');
    expect(usageError([...base, '--task-file', aFile('big.md', 'a'.repeat(150_000))])).toMatch(/^--task-file .*big\.md: the task is 150,000 characters, over the limit of 100,000; shorten it/);
  });

  it('refuses a huge task file without reading it whole, a folder, a missing file, binary and both flags', () => {
    expect(usageError([...base, '--task-file', aFile('huge.md', Buffer.alloc(LIMITS.taskChars * 4 + 1, 97))])).toMatch(/bytes, over the task limit of 100,000 characters/);
    expect(usageError([...base, '--task-file', workspace])).toMatch(/is not a file/);
    expect(usageError([...base, '--task-file', path.join(workspace, 'nope.md')])).toMatch(/does not exist/);
    expect(usageError([...base, '--task-file', aFile('bin', Buffer.from([0xff, 0xfe, 0xfd]))])).toMatch(/is not UTF-8 text/);
    expect(usageError([...base, '--task', 'x', '--task-file', aFile('t.md', 'y')])).toMatch(/either with --task or with --task-file/);
    expect(usageError([...base, '--task-file', aFile('blank.md', ' \n ')])).toMatch(/the task is empty/);
  });
});

describe('--report is checked before the run', () => {
  it('accepts a file in an existing folder and in folders still to be created', () => {
    expect(parseCliArgs([...base, '--task', 't', '--report', path.join(workspace, 'r.json')])).toMatchObject({ reportFile: path.join(workspace, 'r.json') });
    expect(parseCliArgs([...base, '--task', 't', '--report', path.join(workspace, 'a', 'b', 'r.json')])).toMatchObject({ reportFile: path.join(workspace, 'a', 'b', 'r.json') });
  });

  it('refuses a folder, a path under a file and a folder it may not write in', () => {
    expect(usageError([...base, '--task', 't', '--report', workspace])).toMatch(/is a folder; name the report file/);
    const file = aFile('plain.txt', 'x');
    expect(usageError([...base, '--task', 't', '--report', path.join(file, 'r.json')])).toMatch(/is a file, not a folder/);
    if (process.getuid?.() !== 0) {
      const locked = path.join(workspace, 'locked');
      fs.mkdirSync(locked, { mode: 0o500 });
      expect(usageError([...base, '--task', 't', '--report', path.join(locked, 'sub', 'r.json')])).toMatch(/is not writable/);
    }
  });
});
