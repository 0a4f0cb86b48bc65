import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './repoRoot';
import { WEBVIEW_THEMES } from './vscodeThemes';

// The screenshots are only honest if the harness sets every theme variable the dashboard reads;
// a missing one silently falls back to the toolkit's (dark) default.
const bundleDir = path.join(repoRoot(), 'dist', 'webview');

function variablesTheBundleReads(): string[] {
  const files = ['main.js', 'main.css'].map((name) => path.join(bundleDir, name)).filter((file) => fs.existsSync(file));
  if (files.length === 0) throw new Error('dist/webview is not built: run `npm run build` first.');
  const names = new Set<string>();
  for (const file of files) for (const match of fs.readFileSync(file, 'utf8').matchAll(/--vscode-[A-Za-z0-9.-]+/g)) names.add(match[0]);
  return [...names].sort();
}

describe.each(['light', 'dark'] as const)('the %s harness theme', (theme) => {
  it('defines every --vscode-* variable the built webview reads', () => {
    const defined = new Set(Object.keys(WEBVIEW_THEMES[theme].vars));
    expect(variablesTheBundleReads().filter((name) => !defined.has(name))).toEqual([]);
  });
});
