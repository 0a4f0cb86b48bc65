import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../../../extension/engine/util/atomicWrite';
import { rejection } from '../support/errors';

// Lets one test make the rename step fail while every other call goes to the real file system.
const failures = vi.hoisted(() => ({ rename: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const rename: typeof actual.rename = (from, to) =>
    failures.rename ? Promise.reject(Object.assign(new Error('EXDEV: simulated rename failure'), { code: 'EXDEV' })) : actual.rename(from, to);
  return { ...actual, rename, default: { ...actual, rename } };
});

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-write-'));
});
afterEach(() => {
  failures.rename = false;
  fs.rmSync(dir, { recursive: true, force: true });
});


describe('writeFileAtomic', () => {
  it('writes the file, creating missing parent folders, and leaves no temp file', async () => {
    const file = path.join(dir, 'a', 'b', 'state.json');
    await writeFileAtomic(file, '{"ok":true}');
    expect(fs.readFileSync(file, 'utf8')).toBe('{"ok":true}');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['state.json']);
  });

  it('replaces existing content and writes bytes as given', async () => {
    const file = path.join(dir, 'blob.bin');
    await writeFileAtomic(file, 'old');
    await writeFileAtomic(file, new Uint8Array([0, 255, 1]));
    expect([...fs.readFileSync(file)]).toEqual([0, 255, 1]);
  });

  it('keeps the old content and removes the temp file when the rename fails', async () => {
    const file = path.join(dir, 'state.json');
    fs.writeFileSync(file, 'old content');
    failures.rename = true;
    const error = await rejection(writeFileAtomic(file, 'new content'));
    expect(error.reason).toBe('io-failed');
    expect(error.message).toContain(file);
    expect(fs.readFileSync(file, 'utf8')).toBe('old content');
    expect(fs.readdirSync(dir)).toEqual(['state.json']);
  });

  it('refuses to replace a folder and leaves it and its files as they were', async () => {
    const target = path.join(dir, 'taken');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'inside.txt'), 'keep me');
    const error = await rejection(writeFileAtomic(target, 'data'));
    expect(error.reason).toBe('io-failed');
    expect(fs.readFileSync(path.join(target, 'inside.txt'), 'utf8')).toBe('keep me');
    expect(fs.readdirSync(dir)).toEqual(['taken']);
  });

  it('leaves one whole version when many writes to the same file race', async () => {
    const file = path.join(dir, 'race.txt');
    const versions = Array.from({ length: 50 }, (_, i) => `version ${i} `.repeat(200));
    await Promise.all(versions.map((content) => writeFileAtomic(file, content)));
    expect(versions).toContain(fs.readFileSync(file, 'utf8'));
    expect(fs.readdirSync(dir)).toEqual(['race.txt']);
  });
});

describe('readJsonFile', () => {
  const Settings = z.object({ name: z.string(), retries: z.number().int().default(3) });

  it('returns undefined when the file does not exist', async () => {
    expect(await readJsonFile(path.join(dir, 'missing.json'), Settings)).toBeUndefined();
  });

  it('returns the parsed value with schema defaults applied', async () => {
    const file = path.join(dir, 'settings.json');
    fs.writeFileSync(file, '{"name":"orchestra"}');
    expect(await readJsonFile(file, Settings)).toEqual({ name: 'orchestra', retries: 3 });
  });

  it('reports broken JSON naming the file, with a hint, and leaves the file untouched', async () => {
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, '{"name": "orch');
    const error = await rejection(readJsonFile(file, Settings));
    expect(error.reason).toBe('io-failed');
    expect(error.message).toContain(file);
    expect(error.message).toContain('not valid JSON');
    expect(error.hint).toBeTruthy();
    expect(fs.readFileSync(file, 'utf8')).toBe('{"name": "orch');
  });

  it('reports content that does not match the schema, naming the field', async () => {
    const file = path.join(dir, 'wrong.json');
    fs.writeFileSync(file, '{"name": 42}');
    const error = await rejection(readJsonFile(file, Settings));
    expect(error.reason).toBe('io-failed');
    expect(error.message).toContain(file);
    expect(error.message).toContain('name:');
    expect(fs.readFileSync(file, 'utf8')).toBe('{"name": 42}');
  });

  it('reports a path that cannot be read as a file', async () => {
    const error = await rejection(readJsonFile(dir, Settings));
    expect(error.reason).toBe('io-failed');
    expect(error.message).toContain(dir);
  });
});
