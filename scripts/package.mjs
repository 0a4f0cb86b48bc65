// `npm run package`: a production build of the extension packaged as kilo-orchestra-<version>.vsix.
//   node scripts/package.mjs [--out FILE]
// It builds in a staging folder of its own, so the dist/ that tests and a running debug session use
// is left alone, and packages that folder with `vsce package --no-dependencies` (the bundle needs
// no node_modules). The packaged package.json drops what only development needs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const outIndex = process.argv.indexOf('--out');
const out = path.resolve(outIndex > 0 ? process.argv[outIndex + 1] : path.join(root, `${manifest.name}-${manifest.version}.vsix`));

/** Fields the installed extension never reads; devDependencies would also trip vsce's engine check. */
const DEVELOPMENT_ONLY = ['scripts', 'devDependencies', 'dependencies', 'optionalDependencies', 'allowScripts', 'bin'];

const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-orchestra-package-'));
try {
  // esbuild.config.mjs builds from and into its working directory: linked sources in, dist/ out.
  for (const sources of ['extension', 'webview']) fs.symlinkSync(path.join(root, sources), path.join(staging, sources));
  run('production build', process.execPath, [path.join(root, 'esbuild.config.mjs'), '--production']);
  for (const sources of ['extension', 'webview']) fs.rmSync(path.join(staging, sources));

  for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) fs.copyFileSync(path.join(root, file), path.join(staging, file));
  if (fs.existsSync(path.join(root, 'media'))) fs.cpSync(path.join(root, 'media'), path.join(staging, 'media'), { recursive: true });
  // The README's pictures and the pages it links, at the same relative paths, so they resolve in the installed extension.
  for (const target of readmeTargets(fs.readFileSync(path.join(root, 'README.md'), 'utf8'))) {
    fs.mkdirSync(path.dirname(path.join(staging, target)), { recursive: true });
    fs.copyFileSync(path.join(root, target), path.join(staging, target));
  }
  const packaged = Object.fromEntries(Object.entries(manifest).filter(([key]) => !DEVELOPMENT_ONLY.includes(key)));
  fs.writeFileSync(path.join(staging, 'package.json'), `${JSON.stringify(packaged, null, 2)}\n`);

  fs.mkdirSync(path.dirname(out), { recursive: true });
  run('vsce package', path.join(root, 'node_modules', '.bin', 'vsce'), [
    'package', '--no-dependencies', '--out', out,
    // No public repository yet: README links stay relative instead of being rewritten to one.
    '--allow-missing-repository', '--no-rewrite-relative-links',
  ]);
  console.log(`packaged ${path.relative(process.cwd(), out) || out}`);
} finally {
  fs.rmSync(staging, { recursive: true, force: true });
}

/** Relative link and image targets of a markdown text that are files of the repository (no URLs, anchors or paths out of it). */
function readmeTargets(markdown) {
  const targets = new Set();
  for (const [, target] of markdown.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('/')) continue;
    const file = path.normalize(target);
    if (file.startsWith('..') || !fs.statSync(path.join(root, file), { throwIfNoEntry: false })?.isFile()) continue;
    targets.add(file.split(path.sep).join('/'));
  }
  return [...targets];
}

function run(name, command, args) {
  const result = spawnSync(command, args, { cwd: staging, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${name} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}
