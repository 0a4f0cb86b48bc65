/// <reference types="mocha" />
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as vscode from 'vscode';
import manifest from '../../package.json';
import type { OrchestraExtensionApi } from '../../extension/testApi';

// Runs inside the real extension host for bench/extensionActivation.bench.ts: reads the activation
// time the extension logs about itself and writes it, as JSON, to BENCH_ACTIVATION_OUT.
suite('Activation timing', () => {
  test('the extension reports how long it took to activate', async () => {
    const extension = vscode.extensions.getExtension<OrchestraExtensionApi>(`${manifest.publisher}.${manifest.name}`);
    assert.ok(extension, 'the extension is not installed in the host');
    const api = extension.isActive ? extension.exports : await extension.activate();
    const line = api.logLines().find((text) => text.includes('Activated in'));
    const match = line ? /Activated in (\d+) ms; the extension host had been up (\d+) ms/.exec(line) : null;
    assert.ok(match, `no activation line in the log: ${api.logLines().slice(0, 5).join(' | ')}`);
    const out = process.env.BENCH_ACTIVATION_OUT;
    assert.ok(out, 'BENCH_ACTIVATION_OUT is not set');
    fs.writeFileSync(out, JSON.stringify({ activationMs: Number(match[1]), hostUpMs: Number(match[2]), vscode: vscode.version }));
  });
});
