import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { startKiloRuntime } from '../../extension/cli/kiloRuntime';
import type { DiagnosticsChecker, FileDiagnostic } from '../../extension/engine/diagnostics/diagnosticsChecker';
import { detectWork } from '../../extension/engine/roles/roleMarker';
import { OrchestrationRun } from '../../extension/engine/run/orchestrationRun';
import type { RunReport } from '../../extension/engine/run/runReport';
import { SAMPLE_PLAN, orchestraScript, type OrchestraScriptOptions } from '../../extension/scriptedModel/orchestraScript';
import type { RequestLogEntry, Script } from '../../extension/scriptedModel/scriptedModelServer';
import { SAMPLE_TASK, aSampleWorkspace, kiloArgs } from './kiloRunHarness';
import { SECURITY_AUDITOR } from '../unit/support/securityAuditor';

// The workflow as data on real `kilo serve` with the scripted model: a custom Security Auditor
// joins the code review after the Code Sceptic, and a workflow definition turns a phase off.

const AUDITOR = SECURITY_AUDITOR;

/** A roles file outside the workspace (so no agent's diff shows it). */
function aRolesFile(content: object): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-workflow-roles-')), 'roles.json');
  fs.writeFileSync(file, JSON.stringify(content, null, 2));
  return file;
}

interface WorkflowRun {
  workspace: string;
  report: RunReport;
  requests: RequestLogEntry[];
}

/** One run of the sample task on real Kilo with `roles` and the script's `options` (or a `script` of its own). */
async function runWith(roles: object, options: OrchestraScriptOptions, extra: { script?: Script; diagnostics?: (workspace: string) => DiagnosticsChecker } = {}): Promise<WorkflowRun> {
  const workspace = aSampleWorkspace('kilo-workflow-');
  const script = extra.script ?? orchestraScript(options);
  const runtime = await startKiloRuntime(kiloArgs(workspace, { rolesFile: aRolesFile(roles), simLatencyMs: 50 }), () => undefined, { scripted: { script } });
  try {
    const diagnostics = extra.diagnostics?.(workspace);
    const run = await OrchestrationRun.create({ workspace, task: SAMPLE_TASK, roles: runtime.roles, backend: runtime.backend, maxActive: 4, onAttention: 'fail', ...(diagnostics ? { diagnostics } : {}) });
    const report = await run.start();
    return { workspace, report, requests: [...runtime.scripted!.requests] };
  } finally {
    await runtime.dispose();
  }
}

/**
 * Who worked on `file`, in the order the work reached the model: `role:kind` of each implement, fix
 * and review of that file (a piece of work takes several requests, counted once).
 */
function workOn(requests: RequestLogEntry[], file: string): string[] {
  const steps = requests.filter((r) => r.work !== undefined && ['implement', 'fix', 'review-code'].includes(r.work.kind) && r.work.files[0] === file).map((r) => `${r.role}:${r.work!.kind}`);
  return steps.filter((step, index) => step !== steps[index - 1]);
}

/** The review artifacts `producer` made, by the file its summary names. */
function reviewsBy(report: RunReport, producer: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const artifact of report.artifacts.filter((a) => a.type === 'review' && a.producer === producer)) {
    const file = SAMPLE_PLAN.find((entry) => artifact.summary.startsWith(entry.path))?.path ?? artifact.summary;
    counts.set(file, (counts.get(file) ?? 0) + 1);
  }
  return counts;
}

/**
 * The gate's checker for the test: TypeScript's own compiler under strict settings on the asked
 * files of `workspace` (what `tsc --noEmit` reports), so the test needs no checker of the product's.
 */
function typeScriptChecker(workspace: string, asked: string[][]): DiagnosticsChecker {
  return {
    description: 'TypeScript compiler (test)',
    check: async (files) => {
      asked.push([...files]);
      const program = ts.createProgram(files.map((file) => path.join(workspace, file)), { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, lib: ['lib.es2022.d.ts'], types: [], skipLibCheck: true });
      return ts.getPreEmitDiagnostics(program).flatMap((d): FileDiagnostic[] => {
        if (!d.file || d.start === undefined) return [];
        const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
        const file = path.relative(workspace, d.file.fileName).split(path.sep).join('/');
        return [{ file, line: line + 1, column: character + 1, severity: 'error', message: ts.flattenDiagnosticMessageText(d.messageText, ' '), source: `TS${d.code}` }];
      });
    },
  };
}

