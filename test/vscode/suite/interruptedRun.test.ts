/// <reference types="mocha" />
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { COMMANDS } from '../../../extension/commands/commandIds';
import { RunStateStore } from '../../../extension/engine/run/runStateStore';
import type { OrchestraExtensionApi } from '../../../extension/testApi';
import * as vscode from 'vscode';
import { orchestraApi, orchestraExtension, within, workspaceFolder } from './hostHarness';

// Runs in its own window (label "interrupted" in .vscode-test.mjs), whose workspace holds a run
// the built CLI was running when it was killed with SIGKILL (test/vscode/interruptedRunFixture.mjs).

function theRun(): { runId: string; runDir: string } {
  const runs = path.join(workspaceFolder(), '.kilo-orchestra', 'runs');
  const names = fs.readdirSync(runs);
  assert.equal(names.length, 1, `the fixture should leave one run folder, found ${names.join(', ')}`);
  return { runId: names[0]!, runDir: path.join(runs, names[0]!) };
}

suite('A run interrupted by kill -9, when the window opens', function () {
  this.timeout(120_000);
  let api: OrchestraExtensionApi;

  suiteSetup(async () => {
    // onStartupFinished may come before or after the tests start; either way activation makes the offer.
    console.log(`    activation: ${orchestraExtension().isActive ? 'already active at startup' : 'not active yet, activated by the test'}`);
    api = await orchestraApi();
  });

  test('is offered once at activation with Resume, Show and Discard, and nothing is started before the answer', async () => {
    const { runId } = theRun();
    const offer = await within(api.whenResumeOffered(), 30_000, 'the offer of the interrupted run');
    assert.equal(offer.runId, runId);
    assert.match(offer.message, new RegExp(`Run ${runId} \\("Add overdue-loan tracking"\\) stopped before it finished while (writing|reviewing|fixing) the code`));
    assert.equal(offer.answer, undefined, 'the offer was answered before the test answered it');
    assert.equal(api.currentRun(), undefined, 'a run started before the user chose Resume');
    assert.equal(api.resumeOffers().length, 1);
  });

  test('answering Resume continues the same run on simulated agents to COMPLETED, keeping what was approved before the kill', async () => {
    const { runId, runDir } = theRun();
    const before = await RunStateStore.load(runDir);
    const plannedBefore = before.workflow.files.map((file) => file.path);
    const finished = api.whenRunFinished();
    assert.equal(api.answerResumeOffer(runId, 'Resume'), true, 'no open offer to answer');
    const result = await within(finished, 90_000, 'the resumed run');
    assert.equal(result.phase, 'COMPLETED', `the resumed run ended ${result.phase}: ${result.reason ?? 'no reason given'}`);
    assert.equal(result.runId, runId, 'the resume started another run instead of continuing the interrupted one');

    const after = await RunStateStore.load(runDir);
    assert.equal(after.workflow.phase, 'COMPLETED');
    assert.deepEqual(after.workflow.files.filter((file) => file.stage !== 'approved').map((file) => file.path), []);
    // Planning was not redone: the files are the plan's from before the kill.
    assert.deepEqual(after.workflow.files.map((file) => file.path), plannedBefore);
    assert.equal(after.transitions.filter((change) => change.to === 'PLANNING').length, 1, 'the resumed run planned again');
    assert.equal(api.dashboard().open, true, 'Resume did not open the dashboard on the run');
    assert.equal(fs.existsSync(path.join(workspaceFolder(), '.kilo-orchestra', 'run.lock')), false, 'the lock was not released');
    assert.ok(api.logLines().some((line) => line.includes(`Took over the workspace lock of run ${runId}`)), 'the stale lock of the killed CLI was not taken over');
    assert.deepEqual(api.resumeOffers().map((offer) => [offer.runId, offer.answer]), [[runId, 'Resume']]);
  });

  test('with nothing unfinished left, Discard Unfinished Run says so and discards nothing', async () => {
    const discarded = await within(vscode.commands.executeCommand<boolean>(COMMANDS.discardRun), 15_000, COMMANDS.discardRun);
    assert.equal(discarded, false);
    assert.equal((await RunStateStore.load(theRun().runDir)).workflow.phase, 'COMPLETED');
  });
});
