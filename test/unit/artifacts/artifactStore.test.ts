import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactStore, type CreateArtifactInput } from '../../../extension/engine/artifacts/artifactStore';
import { SUMMARY_TOKEN_CAP } from '../../../extension/engine/artifacts/artifactSchema';
import { OrchestraError } from '../../../extension/engine/util/errors';
import { rejection } from '../support/errors';

/** A valid create input; tests override only what they are about. */
function anArtifact(overrides: Partial<CreateArtifactInput> = {}): CreateArtifactInput {
  return { type: 'plan', producer: 'architect-1', role: 'architect', content: '# Plan\n\nBuild the parser.', summary: 'Plan for the parser', ...overrides };
}

let dir: string;
const indexFile = () => path.join(dir, 'artifacts.json');
const journalFile = () => path.join(dir, 'artifacts.journal.jsonl');
/** Everything the index holds on disk: the snapshot and the journal after it. */
const indexText = () => [indexFile(), journalFile()].map((file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '')).join('\n');
const fixedClock = () => new Date('2025-01-02T03:04:05.000Z');

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'artifact-store-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});


describe('ArtifactStore.create', () => {
  it('gives short readable ids per type, starting at version 1', async () => {
    const store = await ArtifactStore.open(dir, { now: fixedClock });
    const plan = await store.create(anArtifact());
    const first = await store.create(anArtifact({ type: 'code', files: ['src/a.ts'] }));
    const second = await store.create(anArtifact({ type: 'code', files: ['./src/b.ts'] }));
    expect([plan.id, first.id, second.id]).toEqual(['plan-1', 'code-1', 'code-2']);
    expect(plan.metadata).toMatchObject({ version: 1, approvalStatus: 'pending', reviewedBy: [], files: [] });
    expect(second.metadata.files).toEqual(['src/b.ts']);
    expect(plan.status).toBe('completed');
    expect(plan.createdAt).toBe('2025-01-02T03:04:05.000Z');
    expect(plan.updatedAt).toBe(plan.createdAt);
  });

  it('puts the id prefix before every id', async () => {
    const store = await ArtifactStore.open(dir, { idPrefix: 'run2-' });
    expect((await store.create(anArtifact())).id).toBe('run2-plan-1');
  });

  it('refuses an id prefix that would make ids unreadable', async () => {
    expect((await rejection(ArtifactStore.open(dir, { idPrefix: 'Run 2/' }))).reason).toBe('invalid-input');
  });

  it('writes the content to its own file and keeps only a reference in the index', async () => {
    const store = await ArtifactStore.open(dir);
    const record = await store.create(anArtifact({ content: 'full plan text' }));
    expect(record.content.path).toBe('content/plan-1/v1.txt');
    expect(fs.readFileSync(path.join(dir, record.content.path), 'utf8')).toBe('full plan text');
    expect(indexText()).toContain('content/plan-1/v1.txt');
    expect(indexText()).not.toContain('full plan text');
    expect(await store.loadContent(record.id)).toBe('full plan text');
  });

  it('caps a long agent summary and records its token count', async () => {
    const store = await ArtifactStore.open(dir);
    const record = await store.create(anArtifact({ summary: 'a very long summary that goes on '.repeat(30) }));
    expect(record.summaryTokens).toBeGreaterThan(0);
    expect(record.summaryTokens).toBeLessThanOrEqual(SUMMARY_TOKEN_CAP);
  });

  it('derives a summary when the agent gave none', async () => {
    const store = await ArtifactStore.open(dir);
    const record = await store.create(anArtifact({ type: 'code', summary: undefined, content: 'x', files: ['src/a.ts'] }));
    expect(record.summary).toBe('code for src/a.ts (1 line, no summary given)');
  });

  it.each(['../x', '/etc/passwd', '.kilo-orchestra/x', 'C:\\x'])('refuses the hostile path %s and writes nothing', async (hostile) => {
    const store = await ArtifactStore.open(dir);
    const error = await rejection(store.create(anArtifact({ files: ['src/ok.ts', hostile] })));
    expect(error.reason).toBe('unsafe-path');
    expect(store.count()).toBe(0);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses an unknown type as invalid input', async () => {
    const store = await ArtifactStore.open(dir);
    const error = await rejection(store.create(anArtifact({ type: 'essay' as never })));
    expect(error.reason).toBe('invalid-input');
    expect(store.count()).toBe(0);
  });

  it('hands out copies, so changing a returned record does not change the store', async () => {
    const store = await ArtifactStore.open(dir);
    const record = await store.create(anArtifact({ files: ['a.ts'] }));
    record.metadata.files.push('b.ts');
    record.summary = 'changed';
    expect(store.get(record.id)?.metadata.files).toEqual(['a.ts']);
    expect(store.get(record.id)?.summary).toBe('Plan for the parser');
  });
});

