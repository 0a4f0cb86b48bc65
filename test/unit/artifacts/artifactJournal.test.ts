import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactStore, type CreateArtifactInput } from '../../../extension/engine/artifacts/artifactStore';
import { rejection } from '../support/errors';

// The index on disk: a snapshot (artifacts.json) and the journal of changes after it.

let dir: string;
const indexFile = () => path.join(dir, 'artifacts.json');
const journalFile = () => path.join(dir, 'artifacts.journal.jsonl');
const journalLines = () => (fs.existsSync(journalFile()) ? fs.readFileSync(journalFile(), 'utf8').split('\n').filter((line) => line !== '') : []);

function aCodeArtifact(i: number): CreateArtifactInput {
  return { type: 'code', producer: 'secondary-coder-1', role: 'secondary-coder', content: `file ${i}`, summary: `Module ${i}`, files: [`src/m${i}.ts`] };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'artifact-journal-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the artifact index journal', () => {
  it('writes one journal line per create or revise and no snapshot until it compacts', async () => {
    const store = await ArtifactStore.open(dir);
    const first = await store.create(aCodeArtifact(1));
    await store.create(aCodeArtifact(2));
    await store.revise(first.id, 1, { status: 'approved' });
    expect(journalLines()).toHaveLength(3);
    expect(fs.existsSync(indexFile())).toBe(false);
  });

  it('folds the journal into the snapshot once it is long, and reopens to the same records', async () => {
    const store = await ArtifactStore.open(dir);
    for (let i = 0; i < 600; i++) await store.create(aCodeArtifact(i));
    const snapshot = JSON.parse(fs.readFileSync(indexFile(), 'utf8')) as { format: number; journalSeq: number; artifacts: unknown[] };
    expect(snapshot.format).toBe(2);
    expect(snapshot.artifacts.length).toBeGreaterThanOrEqual(512);
    expect(journalLines().length).toBe(600 - snapshot.artifacts.length);
    const reopened = await ArtifactStore.open(dir);
    expect(reopened.list()).toEqual(store.list());
    expect((await reopened.create(aCodeArtifact(600))).id).toBe('code-601');
  });

  it('repeats nothing when a crash came between the snapshot and emptying the journal', async () => {
    const store = await ArtifactStore.open(dir);
    const plan = await store.create({ ...aCodeArtifact(1), type: 'plan' });
    await store.revise(plan.id, 1, { content: 'second' });
    const before = fs.readFileSync(journalFile(), 'utf8');
    await store.compact();
    // The journal as the crash left it: its lines are all in the snapshot already.
    fs.writeFileSync(journalFile(), before);
    const reopened = await ArtifactStore.open(dir);
    expect(reopened.list()).toEqual(store.list());
    expect(await reopened.loadContent(plan.id, 1)).toBe('file 1');
    expect(await reopened.loadContent(plan.id, 2)).toBe('second');
    expect(reopened.get(plan.id)?.metadata.version).toBe(2);
  });

  it('drops a half-written last line, reports it, and cuts it off the file only when it next writes', async () => {
    const store = await ArtifactStore.open(dir);
    await store.create(aCodeArtifact(1));
    await store.create(aCodeArtifact(2));
    const whole = fs.readFileSync(journalFile(), 'utf8');
    const torn = `${whole}{"seq":3,"record":{"id":"code-3","ty`;
    fs.writeFileSync(journalFile(), torn);
    const reopened = await ArtifactStore.open(dir);
    expect(reopened.list().map((record) => record.id)).toEqual(['code-1', 'code-2']);
    expect(reopened.problems).toHaveLength(1);
    expect(reopened.problems[0]).toContain('half-written');
    // Opening only reads (another process may be reading a live run's folder).
    expect(fs.readFileSync(journalFile(), 'utf8')).toBe(torn);
    await reopened.create(aCodeArtifact(3));
    expect(fs.readFileSync(journalFile(), 'utf8').startsWith(whole)).toBe(true);
    expect(journalLines()).toHaveLength(3);
    const again = await ArtifactStore.open(dir);
    expect(again.count()).toBe(3);
    expect(again.problems).toEqual([]);
  });

  it('refuses a damaged line before the last one and leaves the journal as it is', async () => {
    const store = await ArtifactStore.open(dir);
    await store.create(aCodeArtifact(1));
    await store.create(aCodeArtifact(2));
    const [first, second] = journalLines();
    const damaged = `${first}\n${second!.replace('"code-2"', '"Code Two"')}\n${first}\n`;
    fs.writeFileSync(journalFile(), damaged);
    const error = await rejection(ArtifactStore.open(dir));
    expect(error.reason).toBe('io-failed');
    expect(error.message).toContain('line 2');
    expect(fs.readFileSync(journalFile(), 'utf8')).toBe(damaged);
  });

  it('reads an index written before the journal (format 1, no journalSeq) and carries on from it', async () => {
    const record = {
      id: 'code-4',
      type: 'code',
      producer: 'secondary-coder-1',
      role: 'secondary-coder',
      status: 'completed',
      summary: 'Module 4',
      summaryTokens: 3,
      content: { path: 'content/code-4/v1.txt', bytes: 6, sha256: 'c4ba1bd0fe2c7ce3ce5d1aaf4a04c8f54ae8b1dd1c6c8e5ffcb41c8b1c3a1c6e' },
      metadata: { files: ['src/m4.ts'], reviewedBy: [], approvalStatus: 'pending', version: 1 },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    fs.writeFileSync(indexFile(), JSON.stringify({ format: 1, counters: { code: 4 }, artifacts: [record], history: { 'code-4': [record.content] } }));
    const store = await ArtifactStore.open(dir);
    expect(store.get('code-4')).toEqual(record);
    const next = await store.create(aCodeArtifact(5));
    expect(next.id).toBe('code-5');
    const reopened = await ArtifactStore.open(dir);
    expect(reopened.list().map((r) => r.id)).toEqual(['code-4', 'code-5']);
    expect(reopened.problems).toEqual([]);
  });
});
