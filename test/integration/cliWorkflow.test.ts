import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../extension/engine/run/runReport';
import { SAMPLE_PLAN } from '../../extension/scriptedModel/orchestraScript';
import { SCRIPTED_OPTIONS_ENV } from '../../extension/scriptedModel/scriptOptionsEnv';
import { CLI_PATH, requireBuiltCli } from './builtCli';
import { KILO_UNDER_TEST, SAMPLE_TASK, aSampleWorkspace } from './kiloRunHarness';

// Issue 13's "Done when", through the built CLI (`node esbuild.config.mjs` first) on real
// `kilo serve` and the scripted model (no --model): a roles file adds a Security Auditor after the
// Code Sceptic and turns documentation off.

/** The roles file of the issue, exactly as a user would write it. */
const ROLES_FILE = `{ "roles": [ { "id": "security-auditor", "name": "Security Auditor", "category": "review",
               "description": "Reviews each file for injection, unsafe input handling and secrets.",
               "prompt": "Review the file for security problems only.",
               "joins": { "step": "CODE_REVIEW", "after": "code-sceptic" } } ],
  "workflow": { "documentation": false } }
`;

interface CliRun {
  stdout: string;
  stderr: string;
  report: RunReport;
}

/** `run --backend kilo --roles FILE` on a fresh git copy of the sample, with `env` added. */
function runSample(env: NodeJS.ProcessEnv = {}): CliRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-workflow-'));
  const roles = path.join(dir, 'roles.json');
  fs.writeFileSync(roles, ROLES_FILE);
  const reportFile = path.join(dir, 'report.json');
  const workspace = aSampleWorkspace('cli-workflow-ws-');
  const kiloPath = process.env.KILO_ORCHESTRA_KILO_PATH ? ['--kilo-path', KILO_UNDER_TEST] : [];
  const args = ['run', '--backend', 'kilo', '--roles', roles, '--task', SAMPLE_TASK, '--workspace', workspace, '--report', reportFile, '--quiet', ...kiloPath];
  const result = spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8', timeout: 420_000, env: { ...process.env, ...env } });
  expect(result.status, `${result.stderr}\n${result.stdout.slice(-2000)}`).toBe(0);
  return { stdout: result.stdout, stderr: result.stderr, report: JSON.parse(fs.readFileSync(reportFile, 'utf8')) as RunReport };
}

/** How many review artifacts `producer` made of each planned file (its summary starts with the file). */
function reviewsPerFile(report: RunReport, producer: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const artifact of report.artifacts.filter((a) => a.type === 'review' && a.producer === producer)) {
    const file = SAMPLE_PLAN.find((entry) => artifact.summary.startsWith(`${entry.path} `))?.path ?? `unplanned: ${artifact.summary}`;
    counts[file] = (counts[file] ?? 0) + 1;
  }
  return counts;
}

describe('run --backend kilo --roles with a custom reviewer and a workflow (built CLI, real kilo serve)', () => {
  beforeAll(() => {
    requireBuiltCli();
  });

  it("the issue's roles file ends COMPLETED with no DOCUMENTATION state and one Security Auditor review per planned file", () => {
    const { stderr, report } = runSample();

    expect(stderr).toBe('');
    expect(report.status).toBe('COMPLETED');
    expect(report.transitions.map((t) => t.to)).not.toContain('DOCUMENTATION');
    expect(report.states).not.toContain('DOCUMENTATION');
    expect(report.states).toEqual(expect.arrayContaining(['CODE_REVIEW', 'TESTING', 'COMPLETED']));
    expect(report.files).toEqual({ planned: SAMPLE_PLAN.length, approved: SAMPLE_PLAN.length });
    expect(reviewsPerFile(report, 'security-auditor-1')).toEqual(Object.fromEntries(SAMPLE_PLAN.map((entry) => [entry.path, 1])));
    expect(report.agents.find((agent) => agent.id === 'security-auditor-1')).toMatchObject({ role: 'security-auditor' });
  }, 480_000);

  it(`${SCRIPTED_OPTIONS_ENV} reaches the CLI's scripted model: the auditor rejects a file once and reviews its fix`, () => {
    const options = { planFiles: SAMPLE_PLAN.slice(0, 2), rejectOnce: { role: 'security-auditor', files: [SAMPLE_PLAN[1]!.path] } };
    const { report } = runSample({ [SCRIPTED_OPTIONS_ENV]: JSON.stringify(options) });

    expect(report.status).toBe('COMPLETED');
    expect(report.files).toEqual({ planned: 2, approved: 2 });
    expect(reviewsPerFile(report, 'security-auditor-1')).toEqual({ [SAMPLE_PLAN[0]!.path]: 1, [SAMPLE_PLAN[1]!.path]: 2 });
    expect(report.states).toContain('CODE_FIXING');
  }, 480_000);

  it(`an invalid ${SCRIPTED_OPTIONS_ENV} exits 2 with one line naming the field, before any run starts`, () => {
    const workspace = aSampleWorkspace('cli-workflow-bad-env-');
    const result = spawnSync(process.execPath, [CLI_PATH, 'run', '--backend', 'kilo', '--task', SAMPLE_TASK, '--workspace', workspace, '--quiet'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, [SCRIPTED_OPTIONS_ENV]: '{"typeErrorFirst":"src/fines.ts"}' },
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(`${SCRIPTED_OPTIONS_ENV} at typeErrorFirst:`)]);
    expect(fs.existsSync(path.join(workspace, '.kilo-orchestra', 'runs'))).toBe(false);
  });
});
