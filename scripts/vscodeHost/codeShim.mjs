#!/usr/bin/env node
// What `@vscode/test-cli` runs as `code` (`useInstallation.fromPath` in .vscode-test.mjs). It takes
// the arguments test-electron gives VS Code (--extensionDevelopmentPath=…, --extensionTestsPath=…,
// --user-data-dir=…, --extensions-dir=…, [folder]) and runs the tests in a real VS Code extension
// host: code-server on 127.0.0.1 with the workbench opened in headless Chromium. It exits with the
// test runner's exit code (124 on timeout).
//
// Env: CODE_SERVER_NODE, CODE_SERVER_ENTRY, CHROMIUM (default: from .vscode-host/env.sh),
//      CODE_SHIM_STATE_DIR (profile, extensions and scratch folders; default: beside --user-data-dir),
//      CODE_SHIM_TIMEOUT_MS (default 900000), CODE_SHIM_VERBOSE=1 (server and workbench logs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, hostSettings, startCodeServer } from './codeServer.mjs';
import { runWorkbench, workbenchUrl } from './workbenchPage.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const verbose = process.env.CODE_SHIM_VERBOSE === '1';
const timeoutMs = Number(process.env.CODE_SHIM_TIMEOUT_MS || 900_000);
const out = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

/** The `code` arguments test-electron passes; desktop-only ones (--no-sandbox, --skip-welcome …) are ignored. */
function parseCodeArgs(argv) {
  const parsed = { developmentPaths: [], folders: [] };
  for (const arg of argv) {
    const option = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    if (!option) parsed.folders.push(path.resolve(arg));
    else if (option[1] === 'extensionDevelopmentPath') parsed.developmentPaths.push(path.resolve(option[2]));
    else if (option[1] === 'extensionTestsPath') parsed.testsPath = path.resolve(option[2]);
    else if (option[1] === 'user-data-dir') parsed.userData = path.resolve(option[2]);
    else if (option[1] === 'extensions-dir') parsed.extensions = path.resolve(option[2]);
  }
  return parsed;
}

/**
 * The workbench takes several extensionDevelopmentPath entries, but code-server 4.139 loads only
 * the last. A folder without a package.json is scanned for one extension per subfolder, so several
 * paths become one folder of links to them.
 */
function oneDevelopmentPath(developmentPaths, scratch) {
  if (developmentPaths.length < 2) return developmentPaths;
  const folder = path.join(scratch, 'development-extensions');
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  developmentPaths.forEach((developmentPath, index) => fs.symlinkSync(developmentPath, path.join(folder, `${index}-${path.basename(developmentPath)}`)));
  return [folder];
}

const args = parseCodeArgs(process.argv.slice(2));
if (!args.testsPath || args.developmentPaths.length === 0) {
  console.error('codeShim: --extensionTestsPath and --extensionDevelopmentPath are required.');
  process.exit(2);
}
// CODE_SHIM_STATE_DIR (set by .vscode-test.mjs) gives each run its own profile: test-electron's
// --user-data-dir is one fixed folder, which two runs in one checkout would share.
const stateDir = process.env.CODE_SHIM_STATE_DIR;
const base = stateDir ?? (args.userData ? path.dirname(args.userData) : fs.mkdtempSync(path.join(os.tmpdir(), 'code-shim-')));
const dirs = stateDir
  ? { userData: path.join(stateDir, 'user-data'), extensions: path.join(stateDir, 'extensions'), scratch: path.join(stateDir, 'host-scratch') }
  : { userData: args.userData ?? path.join(base, 'user-data'), extensions: args.extensions ?? path.join(base, 'extensions'), scratch: path.join(base, 'host-scratch') };

let server;
const stop = (code) => {
  server?.stop();
  process.exit(code);
};
// test-electron forwards Ctrl+C as SIGINT; the server and its extension hosts must not outlive us.
process.on('SIGINT', () => stop(130));
process.on('SIGTERM', () => stop(143));
process.on('exit', () => server?.stop());

const started = Date.now();
let exitCode;
try {
  const host = hostSettings(root);
  server = await startCodeServer({ host, port: await freePort(), dirs, log: verbose ? (text) => out.err(text.replace(/^(?=.)/gm, '[server] ')) : undefined });
  if (verbose) out.err(`codeShim: code-server ready at ${server.url} after ${Date.now() - started} ms\n`);
  const url = workbenchUrl(server.url, { developmentPaths: oneDevelopmentPath(args.developmentPaths, dirs.scratch), testsPath: args.testsPath, folder: args.folders[0] });
  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const result = await Promise.race([runWorkbench({ chromiumPath: host.chromium, url, scratch: dirs.scratch, verbose, out, screenshotDir: path.join(root, 'test-results', 'screenshots') }), timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') {
    out.err(`codeShim: the tests did not finish within ${timeoutMs} ms. code-server said:\n${server.output().slice(-20_000)}\n`);
    exitCode = 124;
  } else {
    exitCode = Number(result);
  }
} catch (error) {
  out.err(`codeShim: ${error instanceof Error ? error.message : String(error)}\n`);
  exitCode = 1;
}
if (verbose) out.err(`codeShim: finished in ${Date.now() - started} ms with exit code ${exitCode}\n`);
stop(exitCode);
