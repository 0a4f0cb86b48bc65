/// <reference types="mocha" />
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../extension/commands/commandIds';
import { RunStateStore } from '../../../extension/engine/run/runStateStore';
import type { OrchestraExtensionApi } from '../../../extension/testApi';
import { VIEWS, VIEW_COMMANDS, VIEW_CONTAINER_ID } from '../../../extension/views/viewIds';
import { playRun } from '../../unit/workflow/workflowFixtures';
import { EXTENSION_ID, orchestraApi, orchestraExtension, within, workspaceFolder } from './hostHarness';

const SEEDED_RUN = 'seeded-views-run';
const SEEDED_TASK = 'Seeded for the Runs view\nsecond line stays out of the label';

/** A run as a SIGTERM leaves it: paused mid-coding and marked interrupted, written through the run's own store. */
async function seedInterruptedRun(workspace: string): Promise<string> {
  const runDir = path.join(workspace, '.kilo-orchestra', 'runs', SEEDED_RUN);
  const driver = playRun({ until: (d) => d.inFlight('implement').length > 0 });
  driver.send({ type: 'PAUSE', reason: 'Stopped by SIGTERM.' });
  await new RunStateStore(runDir).save({
    runId: SEEDED_RUN,
    task: SEEDED_TASK,
    workspace,
    backend: 'simulated',
    startedAt: '2026-01-01T00:00:00.000Z',
    savedAt: '2026-01-01T00:00:05.000Z',
    workflow: driver.state,
    agents: [],
    todo: [],
    grants: {},
    transitions: [],
    findings: [],
    profiles: {},
    budgets: {},
    spent: { totalUsd: 0.42, byRole: {} },
    interrupted: { at: '2026-01-01T00:00:05.000Z', signal: 'SIGTERM' },
  });
  return runDir;
}

