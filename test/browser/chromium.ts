import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