describe('ArtifactStore.revise', () => {
  it('bumps the version and keeps every version readable', async () => {
    const store = await ArtifactStore.open(dir);
    const v1 = await store.create(anArtifact({ content: 'first draft' }));
    const v2 = await store.revise(v1.id, 1, { content: 'second draft', summary: 'Second draft of the plan' });
    expect(v2.metadata.version).toBe(2);
    expect(v2.content.path).toBe('content/plan-1/v2.txt');
    expect(v2.summary).toBe('Second draft of the plan');
    expect(await store.loadContent(v1.id)).toBe('second draft');
    expect(await store.loadContent(v1.id, 1)).toBe('first draft');
    expect(await store.loadContent(v1.id, 2)).toBe('second draft');
  });

  it('counts a status-only change as a new version that reuses the content', async () => {
    const store = await ArtifactStore.open(dir);
    const v1 = await store.create(anArtifact({ content: 'the plan' }));
    const v2 = await store.revise(v1.id, 1, { status: 'approved', approvalStatus: 'approved', reviewedBy: 'sceptic-1' });
    expect(v2.metadata).toMatchObject({ version: 2, approvalStatus: 'approved', reviewedBy: ['sceptic-1'] });
    expect(v2.status).toBe('approved');
    expect(v2.content).toEqual(v1.content);
    expect(v2.summary).toBe(v1.summary);
    expect(await store.loadContent(v1.id, 2)).toBe('the plan');
    expect(fs.readdirSync(path.join(dir, 'content', v1.id))).toEqual(['v1.txt']);
  });

  it('rejects a change based on an old version and writes nothing', async () => {
    const store = await ArtifactStore.open(dir);
    const v1 = await store.create(anArtifact());
    await store.revise(v1.id, 1, { content: 'v2' });
    const indexBefore = indexText();
    const error = await rejection(store.revise(v1.id, 1, { content: 'based on v1' }));
    expect(error.reason).toBe('stale-version');
    expect(error.message).toContain('version 2');
    expect(indexText()).toBe(indexBefore);
    expect(fs.readdirSync(path.join(dir, 'content', v1.id)).sort()).toEqual(['v1.txt', 'v2.txt']);
    expect(store.get(v1.id)?.metadata.version).toBe(2);
  });

  it('lets exactly one of two concurrent revises of the same version win', async () => {
    const store = await ArtifactStore.open(dir);
    const v1 = await store.create(anArtifact());
    const results = await Promise.allSettled([store.revise(v1.id, 1, { content: 'from coder A' }), store.revise(v1.id, 1, { content: 'from coder B' })]);
    const winners = results.filter((r) => r.status === 'fulfilled');
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect((losers[0]?.reason as OrchestraError).reason).toBe('stale-version');
    expect(store.get(v1.id)?.metadata.version).toBe(2);
    expect(await store.loadContent(v1.id)).toBe('from coder A');
  });

  it('refuses hostile paths in a revision and keeps the version', async () => {
    const store = await ArtifactStore.open(dir);
    const v1 = await store.create(anArtifact());
    expect((await rejection(store.revise(v1.id, 1, { files: ['../outside.ts'] }))).reason).toBe('unsafe-path');
    expect(store.get(v1.id)?.metadata.version).toBe(1);
  });

  it('reports an unknown artifact and an empty change', async () => {
    const store = await ArtifactStore.open(dir);
    expect((await rejection(store.revise('plan-9', 1, { status: 'approved' }))).reason).toBe('not-found');
    const v1 = await store.create(anArtifact());
    expect((await rejection(store.revise(v1.id, 1, {}))).reason).toBe('invalid-input');
  });
});

