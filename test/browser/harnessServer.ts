import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { buildDashboardHtml, newNonce } from '../../extension/dashboard/dashboardHtml';
import { repoRoot } from './repoRoot';
import { WEBVIEW_THEMES, type ThemeName } from './vscodeThemes';

const root = repoRoot();
// DASHBOARD_BUNDLE_DIR points the harness at another build of the webview (e.g. a production one).
const bundleDir = path.resolve(process.env.DASHBOARD_BUNDLE_DIR ?? path.join(root, 'dist', 'webview'));
const preamble = path.join(root, 'test', 'browser', 'fakeWebviewHost.html');

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

/**
 * The page the extension's panel builds (buildDashboardHtml, with this server's origin as the
 * webview's cspSource), plus the stand-in for VS Code's own preamble right after the CSP meta.
 */
function renderHarness(origin: string, theme: ThemeName): string {
  const nonce = newNonce();
  const page = buildDashboardHtml({
    cspSource: origin,
    nonce,
    scriptUri: `${origin}/dist/webview/main.js`,
    ...(fs.existsSync(path.join(bundleDir, 'main.css')) ? { styleUri: `${origin}/dist/webview/main.css` } : {}),
  });
  const values: Record<string, string> = {
    NONCE: nonce,
    // `<` escaped so no value can close the script element.
    THEME: JSON.stringify(WEBVIEW_THEMES[theme]).replace(/</g, '\\u003c'),
  };
  const template = fs.readFileSync(preamble, 'utf8');
  const script = template.slice(template.indexOf('<script')).replace(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? '');
  const cspMeta = /<meta http-equiv="Content-Security-Policy"[^>]*>/;
  if (!cspMeta.test(page)) throw new Error('The dashboard page has no CSP meta element; the harness cannot place the webview preamble.');
  return page.replace(cspMeta, (meta) => `${meta}\n${script}`);
}

function send(response: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}