suite('The Kilo Orchestra side bar', () => {
  let api: OrchestraExtensionApi;
  let seededDir: string | undefined;

  suiteSetup(async () => {
    api = await orchestraApi();
  });

  suiteTeardown(() => {
    if (seededDir) fs.rmSync(seededDir, { recursive: true, force: true });
  });

  test('the activity-bar container and its Agents and Runs views are registered and open', async () => {
    const commands = new Set(await vscode.commands.getCommands(true));
    // VS Code makes these commands only for a container and views it has registered from the manifest.
    for (const id of [`workbench.view.extension.${VIEW_CONTAINER_ID}`, `${VIEWS.agents}.focus`, `${VIEWS.runs}.focus`]) assert.ok(commands.has(id), `${id} is not registered`);
    await within(vscode.commands.executeCommand(`workbench.view.extension.${VIEW_CONTAINER_ID}`), 15_000, 'opening the container');
    await within(vscode.commands.executeCommand(`${VIEWS.runs}.focus`), 15_000, 'focusing the Runs view');
    await within(vscode.commands.executeCommand(`${VIEWS.agents}.focus`), 15_000, 'focusing the Agents view');
    for (const id of Object.values(VIEW_COMMANDS)) assert.ok(commands.has(id), `${id} is not registered`);
  });

  test('the walkthrough is in the installed manifest and opens', async () => {
    const walkthroughs = (orchestraExtension().packageJSON as { contributes: { walkthroughs: Array<{ id: string; steps: unknown[] }> } }).contributes.walkthroughs;
    assert.deepEqual(walkthroughs.map((walkthrough) => [walkthrough.id, walkthrough.steps.length]), [['kiloOrchestra.firstRun', 3]]);
    await within(vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#kiloOrchestra.firstRun`, false), 15_000, 'opening the walkthrough');
  });

  test('the Runs view redraws when a run folder appears on disk, and lists it as interrupted and resumable', async () => {
    const redrawn = api.whenViewChanges('runs');
    seededDir = await seedInterruptedRun(workspaceFolder());
    // No command and no event of this window: only the file watcher on state.json can tell the view.
    await within(redrawn, 20_000, 'the Runs view redrawing after the run folder appeared');
    const rows = await api.viewRows('runs');
    const seeded = rows.find((row) => row.id === `run:${SEEDED_RUN}`);
    assert.ok(seeded, `the seeded run is not listed: ${JSON.stringify(rows)}`);
    assert.equal(seeded.label, 'Seeded for the Runs view');
    assert.equal(seeded.description, 'Interrupted (SIGTERM) · $0.42');
    assert.match(seeded.contextValue, /\bresumable\b/);
    for (const row of rows.filter((candidate) => candidate !== seeded && /^(Completed|Cancelled|Failed)/.test(candidate.description))) {
      assert.doesNotMatch(row.contextValue, /\bresumable\b/, `a finished run offers Resume: ${JSON.stringify(row)}`);
    }
    // The launcher pictures the workbench (test-results/screenshots/vscode-side-bar.png): for people, not asserted.
    await vscode.commands.executeCommand(`${VIEWS.runs}.focus`);
    console.log('[screenshot] side-bar');
  });

  test('Resume on the seeded run (the id its item passes) continues it; the Agents view follows it, the Runs view no longer offers Resume', async function () {
    this.timeout(150_000);
    const resumed = (await within(vscode.commands.executeCommand<{ runId: string } | undefined>('kiloOrchestra.resumeRun', SEEDED_RUN), 60_000, 'resuming the seeded run')) ?? undefined;
    assert.equal(resumed?.runId, SEEDED_RUN);
    // Asked only now: before the resume, the window's run is an earlier suite's finished one, which
    // whenRunFinished would answer at once. The resumed run ends only by the Cancel below.
    const finished = api.whenRunFinished();
    const agentsWhileLive = await api.viewRows('agents');
    assert.equal(agentsWhileLive[0]?.id, `run:${SEEDED_RUN}`);
    const whileLive = (await api.viewRows('runs')).find((row) => row.id === `run:${SEEDED_RUN}`);
    assert.doesNotMatch(whileLive?.contextValue ?? '', /\bresumable\b/, 'the live run still offers Resume');
    // Cancelled from the palette command, the run ends for good: listed as such, with nothing to resume.
    await within(vscode.commands.executeCommand(COMMANDS.cancel), 30_000, 'cancelling the resumed run');
    const result = await within(finished, 60_000, 'the cancelled run');
    assert.deepEqual([result.runId, result.phase], [SEEDED_RUN, 'CANCELLED']);
    const after = (await api.viewRows('runs')).find((row) => row.id === `run:${SEEDED_RUN}`);
    assert.match(after?.description ?? '', /^Cancelled · /);
    assert.doesNotMatch(after?.contextValue ?? '', /\bresumable\b/);
    assert.equal((await api.viewRows('agents'))[0]?.description.startsWith('Cancelled · '), true, 'the Agents view did not follow the run to its end');
  });

  test('Open on a run item shows that run on the dashboard; an unknown id is said, not thrown', async () => {
    // Resume opened the dashboard: close it, so only Open can bring it back.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.equal(api.dashboard().open, false, 'the dashboard is still open after closing every editor');
    await within(vscode.commands.executeCommand(VIEW_COMMANDS.openRun, SEEDED_RUN), 30_000, 'opening the seeded run');
    assert.deepEqual(api.dashboard(), { open: true, visible: true });
    await within(vscode.commands.executeCommand(VIEW_COMMANDS.openRun, 'no-such-run'), 15_000, 'opening a run that is not there');
  });

  test('the Agents view shows the window’s run and its agents, or nothing (its welcome) without one', async () => {
    const rows = await api.viewRows('agents');
    const run = api.currentRun();
    if (!run) return assert.deepEqual(rows, []);
    assert.equal(rows[0]?.id, `run:${run.runId}`);
    const agents = rows.slice(1);
    assert.ok(agents.length > 0, 'the run shows no agents');
    for (const agent of agents) assert.match(agent.description, /^[a-z -]+ · \$\d+\.\d\d$/, `an agent row without status and cost: ${JSON.stringify(agent)}`);
  });
});
