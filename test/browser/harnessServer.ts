import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { repoRoot } from './repoRoot';
import { WEBVIEW_THEMES, type ThemeName } from './vscodeThemes';

const root = repoRoot();
// DASHBOARD_BUNDLE_DIR points the harness at another build of the webview (e.g. a production one).
const bundleDir = path.resolve(process.env.DASHBOARD_BUNDLE_DIR ?? path.join(root, 'dist', 'webview'));
const template = path.join(root, 'test', 'browser', 'dashboardHarness.html');

const MIME: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

export interface HarnessServer {
  /** `http://127.0.0.1:<port>`: a real origin, so the CSP's source expressions mean something. */
  origin: string;
  /** The harness page in one theme. */
  pageUrl(theme: ThemeName): string;
  close(): Promise<void>;
}

/** The policy the extension's panel sets, with this server's origin standing in for `webview.cspSource`. */
export function hostLikeCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/** Fails with what to run when the webview bundle has not been built. */
export function assertBundleBuilt(): void {
  if (!fs.existsSync(path.join(bundleDir, 'main.js'))) {
    throw new Error(`${path.relative(root, bundleDir)}/main.js is missing: build the webview first (\`npm run build\`).`);
  }
}

/** Serves the harness page and the built webview bundle on loopback, on a port the OS picks. */
export async function startHarnessServer(): Promise<HarnessServer> {
  assertBundleBuilt();
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/harness.html') {
      const theme = url.searchParams.get('theme') === 'dark' ? 'dark' : 'light';
      const origin = `http://${request.headers.host ?? '127.0.0.1'}`;
      send(response, 200, 'text/html; charset=utf-8', renderHarness(origin, theme));
      return;
    }
    if (url.pathname.startsWith('/dist/webview/')) {
      const file = path.resolve(bundleDir, decodeURIComponent(url.pathname.slice('/dist/webview/'.length)));
      // Only files inside the bundle folder.
      if (file.startsWith(bundleDir + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile()) {
        send(response, 200, MIME[path.extname(file)] ?? 'application/octet-stream', fs.readFileSync(file));
        return;
      }
    }
    send(response, 404, 'text/plain; charset=utf-8', 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    pageUrl: (theme) => `${origin}/harness.html?theme=${theme}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function renderHarness(origin: string, theme: ThemeName): string {
  const nonce = randomBytes(16).toString('base64');
  const stylesheets = fs
    .readdirSync(bundleDir)
    .filter((file) => file.endsWith('.css'))
    .map((file) => `<link rel="stylesheet" href="/dist/webview/${file}">`)
    .join('\n  ');
  const values: Record<string, string> = {
    CSP: hostLikeCsp(origin, nonce),
    NONCE: nonce,
    STYLESHEETS: stylesheets,
    // `<` escaped so no value can close the script element.
    THEME: JSON.stringify(WEBVIEW_THEMES[theme]).replace(/</g, '\\u003c'),
  };
  return fs.readFileSync(template, 'utf8').replace(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? '');
}

function send(response: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}
