import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DashboardModel } from '../../../extension/dashboard/dashboardModel';
import { loadRunFolder } from '../../../extension/dashboard/runFolder';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { wrapSessionRuns } from '../../../extension/engine/backends/wrapSessions';
import type { DiagnosticsChecker, FileDiagnostic } from '../../../extension/engine/diagnostics/diagnosticsChecker';
import { parseRolesConfig, simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { OrchestrationRun } from '../../../extension/engine/run/orchestrationRun';
import { SECURITY_AUDITOR } from '../support/securityAuditor';

/** The simulated team plus the roles file's custom roles and workflow, each custom role on a simulated profile. */
function rolesWith(extra: unknown) {
  const base = simulatedRolesConfig();
  const custom = parseRolesConfig(extra, 'roles.json');
  const profiles = [...base.profiles, { id: 'sim-custom', label: 'Simulated custom role', providerID: 'simulated', modelID: 'sim-custom' }];
  const assignments = { ...base.assignments, ...Object.fromEntries(custom.roles.map((role) => [role.id, 'sim-custom'])) };
  return resolveRoles({ ...custom, profiles, roles: [...base.roles, ...custom.roles], assignments });
}

/** A fake checker: reports one type error in `file` the first time it is asked about it, then nothing. */
class FakeOnceChecker implements DiagnosticsChecker {
  readonly description = 'fake checker';
  readonly asked: string[] = [];
  private reported = false;
  constructor(private readonly file: string) {}
  async check(files: readonly string[]): Promise<FileDiagnostic[]> {
    this.asked.push(...files);
    if (this.reported || !files.includes(this.file)) return [];
    this.reported = true;
    return [{ file: this.file, line: 3, column: 7, severity: 'error', message: "Type 'string' is not assignable to type 'number'.", source: 'TS2322' }];
  }
}

const AUDITOR = SECURITY_AUDITOR;

describe('a simulated run follows the workflow definition', () => {
  it('has the auditor review every file after the Sceptic, skips documentation, and the gate sends a type error back first', async () => {
    const runWith = async (diagnostics?: DiagnosticsChecker) => {
      const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'definition-'));
      const roles = rolesWith({ roles: [AUDITOR], workflow: { documentation: false } });
      const run = await OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles, backend: new SimulatedBackend({ files: 3 }), ...(diagnostics ? { diagnostics } : {}) });
      return run.start();
    };
    const checker = new FakeOnceChecker('src/module01.ts');
    const report = await runWith(checker);
    const ungated = await runWith();

    expect(report.status).toBe('COMPLETED');
    expect(report.states).not.toContain('DOCUMENTATION');
    const audits = report.artifacts.filter((artifact) => artifact.type === 'review' && artifact.producer === 'security-auditor-1');
    expect(audits).toHaveLength(3);
    // The gate checked the first file twice (the error, then the fix) before any review of it.
    expect(checker.asked.filter((file) => file === 'src/module01.ts')).toHaveLength(2);
    // The event log keeps each check: the error first, then the clean check after the fix.
    const checked = fs.readFileSync(path.join(report.runDir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)).filter((entry) => entry.data?.event === 'checked' && entry.data.file === 'src/module01.ts');
    expect(checked.map((entry) => entry.data.errors)).toEqual([1, 0]);
    expect(checked[0].data.first[0]).toContain('TS2322');
    // …and the dashboard rebuilt from the folder shows both on the timeline.
    const timeline = (await loadRunFolder(new DashboardModel(), report.runDir)).state().timeline.map((entry) => entry.title);
    expect(timeline).toContain('Checked src/module01.ts: 1 error');
    expect(timeline).toContain('Checked src/module01.ts: clean');
    // …and that fix adds versions of the code over the same run without the gate.
    const codeVersions = (of: typeof report) => of.artifacts.filter((artifact) => artifact.type === 'code').reduce((sum, artifact) => sum + artifact.version, 0);
    expect(ungated.status).toBe('COMPLETED');
    expect(codeVersions(report)).toBeGreaterThan(codeVersions(ungated));
  });

  it('runs a Changelog Writer after the documentation, writing only the file its join grants', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'definition-'));
    const changelog = {
      id: 'changelog-writer',
      name: 'Changelog Writer',
      category: 'documentation',
      description: 'Keeps the changelog.',
      prompt: 'Add this change to CHANGELOG.md.',
      inputArtifacts: ['plan', 'code', 'documentation'],
      outputArtifacts: ['documentation'],
      joins: { step: 'DOCUMENTATION', writes: ['CHANGELOG.md'] },
    };
    const stepInputs: string[][] = [];
    const backend = wrapSessionRuns(new SimulatedBackend({ files: 2 }), (_spec, session) => (request, signal, onEvent) => {
      if (request.kind === 'step') stepInputs.push(request.inputs.map((input) => input.type));
      return session.run(request, signal, onEvent);
    });
    const run = await OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles: rolesWith({ roles: [changelog] }), backend });
    const report = await run.start();
    // The plan and both files' code from the machine; the documentation from the store, as the role's inputArtifacts ask.
    expect(stepInputs).toHaveLength(1);
    expect(stepInputs[0]!.filter((type) => type === 'code')).toHaveLength(2);
    expect(stepInputs[0]).toContain('plan');
    expect(stepInputs[0]).toContain('documentation');

    expect(report.status).toBe('COMPLETED');
    expect(report.artifacts.filter((artifact) => artifact.producer === 'changelog-writer-1').map((artifact) => artifact.type)).toEqual(['documentation']);
    expect(fs.readFileSync(path.join(workspace, 'CHANGELOG.md'), 'utf8')).toContain('src/module01.ts');
    const states = report.states;
    expect(states.indexOf('DOCUMENTATION')).toBeLessThan(states.indexOf('TESTING'));
  });
});
