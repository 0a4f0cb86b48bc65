import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { aSampleCopy, requireBuiltCli, runCli } from './builtCli';

// Runs the built CLI bundle (`npm test` builds it first) as a user would.
/** With 37 files the default simulated task costs about $0.50 (measured: $0.5047); 6 files cost $0.11. */
const SIM_FILES = '37';


function aWorkspace(): string {
  const workspace = aSampleCopy('cli-budget-');
  return workspace;
}

interface Report {
  runId: string;
  status: string;
  reason?: string;
  costUsd: number;
  files: { planned: number; approved: number };
  artifacts: Array<{ id: string; type: string; version: number }>;
  findings: Array<{ kind: string; message: string }>;
}

const readReport = (file: string): Report => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('kilo-orchestra budgets and resume (built CLI)', () => {
  beforeAll(() => {
    requireBuiltCli();
  });

  it('the unbudgeted task costs about $0.50', () => {
    const workspace = aWorkspace();
    const report = path.join(workspace, 'report.json');
    const result = runCli(['run', '--task', 'x', '--workspace', workspace, '--backend', 'simulated', '--sim-files', SIM_FILES, '--report', report, '--quiet']);
    expect(result.status).toBe(0);
    expect(readReport(report).costUsd).toBeGreaterThan(0.45);
    expect(readReport(report).costUsd).toBeLessThan(0.55);
  });

  it('--budget-usd 0.15 ends PAUSED within $0.165, and resume --budget-usd 5 completes it without redoing finished work', () => {
    const workspace = aWorkspace();
    const pausedFile = path.join(workspace, 'paused.json');
    const paused = runCli(['run', '--task', 'x', '--workspace', workspace, '--backend', 'simulated', '--sim-files', SIM_FILES, '--budget-usd', '0.15', '--report', pausedFile, '--quiet']);
    expect(paused.stderr).toBe('');
    expect(paused.status).toBe(1);
    const first = readReport(pausedFile);
    expect(first.status).toBe('PAUSED');
    expect(first.reason).toMatch(/^The run budget of \$0\.15 would be passed/);
    expect(first.costUsd).toBeLessThanOrEqual(0.165);
    expect(first.findings.map((finding) => finding.kind)).toContain('budget');
    const lastLine = paused.stdout.trim().split('\n').at(-1);
    expect(lastLine).toBe(`to continue: kilo-orchestra resume --workspace ${workspace} --run ${first.runId} --budget-usd 0.30`);

    const doneFile = path.join(workspace, 'done.json');
    const resumed = runCli(['resume', '--workspace', workspace, '--sim-files', SIM_FILES, '--budget-usd', '5', '--report', doneFile, '--quiet']);
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);
    const done = readReport(doneFile);
    expect(done.runId).toBe(first.runId);
    expect(done.status).toBe('COMPLETED');
    expect(done.files).toEqual({ planned: 37, approved: 37 });
    expect(done.costUsd).toBeGreaterThan(first.costUsd);
    const ids = new Set(done.artifacts.map((artifact) => artifact.id));
    for (const artifact of first.artifacts) expect(ids.has(artifact.id)).toBe(true);
    const count = (type: string) => done.artifacts.filter((artifact) => artifact.type === type).length;
    expect(count('plan')).toBe(1);
    expect(count('pseudocode')).toBe(37);
    expect(count('code')).toBe(37);
    expect(count('test-report')).toBe(1);

    // Nothing is left to resume.
    const again = runCli(['resume', '--workspace', workspace]);
    expect(again.status).toBe(2);
    expect(again.stderr.trim()).toBe(`kilo-orchestra: No unfinished run in ${workspace}; nothing to resume.`);
  });

  it('resume refuses a state of an unknown format version in one line', () => {
    const workspace = aWorkspace();
    const runDir = path.join(workspace, '.kilo-orchestra', 'runs', 'run-old');
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, 'state.json'), JSON.stringify({ formatVersion: 99, savedAt: '2026-01-01T00:00:00Z', workflow: { phase: 'PAUSED' } }));
    const result = runCli(['resume', '--workspace', workspace, '--run', 'run-old']);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('has format version 99; this kilo-orchestra reads versions 1 and 2.');
  });

  it.each([
    [['run', '--task', 'x', '--workspace', '.', '--budget-usd', 'lots'], /--budget-usd takes an amount in US dollars/],
    [['run', '--task', 'x', '--workspace', '.', '--budget-usd', '0'], /--budget-usd must be more than 0/],
    [['run', '--task', 'x', '--workspace', '.', '--role-budget', 'architect'], /--role-budget takes ROLE=USD/],
    [['resume', '--workspace', '.', '--run', '../elsewhere'], /--run takes a run id/],
    [['resume', '--workspace', '.', '--task', 'x'], /resume continues the saved task/],
  ])('%j exits 2 with a one-line error', (args, message) => {
    const result = runCli(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
