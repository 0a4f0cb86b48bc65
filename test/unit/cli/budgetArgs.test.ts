import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError, parseCliArgs } from '../../../extension/cli/cliArgs';
import { continueCommand } from '../../../extension/cli/continueHint';
import { mergeBudgets } from '../../../extension/cli/resumeCommand';
import type { RunReport } from '../../../extension/engine/run/runReport';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'budget-args-'));

function usageError(argv: string[]): string {
  try {
    parseCliArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('budget flags', () => {
  it('reads --budget-usd and repeated --role-budget', () => {
    const args = parseCliArgs(['run', '--task', 't', '--workspace', workspace, '--budget-usd', '0.15', '--role-budget', 'architect=0.05', '--role-budget', 'code-sceptic=1']);
    expect(args).toMatchObject({ budgets: { runUsd: 0.15, roleUsd: { architect: 0.05, 'code-sceptic': 1 } } });
  });

  it('has no budgets when none is given', () => {
    expect(parseCliArgs(['run', '--task', 't', '--workspace', workspace])).toMatchObject({ budgets: {} });
  });

  it.each([
    [['--budget-usd=-1'], /--budget-usd takes an amount/],
    [['--budget-usd', '1e3'], /--budget-usd takes an amount/],
    [['--budget-usd', '0.0'], /must be more than 0/],
    [['--budget-usd', '1000000'], /at most 100000/],
    [['--role-budget', 'Architect=1'], /--role-budget takes ROLE=USD/],
    [['--role-budget', 'architect=1', '--role-budget', 'architect=2'], /names architect twice/],
    [['--role-budget', 'architect=free'], /--role-budget architect takes an amount/],
  ])('refuses %j', (flags, message) => {
    expect(usageError(['run', '--task', 't', '--workspace', workspace, ...flags])).toMatch(message);
  });
});

describe('resume arguments', () => {
  it('reads resume with its options; the backend is the run’s own unless given', () => {
    const args = parseCliArgs(['resume', '--workspace', workspace, '--run', 'run-20260101-000000-abcdef', '--budget-usd', '5', '--report', 'r.json']);
    expect(args).toMatchObject({ command: 'resume', workspace, runId: 'run-20260101-000000-abcdef', budgets: { runUsd: 5 }, reportFile: path.resolve('r.json') });
    expect(args).not.toHaveProperty('backend');
    expect(parseCliArgs(['resume', '--workspace', workspace, '--backend', 'kilo'])).toMatchObject({ backend: 'kilo' });
  });

  it.each([
    [['resume'], /--workspace is required/],
    [['resume', '--workspace', workspace, '--run', '..'], /--run takes a run id/],
    [['resume', '--workspace', workspace, 'extra'], /Unexpected argument/],
    [['run', '--task', 't', '--workspace', workspace, '--run', 'run-1'], /--run is an option of resume/],
  ])('refuses %j', (argv, message) => {
    expect(usageError(argv)).toMatch(message);
  });

  it('limits given on resume replace the saved ones they name and keep the others', () => {
    expect(mergeBudgets({ runUsd: 0.15, roleUsd: { architect: 1, debugger: 0.1 } }, { runUsd: 5, roleUsd: { debugger: 0.5 } })).toEqual({ runUsd: 5, roleUsd: { architect: 1, debugger: 0.5 } });
    expect(mergeBudgets({ runUsd: 0.15 })).toEqual({ runUsd: 0.15 });
    expect(mergeBudgets({}, {})).toEqual({});
  });
});

describe('continueCommand', () => {
  const paused = { status: 'PAUSED', runId: 'run-1', workspace: "/tmp/my work's" } as RunReport;

  it('suggests twice the budget that stopped the run, with the workspace quoted for the shell', () => {
    expect(continueCommand({ ...paused, budget: { spentUsd: 0.1, roles: {}, estimateUnavailable: [], stoppedBy: { scope: 'run', role: 'architect', limitUsd: 0.15, reason: '' } } })).toBe(
      `kilo-orchestra resume --workspace '/tmp/my work'\\''s' --run run-1 --budget-usd 0.30`,
    );
    expect(continueCommand({ ...paused, workspace: '/ws', budget: { spentUsd: 0.1, roles: {}, estimateUnavailable: [], stoppedBy: { scope: 'role', role: 'code-sceptic', limitUsd: 0.01, reason: '' } } })).toBe(
      'kilo-orchestra resume --workspace /ws --run run-1 --role-budget code-sceptic=0.02',
    );
  });

  it('says nothing for a run that did not stop on a budget', () => {
    expect(continueCommand({ ...paused, status: 'COMPLETED' })).toBeUndefined();
    expect(continueCommand(paused)).toBeUndefined();
  });
});
