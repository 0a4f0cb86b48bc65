import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { USAGE, UsageError, parseCliArgs } from '../../../extension/cli/cliArgs';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-args-'));
const replay = ['replay', '--workspace', workspace, '--run', 'run-20261201-abc'];

describe('parseCliArgs: replay and its fork', () => {
  it('reads a plain replay, with no fork', () => {
    expect(parseCliArgs(replay)).toEqual({ command: 'replay', workspace, runId: 'run-20261201-abc', quiet: false });
  });

  it('reads a fork: the transition, the changed models and where the live part runs', () => {
    const args = parseCliArgs([...replay, '--fork-at', '6', '--model', 'secondary-coder=openai/gpt-5-mini', '--backend', 'kilo', '--max-agents', '2']);
    expect(args).toMatchObject({
      command: 'replay',
      fork: { atTransition: 6, backend: 'kilo', models: { 'secondary-coder': { providerID: 'openai', modelID: 'gpt-5-mini' } }, maxAgents: 2, simFiles: 6, simLatencyMs: 0 },
    });
  });

  it('leaves the live backend to the recorded run when --backend is not given', () => {
    const args = parseCliArgs([...replay, '--fork-at', '1']);
    expect(args.command === 'replay' && args.fork).toEqual({ atTransition: 1, models: {}, maxAgents: 4, simFiles: 6, simLatencyMs: 0 });
  });

  it.each([
    [[...replay, '--fork-at', '0'], '--fork-at takes a transition number (1 is the first phase change), not "0".'],
    [[...replay, '--fork-at', 'last'], '--fork-at takes a transition number (1 is the first phase change), not "last".'],
    [[...replay, '--model', 'architect=a/b'], '--model is an option of a fork: pass --fork-at N too.'],
    [[...replay, '--backend', 'kilo'], '--backend is an option of a fork: pass --fork-at N too.'],
    [[...replay, '--fork-at', '2', '--backend', 'remote'], '--backend must be "simulated" or "kilo", not "remote".'],
    [[...replay, '--fork-at', '2', '--model', 'architect'], /--model takes ROLE=PROVIDER\/MODEL/],
    [['run', '--task', 'x', '--workspace', workspace, '--fork-at', '2'], '--fork-at is an option of replay.'],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseCliArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseCliArgs(argv as string[])).toThrow(message);
  });

  it('--help says what N counts', () => {
    expect(USAGE).toContain('--fork-at N');
    expect(USAGE).toMatch(/Nth transition \(its Nth phase change,\s+as state\.json's "transitions" counts them/);
  });
});
