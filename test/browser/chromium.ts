import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { repoRoot } from './repoRoot';

/**
 * playwright-core is loaded from node_modules at run time, never bundled: bench/run.mjs bundles its
 * benchmarks, and playwright-core reads its own package files next to itself.
 */
function playwright(): typeof import('playwright-core') {
  return createRequire(path.join(repoRoot(), 'package.json'))('playwright-core') as typeof import('playwright-core');
}

/** Where the tests look for Chromium: `CHROMIUM`, else Debian's package. Never a downloaded browser. */
export function chromiumPath(): string {
  const candidate = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(candidate)) {
    throw new Error(
      `Chromium not found at ${candidate}. The browser tests drive a real Chromium: install it (\`apt-get install -y chromium\`) or set CHROMIUM to its path.`,
    );
  }
  return candidate;
}

/**
 * Headless Chromium with the flags this kind of machine needs: without the background-networking
 * ones Chromium keeps trying to reach Google's hosts through a closed network.
 */
export function launchChromium(): Promise<Browser> {
  return playwright().chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
