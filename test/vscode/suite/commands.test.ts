/// <reference types="mocha" />
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../extension/commands/commandIds';
import { CONTRIBUTED_COMMANDS, orchestraApi, within } from './hostHarness';

/** Starting a task without arguments asks for it; the full run test starts one with arguments. */
const NEEDS_INPUT = new Set<string>([COMMANDS.startOrchestratedTask]);
const COMMAND_LIMIT_MS = 15_000;

suite('Commands with no run in progress', () => {
  suiteSetup(async () => {
    await orchestraApi();
  });

  test('every command package.json contributes is registered', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = CONTRIBUTED_COMMANDS.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `not registered: ${missing.join(', ')}`);
  });

  test('the status bar shows the run item before any run', async () => {
    const items = (await orchestraApi()).statusBarItems();
    assert.ok(items.length > 0, 'no status bar items');
    assert.equal(items[0]!.visible, true, `the first item is hidden: ${JSON.stringify(items[0])}`);
  });

  for (const id of CONTRIBUTED_COMMANDS.filter((command) => !NEEDS_INPUT.has(command))) {
    test(`${id} completes without throwing`, async () => {
      // Commands that need a run say so in a message; none may reject or wait for input.
      await within(vscode.commands.executeCommand(id), COMMAND_LIMIT_MS, id);
    });
  }
});

suite('Set Provider API Key', () => {
  test('refuses a key name that could not be an environment variable, with a message saying what a name looks like', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand(COMMANDS.setProviderKey, { name: 'not a name', value: 'sk-test' })),
      /capitals, digits and underscores/,
    );
  });

  test('a key given from code is logged by its name and never by its value', async () => {
    await vscode.commands.executeCommand(COMMANDS.setProviderKey, { name: 'ORCHESTRA_TEST_KEY', value: 'sk-secret-value' });
    const lines = (await orchestraApi()).logLines();
    assert.ok(lines.some((line) => line.includes('ORCHESTRA_TEST_KEY stored')), 'the store is not logged');
    assert.ok(!lines.some((line) => line.includes('sk-secret-value')), 'the key value reached the log');
  });
});
