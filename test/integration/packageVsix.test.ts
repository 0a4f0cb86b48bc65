import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `npm run package` end to end: the .vsix it writes, read as the zip it is, and installed into
// code-server (the VS Code of the host tests) when scripts/vscodeHost/setup.sh has provisioned it.
const root = path.resolve(__dirname, '../..');

/** A zip's files by name, read from its central directory (no zip library: the format is simple enough). */
function readZip(file: string): Map<string, () => Buffer> {
  const zip = fs.readFileSync(file);
  const endOfDirectory = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOfDirectory < 0) throw new Error(`${file} is not a zip: no end of central directory`);
  const count = zip.readUInt16LE(endOfDirectory + 10);
  const files = new Map<string, () => Buffer>();
  for (let offset = zip.readUInt32LE(endOfDirectory + 16), i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`${file}: broken central directory entry ${i}`);
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localHeader = zip.readUInt32LE(offset + 42);
    files.set(zip.toString('utf8', offset + 46, offset + 46 + nameLength), () => {
      const start = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const data = zip.subarray(start, start + compressedSize);
      return method === 8 ? inflateRawSync(data) : data;
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

/** code-server as setup.sh installed it, if it has. */
function provisionedCodeServer(): { node: string; entry: string } | undefined {
  const envFile = path.join(root, '.vscode-host', 'env.sh');
  if (!fs.existsSync(envFile)) return undefined;
  const settings = Object.fromEntries([...fs.readFileSync(envFile, 'utf8').matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
  return settings.CODE_SERVER_NODE && settings.CODE_SERVER_ENTRY ? { node: settings.CODE_SERVER_NODE, entry: settings.CODE_SERVER_ENTRY } : undefined;
}

describe('npm run package', () => {
  let dir: string;
  let vsix: string;
  let packaging: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-orchestra-vsix-'));
    vsix = path.join(dir, 'kilo-orchestra.vsix');
    packaging = spawnSync(process.execPath, [path.join(root, 'scripts', 'package.mjs'), '--out', vsix], { cwd: root, encoding: 'utf8' });
  }, 120_000);

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes a .vsix with the bundled extension, its webview and the manifest', () => {
    expect(packaging.status, String(packaging.stderr)).toBe(0);
    const entries = [...readZip(vsix).keys()];
    expect(entries).toEqual(expect.arrayContaining(['extension.vsixmanifest', 'extension/package.json', 'extension/dist/extension.js', 'extension/dist/webview/main.js']));
  });

  it('leaves out node_modules, sources, tests, source maps and the CLI', () => {
    const unwanted = [...readZip(vsix).keys()].filter((name) => /node_modules\/|^extension\/(extension|webview|test|scripts|bench)\/|\.ts$|\.svelte$|\.map$|dist\/cli\.js$/.test(name));
    expect(unwanted).toEqual([]);
  });

  it("carries every picture and page the packaged README points at, and of docs/ nothing else", () => {
    const files = readZip(vsix);
    const readme = files.get('extension/readme.md') ?? files.get('extension/README.md');
    expect(readme, [...files.keys()].join(', ')).toBeDefined();
    const targets = [...readme!().toString('utf8').matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
    expect(targets.length).toBeGreaterThan(0);
    const missing = targets.filter((target) => !files.has(`extension/${path.posix.normalize(target)}`));
    expect(missing).toEqual([]);
    const docs = [...files.keys()].filter((name) => name.startsWith('extension/docs/'));
    expect(docs.sort()).toEqual([...new Set(targets.filter((target) => target.startsWith('docs/')).map((target) => `extension/${target}`))].sort());
  });

  it('carries the 128x128 icon and the views’ and walkthrough’s media the manifest names', () => {
    const files = readZip(vsix);
    const manifest = JSON.parse(files.get('extension/package.json')!().toString('utf8'));
    const icon = files.get(`extension/${manifest.icon}`);
    expect(icon, manifest.icon).toBeDefined();
    const png = icon!();
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]);
    const media = [
      ...manifest.contributes.viewsContainers.activitybar.map((container: { icon: string }) => container.icon),
      ...manifest.contributes.walkthroughs.flatMap((walkthrough: { steps: Array<{ media: { image?: string; markdown?: string } }> }) => walkthrough.steps.map((step) => step.media.image ?? step.media.markdown)),
    ];
    expect(media.filter((file: string) => !files.has(`extension/${file}`))).toEqual([]);
  });

  it('packages a manifest that points at the bundle and carries no development fields', () => {
    const manifest = JSON.parse(readZip(vsix).get('extension/package.json')!().toString('utf8'));
    expect(manifest.main).toBe('./dist/extension.js');
    expect(manifest).not.toHaveProperty('devDependencies');
    expect(manifest).not.toHaveProperty('scripts');
  });

  const codeServer = provisionedCodeServer();
  it.skipIf(!codeServer)('installs into code-server offline and is listed as kilo-orchestra.kilo-orchestra', () => {
    const cli = (...args: string[]) =>
      spawnSync(codeServer!.node, [codeServer!.entry, '--config', '/dev/null', '--user-data-dir', path.join(dir, 'user-data'), '--extensions-dir', path.join(dir, 'extensions'), ...args], {
        encoding: 'utf8',
        env: { ...process.env, XDG_DATA_HOME: path.join(dir, 'xdg'), XDG_CONFIG_HOME: path.join(dir, 'xdg'), EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/no-gallery' }) },
      });
    const install = cli('--install-extension', vsix);
    expect(install.status, install.stdout + install.stderr).toBe(0);
    expect(cli('--list-extensions').stdout.split('\n')).toContain('kilo-orchestra.kilo-orchestra');
  }, 60_000);
});
