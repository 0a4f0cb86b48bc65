import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError, parseCliArgs } from '../../../extension/cli/cliArgs';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-args-'));

describe('parseCliArgs', () => {
  it('reads a full run command with defaults filled in', () => {
    const args = parseCliArgs(['run', '--task', 'Add fines', '--workspace', workspace]);
    expect(args).toMatchObject({ command: 'run', task: 'Add fines', workspace, backend: 'simulated', maxAgents: 4, simFiles: 6, simLatencyMs: 0 });
  });

  it('reads every option', () => {
    const args = parseCliArgs(['run', '--task', 't', '--workspace', workspace, '--backend', 'kilo', '--report', 'r.json', '--max-agents', '3', '--sim-files', '200', '--sim-latency-ms', '20', '--quiet']);
    expect(args).toMatchObject({ backend: 'kilo', reportFile: path.resolve('r.json'), maxAgents: 3, simFiles: 200, simLatencyMs: 20, quiet: true });
  });

  it.each([
    [['run', '--workspace', workspace], /--task is required/],
    [['run', '--task', 'x'], /--workspace is required/],
    [['run', '--task', 'x', '--workspace', path.join(workspace, 'missing')], /does not exist/],
    [['run', '--task', 'x', '--workspace', workspace, '--backend', 'llama'], /--backend must be/],
    [['run', '--task', 'x', '--workspace', workspace, '--max-agents', 'many'], /whole number/],
    [['run', '--task', 'x', '--workspace', workspace, '--sim-files', '0'], /between 1 and 5000/],
    [['run', '--task', 'x', '--workspace', workspace, '--colour'], /Unknown option/],
    [['walk'], /Unknown command/],
    [[], /Missing command/],
  ])('refuses %j with a one-line usage error', (argv, message) => {
    let caught: unknown;
    try {
      parseCliArgs(argv);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('\n');
  });

  it('answers help and version without needing a task', () => {
    expect(parseCliArgs(['--help'])).toEqual({ command: 'help' });
    expect(parseCliArgs(['--version'])).toEqual({ command: 'version' });
  });
});
