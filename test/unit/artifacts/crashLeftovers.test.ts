import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactStore, type CreateArtifactInput } from '../../../extension/engine/artifacts/artifactStore';

function anArtifact(overrides: Partial<CreateArtifactInput> = {}): CreateArtifactInput {
  return { type: 'code', producer: 'secondary-coder-1', role: 'secondary-coder', content: 'export const a = 1;\n', files: ['src/a.ts'], ...overrides };
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'artifact-leftovers-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** What a process killed mid-write leaves: temp files of writeFileAtomic, content the index never named. */
function leaveCrashLeftovers(): string[] {
  const put = (relative: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    fs.writeFileSync(path.join(dir, relative), text);
  };
  const leftovers = ['.artifacts.json.0a1b2c3d4e5f.tmp', 'content/code-1/.v2.txt.abcdef012345.tmp', 'content/code-1/v2.txt', 'content/code-2/v1.txt'];
  put(leftovers[0]!, '{"format":1,"artif');
  put(leftovers[1]!, 'half a revi');
  put(leftovers[2]!, 'a revision whose index write never happened');
  put(leftovers[3]!, 'an artifact whose record was never written');
  return leftovers;
}

const filesUnder = (root: string): string[] =>
  fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => path.relative(root, path.join(entry.parentPath, entry.name))).sort();

describe('crash leftovers in the artifact folder', () => {
  it('opening to resume removes temp files and content no record names, and keeps every recorded version', async () => {
    const store = await ArtifactStore.open(dir);
    const code = await store.create(anArtifact());
    const plan = await store.create(anArtifact({ type: 'plan', content: '# Plan', files: [] }));
    await store.revise(plan.id, 1, { content: '# Plan v2' });
    const before = filesUnder(dir);
    leaveCrashLeftovers();

    const reopened = await ArtifactStore.open(dir, { sweepLeftovers: true });
    expect(filesUnder(dir)).toEqual(before);
    expect(fs.existsSync(path.join(dir, 'content', 'code-2'))).toBe(false);
    expect(await reopened.loadContent(code.id)).toBe('export const a = 1;\n');
    expect(await reopened.loadContent(plan.id, 1)).toBe('# Plan');
    expect(await reopened.loadContent(plan.id)).toBe('# Plan v2');

    // The work that was in flight is sent again and writes its artifacts afresh.
    const again = await reopened.create(anArtifact({ files: ['src/b.ts'], content: 'export const b = 2;\n' }));
    expect(await reopened.loadContent(again.id)).toBe('export const b = 2;\n');
    const revised = await reopened.revise(code.id, 1, { content: 'export const a = 3;\n' });
    expect(revised.metadata.version).toBe(2);
    expect(await (await ArtifactStore.open(dir)).loadContent(code.id)).toBe('export const a = 3;\n');
  });

  it('an ordinary open (a reader of a live run) leaves every file alone', async () => {
    const store = await ArtifactStore.open(dir);
    await store.create(anArtifact());
    const leftovers = leaveCrashLeftovers();
    await ArtifactStore.open(dir);
    for (const file of leftovers) expect(fs.existsSync(path.join(dir, file))).toBe(true);
  });

  it('drops what in-flight work first wrote (it is sent again) but keeps its revision of an earlier artifact', async () => {
    const store = await ArtifactStore.open(dir);
    const done = await store.create(anArtifact({ correlationId: 'w3' }));
    const cutOff = await store.create(anArtifact({ files: ['src/b.ts'], correlationId: 'w7' }));
    await store.revise(done.id, 1, { content: 'export const a = 2;\n', correlationId: 'w7' });

    const reopened = await ArtifactStore.open(dir, { sweepLeftovers: true, unfinishedWork: ['w7'] });
    expect(reopened.list().map((record) => record.id)).toEqual([done.id]);
    expect(await reopened.loadContent(done.id)).toBe('export const a = 2;\n');
    expect(fs.existsSync(path.join(dir, 'content', cutOff.id))).toBe(false);
    // The index on disk says the same, for the next reader.
    expect((await ArtifactStore.open(dir)).list().map((record) => record.id)).toEqual([done.id]);
  });
});
