/// <reference types="mocha" />
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../extension/commands/commandIds';
import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import { everyRoleOnItsOwnProfile } from '../../../extension/engine/roles/rolesConfigFile';
import type { RunSummaryView } from '../../../extension/protocol/runSummaryView';
import type { OrchestraExtensionApi, StartTaskArgs } from '../../../extension/testApi';
import { orchestraScript } from '../../../extension/scriptedModel/orchestraScript';
import { startScriptedModel, type ScriptedModel } from '../../../extension/scriptedModel/scriptedModelServer';
import { orchestraApi, within, workspaceFolder } from './hostHarness';

const CHECKPOINT_SCHEME = 'kilo-orchestra-checkpoint';

/** The active tab once it is a diff editor (now, or at the next tab change). */
function whenDiffTab(): Promise<vscode.TabInputTextDiff> {
  const current = (): vscode.TabInputTextDiff | undefined => {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    return input instanceof vscode.TabInputTextDiff ? input : undefined;
  };
  return new Promise((resolve) => {
    const found = current();
    if (found) return resolve(found);
    const subscription = vscode.window.tabGroups.onDidChangeTabs(() => {
      const input = current();
      if (!input) return;
      subscription.dispose();
      resolve(input);
    });
  });
}

suite('The run summary at the end of a run', function () {
  this.timeout(480_000);
  let api: OrchestraExtensionApi;
  let scripted: ScriptedModel | undefined;
  let summary: RunSummaryView;

  suiteSetup(async () => {
    api = await orchestraApi();
    // After the full run's suite this window has a finished run; alone, this suite runs one itself.
    if (!api.dashboardState().run?.summary) {
      scripted = await startScriptedModel({ script: orchestraScript() });
      const config = everyRoleOnItsOwnProfile((role) => ({ id: `scripted-${role.id}`, label: `Scripted ${role.name}`, providerID: 'scripted', modelID: `${role.id}-model`, baseURL: scripted!.url }));
      await api.saveRolesConfig({ profiles: config.profiles, roles: BUILTIN_ROLES.map((role) => ({ ...role, active: true })), assignments: config.assignments });
      const args: StartTaskArgs = { task: 'Add overdue-loan tracking', skipConfirmation: true };
      await vscode.commands.executeCommand(COMMANDS.startOrchestratedTask, args);
      await api.whenRunFinished();
    }
  });

  suiteTeardown(async () => {
    await scripted?.close();
  });

  test('the finished run shows its summary: the files it wrote, counted from the checkpoint before the run, tests, cost against the estimate and findings', () => {
    const run = api.dashboardState().run;
    assert.ok(run?.summary, `the dashboard shows no summary for run ${run?.runId} (${run?.phase})`);
    summary = run.summary;
    assert.equal(summary.runId, run.runId);
    assert.deepEqual(summary.checkpoint && { index: summary.checkpoint.index, label: summary.checkpoint.label }, { index: 1, label: 'before the run' });
    assert.ok(summary.files && summary.files.total > 0, `no changed files in ${JSON.stringify(summary.files)}`);
    const workspace = workspaceFolder();
    for (const file of summary.files.changed) if (file.change !== 'deleted') assert.ok(fs.existsSync(path.join(workspace, file.path)), `${file.path} is listed as ${file.change} but is not in the workspace`);
    assert.ok(summary.files.additions > 0);
    assert.ok(summary.cost.estimatedUsd !== undefined, 'no estimate was recorded at the start');
    assert.ok(['passed', 'failed', 'not-run', 'none'].includes(summary.tests.result));
    assert.equal(summary.findings.total, summary.findings.byKind.reduce((sum, entry) => sum + entry.count, 0));
  });

  test('the dashboard opens on the finished run with its summary', async () => {
    await vscode.commands.executeCommand(COMMANDS.openDashboard, { tab: 'run' });
    assert.equal(api.dashboard().visible, true);
  });

  test("a changed file's diff opens in VS Code's diff editor: the checkpoint's side on our scheme, the workspace file on the other", async () => {
    const changed = summary.files!.changed;
    const file = changed.find((change) => change.change === 'modified') ?? changed.find((change) => change.change === 'added')!;
    const opened = whenDiffTab();
    await within(api.openSummaryDiff(file.path), 20_000, 'opening the diff');
    const diff = await within(opened, 20_000, 'the diff editor');
    assert.equal(diff.original.scheme, CHECKPOINT_SCHEME);
    assert.equal(diff.modified.scheme, 'file');
    assert.equal(diff.modified.fsPath, path.join(workspaceFolder(), file.path));
    const before = await vscode.workspace.openTextDocument(diff.original);
    // A file the run added is empty on the checkpoint's side; a modified one is as it was.
    if (file.change === 'added') assert.equal(before.getText(), '');
    else assert.notEqual(before.getText(), fs.readFileSync(diff.modified.fsPath, 'utf8'));
    // The launcher takes a picture of the workbench: the diff editor on the run's change.
    console.log('[screenshot] run-summary-diff');
  });

  test('after Roll back to the checkpoint before the run the dashboard says rolled back, not Completed', async () => {
    const rolled = await vscode.commands.executeCommand<boolean>(COMMANDS.rollBackToCheckpoint, { index: summary.checkpoint!.index, skipConfirmation: true });
    assert.equal(rolled, true);
    const run = api.dashboardState().run;
    assert.ok(run?.rolledBack, 'the run view does not say it was rolled back');
    assert.equal(run.rolledBack.checkpointIndex, 1);
    const added = summary.files!.changed.filter((change) => change.change === 'added');
    assert.equal(run.rolledBack.removed, added.length);
    for (const file of added) assert.equal(fs.existsSync(path.join(workspaceFolder(), file.path)), false, `${file.path} is still there after the roll back`);
  });
});
