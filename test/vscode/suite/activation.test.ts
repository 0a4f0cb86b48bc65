/// <reference types="mocha" />
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, KILO_EXTENSION_ID, orchestraExtension } from './hostHarness';

suite('Activation', () => {
  test('the Kilo Code extension it depends on is installed and carries a kilo binary', () => {
    const kilo = vscode.extensions.getExtension(KILO_EXTENSION_ID);
    assert.ok(kilo, `${KILO_EXTENSION_ID} is not installed`);
    const binary = path.join(kilo.extensionPath, 'bin', 'kilo');
    assert.ok(fs.existsSync(binary), `${binary} does not exist`);
  });

  test(`${EXTENSION_ID} activates and returns its test API`, async () => {
    const extension = orchestraExtension();
    const wasActive = extension.isActive;
    const started = performance.now();
    const api = await extension.activate();
    // Recorded for the log, not asserted: timings on shared CI machines vary too much for a bound.
    console.log(`    activation: ${wasActive ? 'already active at startup' : `${Math.round(performance.now() - started)} ms`}`);
    assert.equal(extension.isActive, true);
    for (const method of ['statusBarItems', 'currentRun', 'whenRunFinished', 'dashboard', 'saveRolesConfig', 'logLines'] as const) {
      assert.equal(typeof api?.[method], 'function', `the test API has no ${method}()`);
    }
  });
});
