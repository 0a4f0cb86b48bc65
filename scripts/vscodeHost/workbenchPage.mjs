// The workbench in headless Chromium. Opening it with a payload of extensionDevelopmentPath and
// extensionTestsPath is what makes VS Code load the extensions under test and run the test runner
// in the extension host; the smoke-test driver then reports through two window functions.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';

const require = createRequire(import.meta.url);

const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Workbench chatter that is not the tests' output; shown only in verbose mode. */
const WORKBENCH_NOISE = /^(\[[\w :.-]+\]|Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin|Extension Host Process exited|Creation of workbench contribution .* took \d+ms)/;
/** A test asks for a picture of the workbench by logging `[screenshot] <name>`. */
const SCREENSHOT_REQUEST = /^\[screenshot\] ([a-z0-9-]{1,40})$/;
/** Errors an offline workbench always logs (the built-in GitHub sign-in never registers); shown only in verbose mode. */
const OFFLINE_ERRORS = /^Timed out waiting for authentication provider 'github'/;

/** The workbench URL: `folder` opened, the extensions and test runner given as remote paths. */
export function workbenchUrl(serverUrl, { developmentPaths, testsPath, folder }) {
  const remote = (file) => `vscode-remote://${new URL(serverUrl).host}${file}`;
  const payload = [
    ...developmentPaths.map((dir) => ['extensionDevelopmentPath', remote(dir)]),
    ['extensionTestsPath', remote(testsPath)],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  const where = folder ? `folder=${encodeURIComponent(folder)}` : 'ew=true';
  return `${serverUrl}/?${where}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/**
 * Opens `url` and resolves with the test runner's exit code. Every request that leaves 127.0.0.1
 * is aborted, so a test that needs the network fails here as it would on an offline machine.
 * Screenshots the tests ask for go to `screenshotDir/vscode-<name>.png`.
 */
export async function runWorkbench({ chromiumPath, url, scratch, verbose, out, screenshotDir }) {
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_FLAGS,
    // Playwright puts Chromium's profile under TMPDIR; the XDG homes keep crashpad out of ~/.config.
    env: { ...process.env, TMPDIR: path.join(scratch, 'tmp'), XDG_CONFIG_HOME: path.join(scratch, 'xdg-config'), XDG_CACHE_HOME: path.join(scratch, 'xdg-cache') },
  });
  try {
    const context = await browser.newContext();
    await context.route('**/*', (route) => {
      const target = new URL(route.request().url());
      const leaves = /^(https?|wss?):$/.test(target.protocol) && target.hostname !== '127.0.0.1';
      return leaves ? route.abort() : route.continue();
    });
    const page = await context.newPage();
    let exitCode;
    const finished = new Promise((resolve) =>
      page.exposeFunction('codeAutomationExit', (code) => {
        exitCode = code;
        resolve(code);
      }),
    );
    // The extension host's console (the mocha reporter) arrives here, mixed with workbench logs.
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      const shot = SCREENSHOT_REQUEST.exec(text);
      if (shot && screenshotDir) return takeScreenshot(page, path.join(screenshotDir, `vscode-${shot[1]}.png`), out);
      if (verbose) return out.err(`[workbench ${type}] ${text}\n`);
      if (exitCode !== undefined) return; // teardown noise after the runner is done
      if (type === 'error') {
        if (!OFFLINE_ERRORS.test(text)) out.err(`${text}\n`);
      } else if (!WORKBENCH_NOISE.test(text)) {
        out.out(`${text}\n`);
      }
    });
    if (verbose) page.on('pageerror', (error) => out.err(`[pageerror] ${error.message}\n`));
    await page.goto(url);
    return await finished;
  } finally {
    await browser.close();
  }
}

/** A failed screenshot is reported, never fatal: the picture is for people, the tests decide. */
async function takeScreenshot(page, file, out) {
  try {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    await page.screenshot({ path: file });
  } catch (error) {
    out.err(`codeShim: screenshot ${path.basename(file)} failed: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
