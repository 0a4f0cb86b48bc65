/// <reference types="mocha" />
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../extension/commands/commandIds';
import { detectWork } from '../../../extension/engine/roles/roleMarker';
import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import { everyRoleOnItsOwnProfile } from '../../../extension/engine/roles/rolesConfigFile';
import { RunStateStore } from '../../../extension/engine/run/runStateStore';
import type { RolesConfigView } from '../../../extension/protocol/rolesView';
import type { OrchestraExtensionApi, StartTaskArgs } from '../../../extension/testApi';
import { orchestraScript } from '../../../extension/scriptedModel/orchestraScript';
import type { RequestLogEntry } from '../../../extension/scriptedModel/requestLog';
import { startScriptedModel, type ScriptedModel } from '../../../extension/scriptedModel/scriptedModelServer';
import { orchestraApi, within, workspaceFolder } from './hostHarness';

// Runs in its own window (label "diagnostics" in .vscode-test.mjs) on a TypeScript project
// (test/vscode/typeScriptWorkspaceFixture.mjs). The scripted coder first writes a type error into
// src/fines.ts; VS Code's built-in TypeScript extension reports it, the gate sends it back, the fix
// is clean, and only then does the Code Sceptic see the file. Order comes from the scripted model's
// request log (arrival order), never from the clock.

const TYPESCRIPT_EXTENSION_ID = 'vscode.typescript-language-features';
const PLAN = [
  { path: 'src/fines.ts', purpose: 'the fine owed for an overdue loan' },
  { path: 'src/loans.ts', purpose: 'the loans that are overdue' },
];
const CODERS = new Set(['primary-coder', 'secondary-coder']);

/** Every built-in role on its own scripted model, and a workflow without documentation or tests (the gate is on by default). */
function scriptedRoles(baseURL: string): RolesConfigView {
  const config = everyRoleOnItsOwnProfile((role) => ({ id: `scripted-${role.id}`, label: `Scripted ${role.name}`, providerID: 'scripted', modelID: `${role.id}-model`, baseURL }));
  return { profiles: config.profiles, roles: BUILTIN_ROLES.map((role) => ({ ...role, active: true })), assignments: config.assignments, workflow: { documentation: false, testing: false } };
}

function chatRequests(scripted: ScriptedModel): RequestLogEntry[] {
  return scripted.requests.filter((request) => request.path === '/v1/chat/completions' && request.role !== undefined);
}

