/// <reference types="mocha" />
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../extension/commands/commandIds';
import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import type { DashboardState } from '../../../extension/protocol/viewModel';
import type { OrchestraExtensionApi, StartTaskArgs } from '../../../extension/testApi';
import { orchestraScript } from '../../../extension/scriptedModel/orchestraScript';
import { startScriptedModel, type ScriptedModel } from '../../../extension/scriptedModel/scriptedModelServer';
import { orchestraApi } from './hostHarness';

// A new user's first run: Kilo configured by hand in their home (a custom OpenAI-compatible provider,
// no prices, a default `model`), no role assigned in the extension. Every role runs on the Kilo default.

const PROVIDER = 'firstrun';
const MODEL = 'team-model';
const USER_KEY = 'sk-first-run-7d2e';
const DEFAULT_NAME = `Kilo default (${PROVIDER}/${MODEL})`;

/** The file a user writes by hand: ~/.config/kilo/kilo.json of the private Kilo home the host tests run with. */
function userConfigFile(): string {
  const home = process.env.KILO_ORCHESTRA_KILO_HOME;
  if (!home) throw new Error('KILO_ORCHESTRA_KILO_HOME is not set: the host tests run Kilo in a private home (see .vscode-test.mjs).');
  return path.join(home, '.config', 'kilo', 'kilo.json');
}

suite('A first run with no role assigned', function () {
  // A whole team on real Kilo: under a minute on two idle cores, several when the machine is busy.
  this.timeout(480_000);
  let api: OrchestraExtensionApi;
  let scripted: ScriptedModel | undefined;
  let configFile: string;
  /** The home's config file as it was before this suite (undefined: there was none). */
  let configBefore: string | undefined;
  let state: DashboardState;

  suiteSetup(async () => {
    api = await orchestraApi();
    scripted = await startScriptedModel({ script: orchestraScript() });
    configFile = userConfigFile();
    configBefore = fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : undefined;
    const provider = { npm: '@ai-sdk/openai-compatible', name: 'First-run proxy', options: { baseURL: scripted.url, apiKey: USER_KEY }, models: { [MODEL]: { name: 'Team Model' } } };
    fs.mkdirSync(path.dirname(configFile), { recursive: true });
    fs.writeFileSync(configFile, `${JSON.stringify({ model: `${PROVIDER}/${MODEL}`, provider: { [PROVIDER]: provider } }, null, 2)}\n`);
    // No profiles and no assignments: the state of a user who never opened the Roles tab.
    await api.saveRolesConfig({ profiles: [], roles: BUILTIN_ROLES.map((role) => ({ ...role })), assignments: {} });
  });

  suiteTeardown(async () => {
    await scripted?.close();
    if (!configFile) return;
    if (configBefore === undefined) fs.rmSync(configFile, { force: true });
    else fs.writeFileSync(configFile, configBefore);
  });

  test('the task starts without any assignment and the team takes it to COMPLETED', async () => {
    const args: StartTaskArgs = { task: 'Add overdue-loan tracking', skipConfirmation: true };
    const started = await vscode.commands.executeCommand<{ runId: string } | undefined>(COMMANDS.startOrchestratedTask, args);
    assert.ok(started, `the start was refused; the log ends: ${api.logLines().slice(-5).join(' | ')}`);
    const finished = await api.whenRunFinished();
    assert.equal(finished.runId, started.runId);
    assert.equal(finished.phase, 'COMPLETED', `the run ended ${finished.phase}: ${finished.reason ?? 'no reason given'}`);
    state = api.dashboardState();
    assert.equal(state.run?.runId, started.runId);
  });

  test('every agent ran on "Kilo default (provider/model)"', () => {
    assert.ok(state, 'no finished run to read');
    assert.ok(state.agents.length > 0, 'the run shows no agents');
    const elsewhere = state.agents.filter((agent) => agent.model !== DEFAULT_NAME);
    assert.deepEqual(elsewhere.map((agent) => `${agent.id}: ${agent.model}`), [], `agents not on ${DEFAULT_NAME}`);
    const roles = new Set(state.agents.map((agent) => agent.role));
    for (const role of ['organiser', 'architect', 'primary-coder', 'secondary-coder', 'code-sceptic']) assert.ok(roles.has(role), `no ${role} agent; agents: ${[...roles].join(', ')}`);
  });

  test('the cost names the Kilo default as unpriced, on the cost panel and in the run summary', () => {
    assert.ok(state, 'no finished run to read');
    assert.deepEqual(state.cost.unpricedModels, [DEFAULT_NAME]);
    assert.equal(state.cost.totalUsd, 0);
    assert.ok(state.run?.summary, 'the finished run has no summary');
    assert.deepEqual(state.run.summary.cost.unpricedModels, [DEFAULT_NAME]);
    assert.equal(state.run.summary.cost.actualUsd, 0);
  });

  test('the user\'s provider served every role: each agent\'s role asked the scripted model for the default model, with the user\'s key', () => {
    assert.ok(state && scripted, 'no finished run to read');
    const chats = scripted.requests.filter((entry) => entry.path === '/v1/chat/completions');
    assert.ok(chats.length > 0, 'the scripted model got no chat request');
    assert.deepEqual([...new Set(chats.map((entry) => entry.model))], [MODEL]);
    assert.deepEqual([...new Set(chats.map((entry) => entry.authorization))], [`Bearer ${USER_KEY}`]);
    const asked = new Set(chats.map((entry) => entry.role).filter((role) => role !== undefined));
    const silent = [...new Set(state.agents.map((agent) => agent.role))].filter((role) => !asked.has(role));
    assert.deepEqual(silent, [], `roles with agents that never asked the model; roles seen: ${[...asked].join(', ')}`);
  });
});
