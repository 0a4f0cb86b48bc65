// Bundle sizes of dist/*.js as the last build wrote them (`npm run build`, which `npm ci` runs):
// each bundle's bytes, split by the build's metafile into our own code and inlined dependencies.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './benchWorkspace';
import { emit } from './stats';

interface Metafile {
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

const dist = path.join(repoRoot(), 'dist');
const metafiles = fs.existsSync(dist) ? fs.readdirSync(dist).filter((file) => file.endsWith('.meta.json')) : [];
if (metafiles.length === 0) {
  process.stderr.write(`bundleSize: no build metafiles in ${dist}; run npm run build first.\n`);
  process.exit(1);
}
for (const metafile of metafiles) {
  const meta = JSON.parse(fs.readFileSync(path.join(dist, metafile), 'utf8')) as Metafile;
  for (const [output, info] of Object.entries(meta.outputs)) {
    if (!output.endsWith('.js')) continue;
    let own = 0;
    let dependencies = 0;
    for (const [input, { bytesInOutput }] of Object.entries(info.inputs)) {
      if (input.includes('node_modules')) dependencies += bytesInOutput;
      else own += bytesInOutput;
    }
    const file = path.join(repoRoot(), output);
    emit({ bench: 'bundleSize', file: output, bytes: fs.existsSync(file) ? fs.statSync(file).size : info.bytes, ownBytes: own, dependencyBytes: dependencies, builtAt: fs.statSync(path.join(dist, metafile)).mtime.toISOString() });
  }
}
