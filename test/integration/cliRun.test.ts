import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PHASES } from '../../extension/engine/workflow/workflowTypes';
import { requireBuiltCli, runCli } from './builtCli';

// Runs the built CLI bundle (`npm test` builds it first) as a user would.


describe('kilo-orchestra run (built CLI)', () => {
  beforeAll(() => {
    requireBuiltCli();
  });

  it('a 200-file simulated run completes through every happy-path state, tests beside the documentation, within the Organiser budget', () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-run-'));
    const report = path.join(workspace, '..', `${path.basename(workspace)}-report.json`);
    const result = runCli(['run', '--backend', 'simulated', '--sim-files', '200', '--task', 'Build the inventory service', '--workspace', workspace, '--report', report, '--quiet']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const r = JSON.parse(fs.readFileSync(report, 'utf8'));
    expect(r.status).toBe('COMPLETED');
    // The final tests run beside the documentation: TESTING is entered only when they outlast it,
    // so the test report below, not the state, is what shows they ran.
    for (const state of PHASES.filter((p) => !['PAUSED', 'CANCELLED', 'FAILED', 'TESTING'].includes(p))) expect(r.states).toContain(state);
    expect(new Set(r.artifacts.map((a: { type: string }) => a.type))).toEqual(new Set(['plan', 'pseudocode', 'code', 'review', 'documentation', 'test-report']));
    expect(r.files).toEqual({ planned: 200, approved: 200 });
    expect(r.organiser.turns).toBeGreaterThan(0);
    expect(r.organiser.maxContextTokens).toBeLessThanOrEqual(2000);
    expect(r.concurrency.maxActiveAgents).toBeGreaterThanOrEqual(2);
    expect(Math.max(...r.artifacts.map((a: { summaryTokens: number }) => a.summaryTokens))).toBeLessThanOrEqual(50);
    // The agents really wrote the planned files.
    const written = fs.readdirSync(path.join(workspace, 'src'));
    expect(written).toHaveLength(200);
  });

  it.each([
    [['run', '--task', 'x'], /--workspace is required/],
    [['run', '--task', 'x', '--workspace', '/nonexistent/place'], /does not exist/],
    [['run', '--bogus'], /Unknown option/],
  ])('%j exits 2 with a one-line error', (args, message) => {
    const result = runCli(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an invalid roles file exits 2 naming the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-roles-'));
    const roles = path.join(dir, 'roles.json');
    fs.writeFileSync(roles, '{ "profiles": [ { "id": 5 } ] }');
    const result = runCli(['run', '--task', 'x', '--workspace', dir, '--roles', roles]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('roles.json');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
