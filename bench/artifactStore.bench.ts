// Recording 10,000 artifacts and reopening the store, against writing the same bytes to one
// append-only file: the store's cost per artifact must not grow with the number already recorded,
// so the ratio stays a constant (the content files' own fsyncs) rather than growing with the count.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactStore } from '../extension/engine/artifacts/artifactStore';
import { emit, round } from './stats';

const COUNT = Number(process.env.BENCH_ARTIFACTS ?? 10_000);
/** Creates in flight at once, as a run with several agents has them. */
const CONCURRENCY = 64;
const CONTENT = 'export function f() {\n  return 42;\n}\n'.repeat(40);

function inputOf(i: number) {
  return { type: 'code' as const, producer: 'secondary-coder-1', role: 'secondary-coder', content: CONTENT, summary: `Implements module ${i} with its exports and error handling.`, files: [`src/m${i}.ts`] };
}

/** Every byte under `dir`. */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

async function measureStore(dir: string): Promise<{ recordMs: number; reopenMs: number; bytes: number; perThousandMs: number[] }> {
  const store = await ArtifactStore.open(dir);
  const perThousandMs: number[] = [];
  const t0 = performance.now();
  let mark = t0;
  for (let start = 0; start < COUNT; start += CONCURRENCY) {
    const batch = Array.from({ length: Math.min(CONCURRENCY, COUNT - start) }, (_, k) => store.create(inputOf(start + k)));
    await Promise.all(batch);
    if (Math.floor((start + batch.length) / 1000) > perThousandMs.length) {
      const now = performance.now();
      perThousandMs.push(round(now - mark, 0));
      mark = now;
    }
  }
  const recordMs = performance.now() - t0;
  const t1 = performance.now();
  const reopened = await ArtifactStore.open(dir);
  const reopenMs = performance.now() - t1;
  if (reopened.count() !== COUNT) throw new Error(`reopened ${reopened.count()} of ${COUNT}`);
  return { recordMs, reopenMs, bytes: bytesUnder(dir), perThousandMs };
}

/** The same number of bytes appended to one file, one write per artifact, fsynced at the end, then read back. */
async function measureAppendOnly(file: string, bytes: number): Promise<{ writeMs: number; readMs: number }> {
  const chunk = Buffer.alloc(Math.ceil(bytes / COUNT), 'x');
  const t0 = performance.now();
  const handle = await fs.promises.open(file, 'a');
  for (let i = 0; i < COUNT; i++) await handle.write(chunk);
  await handle.sync();
  await handle.close();
  const writeMs = performance.now() - t0;
  const t1 = performance.now();
  await fs.promises.readFile(file);
  return { writeMs, readMs: performance.now() - t1 };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-store-'));
  try {
    const store = await measureStore(path.join(dir, 'store'));
    const plain = await measureAppendOnly(path.join(dir, 'plain.bin'), store.bytes);
    const storeMs = store.recordMs + store.reopenMs;
    const plainMs = plain.writeMs + plain.readMs;
    emit({
      bench: 'artifactStore',
      artifacts: COUNT,
      recordMs: round(store.recordMs, 0),
      reopenMs: round(store.reopenMs, 0),
      recordPerArtifactMs: round(store.recordMs / COUNT, 3),
      // Flat when the store's cost does not grow with what it already holds.
      msPerThousand: store.perThousandMs,
      storeBytes: store.bytes,
      appendOnlyWriteMs: round(plain.writeMs, 0),
      appendOnlyReadMs: round(plain.readMs, 0),
      ratio: round(storeMs / plainMs, 2),
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