describe('ArtifactStore reading', () => {
  it('filters by type, status, producer and file', async () => {
    const store = await ArtifactStore.open(dir);
    await store.create(anArtifact());
    await store.create(anArtifact({ type: 'code', producer: 'coder-1', files: ['src/a.ts'], status: 'in-progress' }));
    await store.create(anArtifact({ type: 'code', producer: 'coder-2', files: ['src/b.ts'] }));
    expect(store.list({ type: 'code' }).map((r) => r.id)).toEqual(['code-1', 'code-2']);
    expect(store.list({ status: 'in-progress' }).map((r) => r.id)).toEqual(['code-1']);
    expect(store.list({ producer: 'coder-2' }).map((r) => r.id)).toEqual(['code-2']);
    expect(store.list({ file: './src/b.ts' }).map((r) => r.id)).toEqual(['code-2']);
    expect(store.list().map((r) => r.id)).toEqual(['plan-1', 'code-1', 'code-2']);
    expect(store.count()).toBe(3);
  });

  it('gives summaries from the index alone, without reading any content', async () => {
    const store = await ArtifactStore.open(dir);
    await store.create(anArtifact({ files: ['docs/plan.md'] }));
    fs.rmSync(path.join(dir, 'content'), { recursive: true });
    expect(store.summaries()).toEqual([
      { id: 'plan-1', type: 'plan', producer: 'architect-1', status: 'completed', summary: 'Plan for the parser', summaryTokens: 4, files: ['docs/plan.md'], version: 1 },
    ]);
  });

  it('detects content that changed on disk since it was recorded', async () => {
    const store = await ArtifactStore.open(dir);
    const record = await store.create(anArtifact({ content: 'original' }));
    fs.writeFileSync(path.join(dir, record.content.path), 'tampered');
    const error = await rejection(store.loadContent(record.id));
    expect(error.reason).toBe('io-failed');
    expect(error.message).toContain('checksum');
  });

  it('a read lately does not hide an edit made after it, and many loads at once all get the content', async () => {
    const store = await ArtifactStore.open(dir);
    const record = await store.create(anArtifact({ content: 'original' }));
    const loads = await Promise.all(Array.from({ length: 20 }, () => store.loadContent(record.id)));
    expect(new Set(loads)).toEqual(new Set(['original']));
    const file = path.join(dir, record.content.path);
    fs.writeFileSync(file, 'tampered');
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect((await rejection(store.loadContent(record.id))).message).toContain('checksum');
  });

  it('reports missing content, unknown ids and unknown versions', async () => {
    const store = await ArtifactStore.open(dir);
    const record = await store.create(anArtifact());
    expect((await rejection(store.loadContent('code-4'))).reason).toBe('not-found');
    expect((await rejection(store.loadContent(record.id, 7))).reason).toBe('not-found');
    fs.rmSync(path.join(dir, record.content.path));
    expect((await rejection(store.loadContent(record.id))).reason).toBe('io-failed');
  });
});