/** What VS Code's language features say about `uri` now, as `line:column source(code)`. */
function reported(uri: vscode.Uri): string[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.source ?? '?'}(${typeof d.code === 'object' ? d.code.value : d.code})`);
}

function tabsShowing(uri: vscode.Uri): number {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === uri.toString()).length;
}

suite('The diagnostics gate in the window', function () {
  // A small team on real Kilo: a minute or two on two idle cores, more when the machine is busy.
  this.timeout(480_000);
  let api: OrchestraExtensionApi;

  suiteSetup(async () => {
    api = await orchestraApi();
  });

  test("VS Code's built-in TypeScript extension runs in this window and its server answers for the project", async () => {
    const typescript = vscode.extensions.getExtension(TYPESCRIPT_EXTENSION_ID);
    assert.ok(typescript, `${TYPESCRIPT_EXTENSION_ID} is not in this host; extensions seen: ${vscode.extensions.all.map((e) => e.id).join(', ')}`);
    await within(typescript.activate(), 60_000, `activating ${TYPESCRIPT_EXTENSION_ID}`);
    // The server has loaded tsconfig.json's project once it answers a request about one of its files
    // (the first check would otherwise also wait for the server to start).
    const index = vscode.Uri.file(path.join(workspaceFolder(), 'src', 'index.ts'));
    await vscode.workspace.openTextDocument(index);
    const symbols = await within(Promise.resolve(vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', index)), 60_000, 'the TypeScript server');
    assert.ok(symbols?.some((symbol) => symbol.name === 'LIBRARY'), `the TypeScript server did not list src/index.ts's symbols: ${JSON.stringify(symbols)}`);
  });

  test("a coder's type error, reported by VS Code's TypeScript extension, goes back to the coder and the Sceptic first sees the fixed file", async () => {
    const workspace = workspaceFolder();
    const fines = vscode.Uri.file(path.join(workspace, 'src', 'fines.ts'));
    const base = orchestraScript({ planFiles: PLAN, typeErrorFirst: ['src/fines.ts'] });
    // The whole prompt of each fix (the request log keeps only its first 200 characters).
    const fixPrompts: string[] = [];
    const scripted = await startScriptedModel({
      script: (request) => {
        if (detectWork(request.lastUser)?.kind === 'fix') fixPrompts.push(request.lastUser);
        return base(request);
      },
    });
    // What the TypeScript extension reported on src/fines.ts, and how many requests the model had seen by then.
    const reports: Array<{ requestsSeen: number; errors: string[] }> = [];
    const listening = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((uri) => uri.toString() === fines.toString())) reports.push({ requestsSeen: chatRequests(scripted).length, errors: reported(fines) });
    });
    try {
      await api.saveRolesConfig(scriptedRoles(scripted.url));
      const args: StartTaskArgs = { task: 'Add overdue fines', skipConfirmation: true };
      await vscode.commands.executeCommand(COMMANDS.startOrchestratedTask, args);
      const finished = await api.whenRunFinished();
      assert.equal(finished.phase, 'COMPLETED', `the run ended ${finished.phase}: ${finished.reason ?? 'no reason given'}`);

      // The window's gate is VS Code's language features (no checker command is configured).
      assert.ok(api.logLines().some((line) => line.includes('Checks before review: VS Code language features')), 'the run did not say it checks with VS Code language features');

      const requests = chatRequests(scripted);
      const first = (role: (r: string) => boolean, kind: string, file: string) => requests.findIndex((r) => role(r.role ?? '') && r.work?.kind === kind && r.work.files.includes(file));
      const implemented = first((role) => CODERS.has(role), 'implement', 'src/fines.ts');
      const fixed = first((role) => CODERS.has(role), 'fix', 'src/fines.ts');
      const reviewed = first((role) => role === 'code-sceptic', 'review-code', 'src/fines.ts');
      assert.ok(implemented >= 0, 'no coder implemented src/fines.ts');
      assert.ok(fixed > implemented, `no fix of src/fines.ts after its implementation (implement #${implemented}, fix #${fixed})`);
      assert.ok(reviewed > fixed, `the Code Sceptic saw src/fines.ts (request #${reviewed}) before the fix (#${fixed})`);

      // VS Code's TypeScript extension reported TS2322 after the coder wrote it and before the fix.
      const typeError = reports.find((report) => report.errors.some((error) => error.startsWith('2:7 ts(2322)')));
      assert.ok(typeError, `the TypeScript extension never reported the type error on src/fines.ts; reports: ${JSON.stringify(reports)}`);
      assert.ok(typeError.requestsSeen > implemented && typeError.requestsSeen <= fixed, `the type error was reported after request #${typeError.requestsSeen}, not between the implementation (#${implemented}) and the fix (#${fixed})`);
      // The coder was told what the TypeScript extension said, in the gate's words (its tool steps repeat the prompt).
      assert.equal(new Set(fixPrompts).size, 1, `expected one fix prompt, got ${new Set(fixPrompts).size}`);
      assert.match(fixPrompts[0]!, /The checker found 1 error in src\/fines\.ts/);
      assert.match(fixPrompts[0]!, /line 2:7 ts\(2322\): Type 'string' is not assignable to type 'number'\./);
      // The clean file went straight to review.
      assert.equal(first((role) => CODERS.has(role), 'fix', 'src/loans.ts'), -1, 'src/loans.ts was sent back although it was clean');

      // The run's state: both files approved, the gate's last check of each clean, no second round.
      const state = await RunStateStore.load(api.currentRun()!.runDir);
      assert.deepEqual(state.workflow.files.map((file) => [file.path, file.stage, file.diagnostics]), [['src/fines.ts', 'approved', 0], ['src/loans.ts', 'approved', 0]]);
      assert.equal(state.findings.filter((finding) => finding.kind === 'checker-failed').length, 0, 'the gate could not check a file');
      // What the Sceptic approved compiles, by the same TypeScript extension.
      assert.doesNotMatch(fs.readFileSync(fines.fsPath, 'utf8'), /"three"/);
      assert.deepEqual(reported(fines), []);
      // The gate closed the tabs it opened for its checks.
      assert.equal(tabsShowing(fines), 0, 'the tab the gate opened on src/fines.ts is still open');
    } finally {
      listening.dispose();
      await scripted.close();
    }
  });
});
