import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './chromium';
import { startHarnessServer, type HarnessServer } from './harnessServer';
import { repoRoot } from './repoRoot';

/** Where every browser test puts its pictures. */
export const SCREENSHOTS = path.join(repoRoot(), 'test-results', 'screenshots');

/**
 * Starts the harness server and Chromium once for the file and closes them after it. The getter
 * throws why they could not start (no Chromium, no build), so every test fails with that reason and
 * none is counted as skipped.
 */
export function useBrowserHarness(): () => { browser: Browser; server: HarnessServer } {
  let browser: Browser | undefined;
  let server: HarnessServer | undefined;
  let setupProblem: unknown;
  beforeAll(async () => {
    try {
      server = await startHarnessServer();
      browser = await launchChromium();
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
    } catch (error) {
      setupProblem = error;
    }
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return () => {
    if (!browser || !server) throw setupProblem ?? new Error('The browser harness did not start.');
    return { browser, server };
  };
}
