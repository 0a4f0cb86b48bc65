import fs from 'node:fs';
import path from 'node:path';

/**
 * The repository's root, found upwards from the working directory: these modules also run bundled
 * to CommonJS by bench/run.mjs, where `import.meta.url` is empty.
 */
export function repoRoot(): string {
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'kilo-orchestra') return dir;
    if (path.dirname(dir) === dir) throw new Error(`No kilo-orchestra package.json above ${process.cwd()}; run from inside the repository.`);
  }
}