describe('a workflow from a definition on real kilo serve', () => {
  it('a Security Auditor after the Code Sceptic rejects a file once: it goes back to its coder, both review it again, and every file has an auditor review', async () => {
    const rejected = 'src/loans.js';
    const { report, requests } = await runWith({ roles: [AUDITOR] }, { rejectOnce: { role: 'security-auditor', files: [rejected] } });

    expect(report.status, JSON.stringify(report.findings)).toBe('COMPLETED');
    expect(report.files).toEqual({ planned: SAMPLE_PLAN.length, approved: SAMPLE_PLAN.length });
    // The built-in workflow otherwise: documentation still runs.
    expect(report.states).toContain('DOCUMENTATION');
    // One auditor review per file, two for the rejected one (its rejection and its approval).
    const audits = reviewsBy(report, 'security-auditor-1');
    expect(Object.fromEntries(audits)).toEqual(Object.fromEntries(SAMPLE_PLAN.map((entry) => [entry.path, entry.path === rejected ? 2 : 1])));
    expect(report.artifacts.some((a) => a.producer === 'security-auditor-1' && a.summary === `${rejected} does not check its input.`)).toBe(true);
    // Every file went to the Code Sceptic first, then to the auditor; the rejected one back to its coder and through both again.
    expect(workOn(requests, rejected)).toEqual(['secondary-coder:implement', 'code-sceptic:review-code', 'security-auditor:review-code', 'secondary-coder:fix', 'code-sceptic:review-code', 'security-auditor:review-code']);
    for (const entry of SAMPLE_PLAN.filter((e) => e.path !== rejected)) {
      expect(workOn(requests, entry.path), entry.path).toEqual(['secondary-coder:implement', 'code-sceptic:review-code', 'security-auditor:review-code']);
    }
    // The auditor ran on its own scripted model under its own role.
    expect(new Set(requests.filter((r) => r.role === 'security-auditor').map((r) => r.model))).toEqual(new Set(['security-auditor-model']));
  }, 300_000);

  it('workflow.documentation false: the run completes without a DOCUMENTATION phase', async () => {
    const plan = SAMPLE_PLAN.slice(0, 2);
    const { report, requests } = await runWith({ roles: [], workflow: { documentation: false } }, { planFiles: plan });

    expect(report.status, JSON.stringify(report.findings)).toBe('COMPLETED');
    expect(report.files).toEqual({ planned: 2, approved: 2 });
    expect(report.transitions.map((t) => t.to)).not.toContain('DOCUMENTATION');
    expect(report.states).toEqual(expect.arrayContaining(['CODE_REVIEW', 'TESTING', 'COMPLETED']));
    expect(report.artifacts.filter((a) => a.type === 'documentation')).toEqual([]);
    expect(requests.filter((r) => r.work?.kind === 'document')).toEqual([]);
  }, 300_000);

  it("the diagnostics gate sends a coder's type error back with the checker's findings, and the Code Sceptic sees only the fixed file", async () => {
    const plan = [
      { path: 'src/fines.ts', purpose: 'fines: a fixed amount per overdue day, capped' },
      { path: 'src/loans.ts', purpose: 'loans with a due date, fourteen days after lending' },
    ];
    const base = orchestraScript({ planFiles: plan, typeErrorFirst: ['src/fines.ts'] });
    const fixNotes: string[] = [];
    const script: Script = (request) => {
      if (detectWork(request.lastUser)?.kind === 'fix') fixNotes.push(request.lastUser);
      return base(request);
    };
    const asked: string[][] = [];
    const { workspace, report, requests } = await runWith({ roles: [], workflow: { documentation: false } }, {}, { script, diagnostics: (dir) => typeScriptChecker(dir, asked) });

    expect(report.status, JSON.stringify(report.findings)).toBe('COMPLETED');
    expect(report.files).toEqual({ planned: 2, approved: 2 });
    // The type error went back to the coder before any review; the Sceptic reviewed the fix once.
    expect(workOn(requests, 'src/fines.ts')).toEqual(['secondary-coder:implement', 'secondary-coder:fix', 'code-sceptic:review-code']);
    expect(workOn(requests, 'src/loans.ts')).toEqual(['secondary-coder:implement', 'code-sceptic:review-code']);
    expect(fixNotes.some((note) => note.includes('The checker found 1 error in src/fines.ts') && note.includes('TS2322'))).toBe(true);
    // Checked after the first write and after the fix; the file ends as code that compiles.
    expect(asked.filter((files) => files.includes('src/fines.ts'))).toHaveLength(2);
    const fines = fs.readFileSync(path.join(workspace, 'src', 'fines.ts'), 'utf8');
    expect(fines).not.toContain('"three"');
    expect(await typeScriptChecker(workspace, []).check(['src/fines.ts', 'src/loans.ts'], new AbortController().signal)).toEqual([]);
  }, 300_000);

  it('a Changelog Writer joining documentation runs once after the Documentation Writer, writes only its granted CHANGELOG.md, and records its artifact', async () => {
    const writer = {
      id: 'changelog-writer',
      name: 'Changelog Writer',
      category: 'documentation',
      description: 'Writes the changelog entry for the change.',
      prompt: 'Write the changelog entry for the planned files.',
      joins: { step: 'DOCUMENTATION', writes: ['CHANGELOG.md'] },
    };
    const plan = SAMPLE_PLAN.slice(0, 2);
    const { workspace, report, requests } = await runWith({ roles: [writer] }, { planFiles: plan });

    expect(report.status, JSON.stringify(report.findings)).toBe('COMPLETED');
    expect(report.findings).toEqual([]);
    const steps = report.artifacts.filter((a) => a.producer === 'changelog-writer-1');
    expect(steps.map((a) => a.type)).toEqual(['documentation']);
    const changelog = fs.readFileSync(path.join(workspace, 'CHANGELOG.md'), 'utf8');
    for (const entry of plan) expect(changelog).toContain(entry.path);
    // In the documentation phase: after every document request, before the tests.
    const kinds = requests.map((r) => r.work?.kind);
    const stepAt = kinds.indexOf('step');
    expect(stepAt).toBeGreaterThan(kinds.lastIndexOf('document'));
    expect(stepAt).toBeLessThan(kinds.indexOf('test'));
    expect(new Set(requests.filter((r) => r.work?.kind === 'step').map((r) => r.role))).toEqual(new Set(['changelog-writer']));
  }, 300_000);
});
