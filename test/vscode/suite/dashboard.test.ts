/// <reference types="mocha" />
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../extension/commands/commandIds';
import { orchestraApi, within } from './hostHarness';

suite('Dashboard', () => {
  test('Open Dashboard opens the panel and shows it', async () => {
    const api = await orchestraApi();
    await within(vscode.commands.executeCommand(COMMANDS.openDashboard), 15_000, COMMANDS.openDashboard);
    assert.deepEqual(api.dashboard(), { open: true, visible: true });
  });
});
