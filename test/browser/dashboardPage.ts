import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { HostMessage } from '../../extension/protocol/dashboardProtocol';
import type { HarnessServer } from './harnessServer';
import type { ThemeName } from './vscodeThemes';

/** What the harness page keeps on `window` (see dashboardHarness.html). */
export interface HarnessWindow {
  __posted: Array<{ type: string; requestId?: string }>;
  __cspViolations: Array<{ directive: string; blocked: string; sample: string; source: string }>;
}

/** The dashboard open in one theme, with everything that went wrong on the page collected. */
export interface DashboardPage {
  page: Page;
  /** Uncaught exceptions and console errors. */
  pageErrors: string[];
  /** Requests the page tried to make beyond the loopback server (each was aborted). */
  offLoopbackRequests: string[];
  cspViolations(): Promise<HarnessWindow['__cspViolations']>;
  /** Everything the dashboard has posted to the (fake) host so far. */
  posted(): Promise<HarnessWindow['__posted']>;
  /** Posts host messages into the page, as VS Code delivers the panel's `postMessage`. */
  send(messages: HostMessage[]): Promise<void>;
  close(): Promise<void>;
}

export const VIEWPORT = { width: 1280, height: 900 };
const READY_TIMEOUT_MS = 10_000;
const ELEMENT_TIMEOUT_MS = 8_000;

/** Opens the harness page and waits for the dashboard's `ready` handshake; `viewport` is the panel's size. */
export async function openDashboard(browser: Browser, server: HarnessServer, theme: ThemeName, viewport = VIEWPORT): Promise<DashboardPage> {
  const context: BrowserContext = await browser.newContext({ viewport, colorScheme: theme, deviceScaleFactor: 1 });
  const offLoopbackRequests: string[] = [];
  // A webview reaches only its own resources; anything else would be a leak (or a missing bundle file).
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${server.origin}/`) || url.startsWith('data:')) return route.continue();
    offLoopbackRequests.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  // Shorter than the test's own timeout, so a failure names the element that never appeared.
  page.setDefaultTimeout(ELEMENT_TIMEOUT_MS);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(`${error.name}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`console.error: ${message.text()}`);
  });
  await page.goto(server.pageUrl(theme));
  await page
    .waitForFunction(() => (window as unknown as HarnessWindow).__posted.some((message) => message.type === 'ready'), undefined, { timeout: READY_TIMEOUT_MS })
    .catch((error: unknown) => {
      throw new Error(`The dashboard never posted {type:'ready'} (${pageErrors.join('; ') || 'no page errors'}): ${String(error)}`);
    });
  return {
    page,
    pageErrors,
    offLoopbackRequests,
    cspViolations: () => page.evaluate(() => (window as unknown as HarnessWindow).__cspViolations),
    posted: () => page.evaluate(() => (window as unknown as HarnessWindow).__posted),
    send: (messages) =>
      page.evaluate((all) => {
        for (const message of all) window.postMessage(message, '*');
      }, messages),
    close: () => context.close(),
  };
}

/**
 * A full-page screenshot with every part of the page rendered. The dashboard's long lists use
 * `content-visibility: auto`, so rows outside the viewport are not painted and a plain full-page
 * capture shows them blank: the viewport is grown to the page's height first, as if the user had
 * a screen that tall, then put back.
 */
export async function screenshotWholePage(page: Page, file: string): Promise<void> {
  // The page keeps its own width (a narrow panel stays narrow); only its height grows.
  const viewport = page.viewportSize() ?? VIEWPORT;
  let height = 0;
  // Painted rows may be taller or shorter than their placeholder size, so measure until it settles.
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const next = await page.evaluate(() => document.documentElement.scrollHeight);
    if (next === height) break;
    height = next;
    await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  }
  await page.screenshot({ path: file, fullPage: true });
  await page.setViewportSize(viewport);
}
