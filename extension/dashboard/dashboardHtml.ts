import { randomBytes } from 'node:crypto';

export interface DashboardHtmlInput {
  /** The webview's `cspSource` (where its local resources come from). */
  cspSource: string;
  /** A fresh random value per render; see `newNonce`. */
  nonce: string;
  /** Webview URI of dist/webview/main.js. */
  scriptUri: string;
  /** Webview URI of dist/webview/main.css, when the build produced one. */
  styleUri?: string;
}

/** 128 random bits, base64: a CSP nonce nobody can guess. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The strict policy: nothing but our own bundle, our own styles and images from our own folder. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ') + ';';
}

/**
 * The dashboard page: one module script (the Svelte bundle) under a strict CSP with a nonce, and
 * no inline script at all. The bundle mounts itself on `#app` and sends `ready`.
 */
export function buildDashboardHtml(input: DashboardHtmlInput): string {
  const nonce = escapeAttribute(input.nonce);
  const style = input.styleUri ? `\n    <link rel="stylesheet" href="${escapeAttribute(input.styleUri)}" nonce="${nonce}">` : '';
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(input.cspSource, input.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>Kilo Orchestra</title>${style}
  </head>
  <body>
    <div id="app"></div>
    <script type="module" nonce="${nonce}" src="${escapeAttribute(input.scriptUri)}"></script>
  </body>
</html>
`;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
