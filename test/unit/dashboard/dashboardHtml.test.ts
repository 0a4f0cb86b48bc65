import { describe, expect, it } from 'vitest';
import { buildDashboardHtml, contentSecurityPolicy, newNonce } from '../../../extension/dashboard/dashboardHtml';

const input = { cspSource: 'https://file+.vscode-resource.vscode-cdn.net', nonce: 'bm9uY2Utb25l', scriptUri: 'https://x/dist/webview/main.js' };

describe('dashboard HTML', () => {
  it('sets a strict CSP whose scripts and styles need the nonce', () => {
    const html = buildDashboardHtml(input);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(csp).toBe(contentSecurityPolicy(input.cspSource, input.nonce));
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'nonce-bm9uY2Utb25l'");
    expect(csp).toContain(`style-src ${input.cspSource} 'nonce-bm9uY2Utb25l'`);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
  });

  it('loads the bundle as one module script with the nonce and has no inline script', () => {
    const html = buildDashboardHtml(input);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]![1]).toContain('type="module"');
    expect(scripts[0]![1]).toContain('nonce="bm9uY2Utb25l"');
    expect(scripts[0]![1]).toContain(`src="${input.scriptUri}"`);
    expect(scripts[0]![2]!.trim()).toBe('');
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toContain('<style');
  });

  it('links the stylesheet only when there is one', () => {
    expect(buildDashboardHtml(input)).not.toContain('<link rel="stylesheet"');
    expect(buildDashboardHtml({ ...input, styleUri: 'https://x/dist/webview/main.css' })).toContain('<link rel="stylesheet" href="https://x/dist/webview/main.css" nonce="bm9uY2Utb25l">');
  });

  it('escapes what it puts into attributes', () => {
    expect(buildDashboardHtml({ ...input, scriptUri: 'https://x/"><script>alert(1)</script>' })).not.toContain('"><script>alert(1)');
  });

  it('makes a fresh 128-bit nonce every time', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => newNonce()));
    expect(nonces.size).toBe(50);
    for (const nonce of nonces) expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
  });
});