describe('ArtifactStore on disk', () => {
  it('sees after reopening everything that was written', async () => {
    const store = await ArtifactStore.open(dir);
    const plan = await store.create(anArtifact({ content: 'v1' }));
    const revised = await store.revise(plan.id, 1, { content: 'v2', reviewedBy: 'sceptic-1' });
    const reopened = await ArtifactStore.open(dir);
    expect(reopened.get(plan.id)).toEqual(revised);
    expect(await reopened.loadContent(plan.id, 1)).toBe('v1');
    expect(await reopened.loadContent(plan.id)).toBe('v2');
    expect((await reopened.create(anArtifact())).id).toBe('plan-2');
  });

  it('loses nothing when 200 creates and revises run at once', async () => {
    const store = await ArtifactStore.open(dir);
    const seeds = await Promise.all(Array.from({ length: 20 }, (_, i) => store.create(anArtifact({ content: `seed ${i}` }))));
    const creates = Array.from({ length: 200 }, (_, i) => store.create(anArtifact({ type: 'code', content: `file ${i}`, files: [`src/f${i}.ts`] })));
    const revises = seeds.map((seed, i) => store.revise(seed.id, 1, { content: `seed ${i} revised` }));
    const created = await Promise.all(creates);
    await Promise.all(revises);
    expect(new Set(created.map((r) => r.id)).size).toBe(200);

    const reopened = await ArtifactStore.open(dir);
    expect(reopened.count()).toBe(220);
    for (const [i, record] of created.entries()) {
      expect(await reopened.loadContent(record.id)).toBe(`file ${i}`);
    }
    for (const [i, seed] of seeds.entries()) {
      expect(reopened.get(seed.id)?.metadata.version).toBe(2);
      expect(await reopened.loadContent(seed.id, 1)).toBe(`seed ${i}`);
    }
  });

  it('refuses a broken index with a clear error and leaves the file untouched', async () => {
    fs.writeFileSync(indexFile(), '{"format": 1, "artifacts": [');
    const error = await rejection(ArtifactStore.open(dir));
    expect(error.reason).toBe('io-failed');
    expect(error.message).toContain(indexFile());
    expect(error.hint).toBeTruthy();
    expect(fs.readFileSync(indexFile(), 'utf8')).toBe('{"format": 1, "artifacts": [');
  });

  it('refuses an index whose records do not match the schema', async () => {
    const store = await ArtifactStore.open(dir);
    await store.create(anArtifact());
    await store.compact();
    const index = JSON.parse(fs.readFileSync(indexFile(), 'utf8')) as { artifacts: Array<{ id: string }> };
    index.artifacts[0]!.id = 'Plan One';
    const broken = JSON.stringify(index);
    fs.writeFileSync(indexFile(), broken);
    const error = await rejection(ArtifactStore.open(dir));
    expect(error.reason).toBe('io-failed');
    expect(error.message).toContain('artifacts.0.id');
    expect(fs.readFileSync(indexFile(), 'utf8')).toBe(broken);
  });

  it('refuses an index that lists one id twice', async () => {
    const store = await ArtifactStore.open(dir);
    await store.create(anArtifact());
    await store.compact();
    const index = JSON.parse(fs.readFileSync(indexFile(), 'utf8')) as { artifacts: unknown[] };
    index.artifacts.push(index.artifacts[0]);
    fs.writeFileSync(indexFile(), JSON.stringify(index));
    expect((await rejection(ArtifactStore.open(dir))).message).toContain('plan-1 twice');
  });

  it('keeps memory in step with disk when the index cannot be written, and never reuses the id', async () => {
    const store = await ArtifactStore.open(dir);
    // A folder where the journal goes makes the index write fail.
    fs.mkdirSync(journalFile());
    expect((await rejection(store.create(anArtifact()))).reason).toBe('io-failed');
    expect(store.count()).toBe(0);
    expect(store.get('plan-1')).toBeUndefined();
    fs.rmdirSync(journalFile());
    expect((await store.create(anArtifact())).id).toBe('plan-2');
    expect((await ArtifactStore.open(dir)).list().map((r) => r.id)).toEqual(['plan-2']);
  });
});
