// How fast the artifact store records and lists artifacts, and how big its files get.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactStore } from '../extension/engine/artifacts/artifactStore';
import { emit, median, round } from './stats';

async function main(): Promise<void> {
  for (const count of [200, 1000]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-store-'));
    const store = await ArtifactStore.open(dir);
    const content = 'export function f() {\n  return 42;\n}\n'.repeat(40);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        store.create({ type: 'code', producer: 'secondary-coder-1', role: 'secondary-coder', content, summary: `Implements module ${i} with its exports and error handling.`, files: [`src/m${i}.ts`] }),
      ),
    );
    const createMs = performance.now() - t0;
    const listTimes: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      store.summaries();
      listTimes.push(performance.now() - t);
    }
    const t1 = performance.now();
    for (let i = 0; i < 100; i++) await store.loadContent(`code-${(i % count) + 1}`);
    const loadMs = (performance.now() - t1) / 100;
    emit({
      bench: 'artifactStore',
      artifacts: count,
      createAllMs: round(createMs),
      createPerSecond: round(count / (createMs / 1000), 0),
      summariesMedianMs: round(median(listTimes), 3),
      loadContentMeanMs: round(loadMs, 3),
      indexBytes: fs.statSync(path.join(dir, 'artifacts.json')).size,
    });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
