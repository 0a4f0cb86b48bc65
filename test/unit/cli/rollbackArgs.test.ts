import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { USAGE, UsageError, parseCliArgs } from '../../../extension/cli/cliArgs';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'rollback-args-'));

describe('parseCliArgs: rollback', () => {
  it('reads a listing (no --to) of the newest run', () => {
    expect(parseCliArgs(['rollback', '--workspace', workspace])).toEqual({ command: 'rollback', workspace });
  });

  it('reads --run and --to', () => {
    expect(parseCliArgs(['rollback', '--workspace', workspace, '--run', 'run-20261201-abc', '--to', '3'])).toEqual({ command: 'rollback', workspace, runId: 'run-20261201-abc', to: 3 });
  });

  it('resolves a relative workspace', () => {
    const relative = path.relative(process.cwd(), workspace);
    expect(parseCliArgs(['rollback', '--workspace', relative])).toMatchObject({ workspace });
  });

  it.each([
    [['rollback'], /--workspace is required/],
    [['rollback', '--workspace', path.join(workspace, 'missing')], /does not exist/],
    [['rollback', '--workspace', workspace, '--to', '0'], /--to takes a checkpoint number \(1 is before the run\), not "0"/],
    [['rollback', '--workspace', workspace, '--to', 'last'], /--to takes a checkpoint number/],
    [['rollback', '--workspace', workspace, '--to', '-1'], /--to/],
    [['rollback', '--workspace', workspace, '--to', '1.5'], /--to takes a checkpoint number/],
    [['rollback', '--workspace', workspace, '--run', '../etc'], /--run takes a run id/],
    [['rollback', '--workspace', workspace, '--task', 'x'], /--task is not an option of rollback/],
    [['rollback', '--workspace', workspace, '--quiet'], /--quiet is not an option of rollback/],
    [['rollback', 'now', '--workspace', workspace], /Unexpected argument "now"/],
    [['run', '--task', 'x', '--workspace', workspace, '--to', '1'], /--to is an option of rollback/],
    [['resume', '--workspace', workspace, '--to', '1'], /--to is an option of rollback/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  it('names rollback among the commands and in the usage', () => {
    expect(() => parseCliArgs(['undo', '--workspace', workspace])).toThrow(/"run", "resume", "rollback" and "say"/);
    expect(USAGE).toContain('kilo-orchestra rollback --workspace DIR [--run ID] [--to N]');
  });
});
