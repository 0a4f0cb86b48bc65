/// <reference types="mocha" />
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../extension/commands/commandIds';
import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import { everyRoleOnItsOwnProfile } from '../../../extension/engine/roles/rolesConfigFile';
import type { RolesConfigView } from '../../../extension/protocol/rolesView';
import type { OrchestraExtensionApi, StartTaskArgs } from '../../../extension/testApi';
import { SAMPLE_PLAN, orchestraScript } from '../../../extension/scriptedModel/orchestraScript';
import { startScriptedModel, type ScriptedModel } from '../../../extension/scriptedModel/scriptedModelServer';
import { orchestraApi, workspaceFolder } from './hostHarness';

type StatusBarItems = ReturnType<OrchestraExtensionApi['statusBarItems']>;

/** Every built-in role active, each on its own scripted model: the CLI's offline setup, saved through the roles tab's path. */
function scriptedRoles(baseURL: string): RolesConfigView {
  const config = everyRoleOnItsOwnProfile((role) => ({ id: `scripted-${role.id}`, label: `Scripted ${role.name}`, providerID: 'scripted', modelID: `${role.id}-model`, baseURL }));
  return { profiles: config.profiles, roles: BUILTIN_ROLES.map((role) => ({ ...role, active: true })), assignments: config.assignments };
}

suite('A full run started from the command', function () {
  // A whole team on real Kilo: under a minute on two idle cores, several when the machine is busy.
  this.timeout(480_000);
  let api: OrchestraExtensionApi;
  let scripted: ScriptedModel;
  /** The status bar as it was each time an agent asked the model for its next step, i.e. mid-work. */
  const statusWhileWorking: Array<{ role: string | undefined; items: StatusBarItems }> = [];
  let pictured = false;

  suiteSetup(async () => {
    api = await orchestraApi();
    const script = orchestraScript({ rejectFirstPlan: true });
    scripted = await startScriptedModel({
      script: (request) => {
        statusWhileWorking.push({ role: request.role, items: api.statusBarItems() });
        // The launcher takes a picture of the workbench (dashboard and status bar) mid-run.
        if (request.role === 'secondary-coder' && !pictured) {
          pictured = true;
          console.log('[screenshot] run-in-progress');
        }
        return script(request);
      },
    });
    await api.saveRolesConfig(scriptedRoles(scripted.url));
  });

  suiteTeardown(async () => {
    await scripted?.close();
  });

  test('the team on real Kilo and the scripted model takes the task to COMPLETED and writes the planned files', async () => {
    const args: StartTaskArgs = { task: 'Add overdue-loan tracking', skipConfirmation: true };
    await vscode.commands.executeCommand(COMMANDS.startOrchestratedTask, args);
    const finished = await api.whenRunFinished();
    assert.equal(finished.phase, 'COMPLETED', `the run ended ${finished.phase}: ${finished.reason ?? 'no reason given'}`);
    assert.equal(api.currentRun()?.runId, finished.runId);
    const workspace = workspaceFolder();
    const missing = SAMPLE_PLAN.map((file) => file.path).filter((file) => !fs.existsSync(path.join(workspace, file)));
    assert.deepEqual(missing, [], `planned files not written: ${missing.join(', ')}`);
    const roles = new Set(scripted.requests.map((request) => request.role).filter((role) => role !== undefined));
    for (const role of ['organiser', 'architect', 'primary-coder', 'code-sceptic']) assert.ok(roles.has(role), `the ${role} never asked the model; roles seen: ${[...roles].join(', ')}`);
  });

  test('while agents work the status bar shows the run item and an item per busy agent', () => {
    const coding = statusWhileWorking.filter((seen) => seen.role === 'primary-coder' || seen.role === 'secondary-coder');
    assert.ok(coding.length > 0, 'no coder asked the model');
    const withAgents = coding.find((seen) => seen.items.filter((item) => item.visible).length >= 2);
    assert.ok(withAgents, `no agent item while a coder worked; the status bar was ${JSON.stringify(coding[0]!.items)}`);
    assert.equal(withAgents.items[0]!.visible, true, 'the run item (first) was hidden during the run');
  });

  test('the log names the run, and the agents by id and role', () => {
    const runId = api.currentRun()?.runId;
    assert.ok(runId, 'no run recorded');
    const lines = api.logLines().filter((line) => line.includes(`[run ${runId}]`));
    assert.ok(lines.length > 0, `no log line carries [run ${runId}]`);
    for (const role of ['architect', 'primary-coder']) {
      // `[run <id>] [<agent id>] [<role>] message` (extension/run/runLog.ts), the agent id not `-`.
      const agentLine = new RegExp(`\\[run ${runId}\\] \\[(?!-\\])[^\\]]+\\] \\[${role}\\]`);
      assert.ok(lines.some((line) => agentLine.test(line)), `no log line of run ${runId} names an agent of the ${role} role`);
    }
  });
});
