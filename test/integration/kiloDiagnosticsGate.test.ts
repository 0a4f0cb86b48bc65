import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startKiloRuntime } from '../../extension/cli/kiloRuntime';
import type { DiagnosticsChecker, FileDiagnostic } from '../../extension/engine/diagnostics/diagnosticsChecker';
import { projectChecker } from '../../extension/engine/diagnostics/projectChecker';
import { detectWork } from '../../extension/engine/roles/roleMarker';
import { OrchestrationRun } from '../../extension/engine/run/orchestrationRun';
import { orchestraScript } from '../../extension/scriptedModel/orchestraScript';
import type { Script } from '../../extension/scriptedModel/scriptedModelServer';
import { chatRequests, kiloArgs } from './kiloRunHarness';

// The diagnostics gate on real `kilo serve` with the scripted model: a TypeScript project whose
// coder first writes a type error into src/fines.ts. The project's own tsc (the command in the roles
// file's workflow) finds it, the gate sends it back, the coder fixes it, and only then does the Code
// Sceptic see the file. Order is read from the scripted model's request log (arrival order).

const root = path.resolve(__dirname, '../..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const CHECK_COMMAND = `${process.execPath} ${tsc} --noEmit -p tsconfig.json`;
const PLAN = [
  { path: 'src/fines.ts', purpose: 'the fine owed for an overdue loan' },
  { path: 'src/loans.ts', purpose: 'the loans that are overdue' },
];
const CODERS = new Set(['primary-coder', 'secondary-coder']);

const temp: string[] = [];
afterAll(() => {
  for (const dir of temp) fs.rmSync(dir, { recursive: true, force: true });
});

/** A git-initialised TypeScript sample in a fresh temporary folder: tsconfig.json, package.json and src/. */
function aTypeScriptSample(): string {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-gate-'));
  temp.push(workspace);
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify({ name: 'library-fines', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'ES2022', moduleResolution: 'bundler', types: [], skipLibCheck: true }, include: ['src'] }, null, 2)}\n`,
    'src/index.ts': "export const LIBRARY = 'Overdue loans';\n",
    'README.md': '# Library fines\n\nA small TypeScript library.\n',
  };
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(workspace, name)), { recursive: true });
    fs.writeFileSync(path.join(workspace, name), text);
  }
  for (const args of [['init', '-q'], ['add', '-A'], ['-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '-qm', 'sample']]) {
    expect(spawnSync('git', args, { cwd: workspace }).status).toBe(0);
  }
  return workspace;
}

/** A roles file (outside the workspace) whose workflow runs the gate with `command` and skips documentation and tests. */
function aRolesFile(command: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-gate-roles-'));
  temp.push(dir);
  const file = path.join(dir, 'roles.json');
  fs.writeFileSync(file, JSON.stringify({ roles: [], workflow: { documentation: false, testing: false, diagnostics: { command, maxRounds: 2 } } }));
  return file;
}

describe('the diagnostics gate on real kilo serve', () => {
  it("sends a coder's type error back before review: the Code Sceptic first sees src/fines.ts after the fix", async () => {
    const workspace = aTypeScriptSample();
    const base = orchestraScript({ planFiles: PLAN, typeErrorFirst: ['src/fines.ts'] });
    // The whole prompt of each fix (the request log keeps only its first 200 characters).
    const fixPrompts: string[] = [];
    const script: Script = (request) => {
      if (detectWork(request.lastUser)?.kind === 'fix') fixPrompts.push(request.lastUser);
      return base(request);
    };
    const runtime = await startKiloRuntime(kiloArgs(workspace, { rolesFile: aRolesFile(CHECK_COMMAND) }), () => undefined, { scripted: { script } });
    try {
      expect(runtime.roles.workflow?.diagnostics?.command).toBe(CHECK_COMMAND);
      const diagnostics = projectChecker({ workspace, workflow: runtime.roles.workflow });
      expect(diagnostics?.description).toBe(CHECK_COMMAND);
      // Each check of src/fines.ts with what tsc found, and how many requests the model had seen by then.
      const checks: Array<{ requestsSeen: number; found: FileDiagnostic[] }> = [];
      const recording: DiagnosticsChecker = {
        description: diagnostics!.description,
        check: async (files, signal) => {
          const found = await diagnostics!.check(files, signal);
          if (files.includes('src/fines.ts')) checks.push({ requestsSeen: chatRequests(runtime.scripted!).length, found });
          return found;
        },
      };
      const run = await OrchestrationRun.create({ workspace, task: 'Add overdue fines', roles: runtime.roles, backend: runtime.backend, maxActive: 4, onAttention: 'fail', diagnostics: recording });
      const report = await run.start();

      expect(report.status).toBe('COMPLETED');
      expect(report.findings.filter((finding) => finding.kind === 'checker-failed')).toEqual([]);
      const requests = chatRequests(runtime.scripted!);
      const about = (file: string, kind: string) => requests.findIndex((r) => r.work?.kind === kind && r.work.files.includes(file));
      const implemented = requests.findIndex((r) => CODERS.has(r.role ?? '') && r.work?.kind === 'implement' && r.work.files.includes('src/fines.ts'));
      const fixed = requests.findIndex((r) => CODERS.has(r.role ?? '') && r.work?.kind === 'fix' && r.work.files.includes('src/fines.ts'));
      const reviewed = requests.findIndex((r) => r.role === 'code-sceptic' && r.work?.kind === 'review-code' && r.work.files.includes('src/fines.ts'));
      expect(implemented).toBeGreaterThanOrEqual(0);
      // The fix came from the gate (no reviewer had seen the file yet), and the review only after it.
      expect(fixed).toBeGreaterThan(implemented);
      expect(reviewed).toBeGreaterThan(fixed);
      // tsc found the type error after the coder wrote it and before the fix; the check after the fix was clean, before the review.
      expect(checks.map((check) => check.found.map((d) => `${d.file}:${d.line} ${d.source}`))).toEqual([['src/fines.ts:2 TS2322'], []]);
      expect(checks[0]!.requestsSeen).toBeGreaterThan(implemented);
      expect(checks[0]!.requestsSeen).toBeLessThanOrEqual(fixed);
      expect(checks[1]!.requestsSeen).toBeGreaterThan(fixed);
      expect(checks[1]!.requestsSeen).toBeLessThanOrEqual(reviewed);
      // The coder was told what tsc said, in the gate's words (one fix: its tool steps repeat the prompt).
      expect(new Set(fixPrompts).size).toBe(1);
      expect(fixPrompts[0]).toContain('The checker found 1 error in src/fines.ts');
      expect(fixPrompts[0]).toContain("line 2:7 TS2322: Type 'string' is not assignable to type 'number'.");
      // The clean file went straight to review: no fix of src/loans.ts at all.
      expect(about('src/loans.ts', 'fix')).toBe(-1);
      expect(about('src/loans.ts', 'review-code')).toBeGreaterThan(about('src/loans.ts', 'implement'));

      // What the Sceptic approved compiles: the type error is gone, and tsc agrees on the whole project.
      expect(fs.readFileSync(path.join(workspace, 'src', 'fines.ts'), 'utf8')).not.toContain('"three"');
      expect(await diagnostics!.check([], new AbortController().signal)).toEqual([]);
      expect(report.artifacts.filter((a) => a.type === 'code' && a.summary.includes('src/fines.ts')).at(-1)?.version).toBeGreaterThanOrEqual(2);
    } finally {
      await runtime.dispose();
    }
  }, 360_000);
});
