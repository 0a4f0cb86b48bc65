import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KILO_INSTALL_HINT, locateKiloBinary } from '../../../extension/kilo/kiloBinary';
import { rejection } from '../support/errors';
import { fakeVersionBinary } from './fakeKiloBinaries';

/** A temp folder with one fake `kilo` per source, each printing its own version. */
function aLayout(sources: { extension?: boolean; project?: boolean; path?: boolean; setting?: boolean } = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-binary-'));
  const extensionPath = path.join(root, 'kilocode.kilo-code');
  const projectRoot = path.join(root, 'project');
  const pathDir = path.join(root, 'usr-bin');
  const emptyDir = path.join(root, 'empty');
  for (const dir of [extensionPath, projectRoot, pathDir, emptyDir]) fs.mkdirSync(dir, { recursive: true });
  if (sources.extension) fakeVersionBinary(path.join(extensionPath, 'bin'), { version: '7.1.0' });
  if (sources.project) fakeVersionBinary(path.join(projectRoot, 'node_modules', '.bin'), { version: '7.2.0' });
  if (sources.path) fakeVersionBinary(pathDir, { version: '7.3.0' });
  const setting = sources.setting ? fakeVersionBinary(path.join(root, 'custom'), { version: '7.4.0', name: 'my-kilo' }) : undefined;
  return { root, extensionPath, projectRoot, pathDir, emptyDir, setting, env: { PATH: `${emptyDir}${path.delimiter}${pathDir}` } };
}

describe('locateKiloBinary', () => {
  it('prefers the explicit setting over every other source', async () => {
    const layout = aLayout({ setting: true, extension: true, project: true, path: true });
    const found = await locateKiloBinary({ explicitPath: layout.setting, extensionPath: layout.extensionPath, projectRoot: layout.projectRoot, env: layout.env });
    expect(found).toEqual({ path: layout.setting, source: 'setting', version: '7.4.0' });
  });

  it('prefers the Kilo extension binary over the project and PATH', async () => {
    const layout = aLayout({ extension: true, project: true, path: true });
    const found = await locateKiloBinary({ extensionPath: layout.extensionPath, projectRoot: layout.projectRoot, env: layout.env });
    expect(found).toEqual({ path: path.join(layout.extensionPath, 'bin', 'kilo'), source: 'kilo-extension', version: '7.1.0' });
  });

  it('prefers the project node_modules binary over PATH', async () => {
    const layout = aLayout({ project: true, path: true });
    const found = await locateKiloBinary({ extensionPath: layout.extensionPath, projectRoot: layout.projectRoot, env: layout.env });
    expect(found).toEqual({ path: path.join(layout.projectRoot, 'node_modules', '.bin', 'kilo'), source: 'project', version: '7.2.0' });
  });

  it('finds kilo on PATH, skipping PATH entries without it', async () => {
    const layout = aLayout({ path: true });
    const found = await locateKiloBinary({ extensionPath: layout.extensionPath, projectRoot: layout.projectRoot, env: layout.env });
    expect(found).toEqual({ path: path.join(layout.pathDir, 'kilo'), source: 'path', version: '7.3.0' });
  });

  it('does not look on PATH when searchPath is false', async () => {
    const layout = aLayout({ path: true });
    const error = await rejection(locateKiloBinary({ searchPath: false, env: layout.env }));
    expect(error.reason).toBe('backend-unavailable');
  });

  it('reads the version out of a longer --version output', async () => {
    const layout = aLayout();
    fakeVersionBinary(layout.pathDir, { output: 'kilo v7.7.7-beta.2 (linux-x64)' });
    expect((await locateKiloBinary({ env: layout.env })).version).toBe('7.7.7-beta.2');
  });

  it('names a missing explicit path in the error and does not fall back to other sources', async () => {
    const layout = aLayout({ extension: true, path: true });
    const missing = path.join(layout.root, 'nowhere', 'kilo');
    const error = await rejection(locateKiloBinary({ explicitPath: missing, extensionPath: layout.extensionPath, env: layout.env }));
    expect(error.reason).toBe('invalid-config');
    expect(error.message).toContain(missing);
    expect(error.message).toContain('does not exist');
    expect(error.hint).toContain('kiloOrchestra.kiloPath');
  });

  it('names an explicit path that does not run, with its output', async () => {
    const layout = aLayout({ path: true });
    const broken = fakeVersionBinary(path.join(layout.root, 'broken'), { output: 'segmentation fault', exitCode: 139 });
    const error = await rejection(locateKiloBinary({ explicitPath: broken, env: layout.env }));
    expect(error.reason).toBe('invalid-config');
    expect(error.message).toContain(broken);
    expect(error.message).toContain('segmentation fault');
  });

  it('refuses an explicit path that is not executable', async () => {
    const layout = aLayout();
    const file = path.join(layout.root, 'kilo.txt');
    fs.writeFileSync(file, 'not a program', { mode: 0o644 });
    const error = await rejection(locateKiloBinary({ explicitPath: file, env: layout.env }));
    expect(error.message).toContain('is not executable');
  });

  it('refuses a version command that hangs, within the timeout', async () => {
    const layout = aLayout();
    const hanging = path.join(layout.root, 'hanging-kilo');
    fs.writeFileSync(hanging, `#!/bin/sh\nexec "${process.execPath}" -e 'setTimeout(() => {}, 30000)'\n`, { mode: 0o755 });
    const error = await rejection(locateKiloBinary({ explicitPath: hanging, env: layout.env, versionTimeoutMs: 200 }));
    expect(error.message).toContain('within 200 ms');
  });

  it('skips a broken candidate with a warning and uses the next working one', async () => {
    const layout = aLayout({ path: true });
    const broken = fakeVersionBinary(path.join(layout.extensionPath, 'bin'), { output: 'cannot execute', exitCode: 126 });
    const warnings: string[] = [];
    const found = await locateKiloBinary({ extensionPath: layout.extensionPath, env: layout.env, log: (line) => warnings.push(line.message) });
    expect(found.source).toBe('path');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(broken);
  });

  it('reports backend-unavailable with the install hint when nothing is found on an empty PATH', async () => {
    const layout = aLayout();
    const error = await rejection(locateKiloBinary({ extensionPath: layout.extensionPath, projectRoot: layout.projectRoot, env: { PATH: '' } }));
    expect(error.reason).toBe('backend-unavailable');
    expect(error.hint).toBe(KILO_INSTALL_HINT);
    expect(error.hint).toContain('npm i -g @kilocode/cli');
  });

  it('lists the candidates that exist but do not run when nothing works', async () => {
    const layout = aLayout();
    const broken = fakeVersionBinary(layout.pathDir, { output: 'no version here' });
    const error = await rejection(locateKiloBinary({ env: layout.env }));
    expect(error.reason).toBe('backend-unavailable');
    expect(error.message).toContain(broken);
    expect(error.message).toContain('printed no version');
  });
});
