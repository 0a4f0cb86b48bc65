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
import { orchestraScript } from '../../../extension/scriptedModel/orchestraScript';
import { startScriptedModel, type ScriptedModel } from '../../../extension/scriptedModel/scriptedModelServer';
import { orchestraApi, workspaceFolder } from './hostHarness';

function scriptedRoles(baseURL: string): RolesConfigView {
  const config = everyRoleOnItsOwnProfile((role) => ({ id: `scripted-${role.id}`, label: `Scripted ${role.name}`, providerID: 'scripted', modelID: `${role.id}-model`, baseURL }));
  return { profiles: config.profiles, roles: BUILTIN_ROLES.map((role) => ({ ...role, active: true })), assignments: config.assignments };
}

/** A promise and the function that settles it. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}

suite('Talking to the team while it works', function () {
  this.timeout(480_000);
  let api: OrchestraExtensionApi;
  let scripted: ScriptedModel;
  /** The coders' model requests wait until the test has talked to the team, so the run is surely implementing. */
  const codersHeld = signal();
  const coderAsked = signal();
  let coderPaused = false;
  const coderWorkedWhilePaused = signal();
  let requestId = 0;

  const fromDashboard = (message: Record<string, unknown>) => api.fromDashboard({ ...message, requestId: `host-test-${++requestId}` });

  suiteSetup(async () => {
    api = await orchestraApi();
    const script = orchestraScript();
    scripted = await startScriptedModel({
      script: async (request) => {
        if (request.role === 'secondary-coder') {
          coderAsked.fire();
          await codersHeld.promise;
          // Any coder request now comes from the coder that was not paused.
          if (coderPaused) coderWorkedWhilePaused.fire();
        }
        return script(request);
      },
    });
    await api.saveRolesConfig(scriptedRoles(scripted.url));
  });

  suiteTeardown(async () => {
    codersHeld.fire();
    await scripted?.close();
  });

  test('"Also add src/report.js …" in the Organiser chat, applied, and one coder paused: the run completes with src/report.js approved', async () => {
    const args: StartTaskArgs = { task: 'Add overdue-loan tracking', skipConfirmation: true };
    await vscode.commands.executeCommand(COMMANDS.startOrchestratedTask, args);
    await coderAsked.promise;
    assert.equal(api.dashboardState().run?.phase, 'CODE_IMPLEMENTATION');

    // The chat's Send, as the dashboard posts it.
    await fromDashboard({ type: 'chat/send', to: 'organiser', text: 'Also add src/report.js that lists overdue loans by member' });
    const answer = api.dashboardState().chat.find((message) => message.from === 'organiser' && message.actions !== undefined);
    const proposal = answer?.actions?.find((action) => action.status === 'proposed');
    assert.ok(proposal?.proposalId, `no proposal in the Organiser's answer: ${JSON.stringify(answer)}`);
    assert.match(proposal.said, /add src\/report\.js to the plan/);

    // Its Apply button.
    await fromDashboard({ type: 'chat/answerProposal', proposalId: proposal.proposalId, apply: true });
    const applied = api.dashboardState().chat.find((message) => message.id === answer!.id)?.actions?.[0];
    assert.equal(applied?.status, 'applied');

    // One coder paused from its card; the other goes on.
    await fromDashboard({ type: 'agent/pause', agentId: 'secondary-coder-1' });
    coderPaused = true;
    assert.equal(api.dashboardState().agents.find((agent) => agent.id === 'secondary-coder-1')?.status, 'paused');
    codersHeld.fire();
    await coderWorkedWhilePaused.promise;
    assert.equal(api.dashboardState().agents.find((agent) => agent.id === 'secondary-coder-1')?.status, 'paused', 'the paused coder went back to work by itself');
    await fromDashboard({ type: 'agent/resume', agentId: 'secondary-coder-1' });

    const finished = await api.whenRunFinished();
    assert.equal(finished.phase, 'COMPLETED', `the run ended ${finished.phase}: ${finished.reason ?? 'no reason given'}`);
    const report = api.dashboardState().files.find((file) => file.path === 'src/report.js');
    assert.equal(report?.stage, 'approved', `src/report.js on the file board: ${JSON.stringify(report)}`);
    assert.ok(fs.existsSync(path.join(workspaceFolder(), 'src', 'report.js')), 'src/report.js was not written');
  });

  test("a coder's view shows its read and write tool calls, and a write's diff loads from the run folder", async () => {
    const state = api.dashboardState();
    const coders = Object.entries(state.parts ?? {}).filter(([agentId]) => agentId.startsWith('secondary-coder-'));
    const tools = coders.flatMap(([agentId, parts]) => parts.filter((part) => part.kind === 'tool').map((part) => ({ agentId, part })));
    assert.ok(tools.some(({ part }) => part.tool === 'read'), `no read tool call in the coders' views: ${JSON.stringify(tools.map(({ part }) => part.tool))}`);
    const write = tools.find(({ part }) => part.tool === 'write' && part.target?.endsWith('src/report.js'));
    assert.ok(write, `no write of src/report.js among the coders' tool calls: ${JSON.stringify(tools.map(({ part }) => [part.tool, part.target]))}`);
    assert.equal(write.part.status, 'completed');
    assert.ok((write.part.sizes.diff ?? 0) > 0, 'the write of src/report.js carries no diff');

    // Unfolding it, as the view does: the body comes from transcripts/<agentId>.jsonl.
    const posted = await fromDashboard({ type: 'transcript/loadPart', agentId: write.agentId, turn: write.part.turn, partId: write.part.id });
    const content = posted.find((message) => message.type === 'transcript/partContent');
    assert.ok(content && content.type === 'transcript/partContent', `no part content posted: ${JSON.stringify(posted)}`);
    assert.match(content.body.diff?.text ?? '', /^\+.*export function report/m);
  });
});
