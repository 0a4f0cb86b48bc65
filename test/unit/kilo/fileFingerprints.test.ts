import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changedBetween, fingerprintFiles } from '../../../extension/kilo/fileFingerprints';

describe('file fingerprints', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fingerprints-'));
    fs.mkdirSync(path.join(dir, 'src'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (file: string, text: string) => fs.writeFileSync(path.join(dir, file), text);

  it('finds created, changed and deleted files among the candidates, sorted, and nothing for a rewrite of the same bytes', async () => {
    write('src/changed.js', 'one');
    write('src/same.js', 'same');
    write('src/deleted.js', 'gone soon');
    const files = ['src/created.js', 'src/changed.js', 'src/same.js', 'src/deleted.js'];
    const before = await fingerprintFiles(dir, files);
    write('src/created.js', 'new');
    write('src/changed.js', 'two');
    write('src/same.js', 'same');
    fs.rmSync(path.join(dir, 'src/deleted.js'));
    const after = await fingerprintFiles(dir, files);
    expect(changedBetween(before, after, files)).toEqual(['src/changed.js', 'src/created.js', 'src/deleted.js']);
  });

  it('counts a file restored to what it held before the work as unchanged, and only looks at the candidates', async () => {
    write('src/a.js', 'original');
    const before = await fingerprintFiles(dir, ['src/a.js', 'src/b.js']);
    write('src/a.js', 'original');
    write('src/b.js', 'written by someone else');
    const after = await fingerprintFiles(dir, ['src/a.js', 'src/b.js']);
    expect(changedBetween(before, after, ['src/a.js'])).toEqual([]);
  });

  it('counts a candidate that was not fingerprinted before as changed when it exists now', async () => {
    write('src/late.js', 'x');
    const after = await fingerprintFiles(dir, ['src/late.js', 'src/never.js']);
    expect(changedBetween(new Map(), after, ['src/late.js', 'src/never.js'])).toEqual(['src/late.js']);
  });

  it('reads a folder or a missing file as no file', async () => {
    const prints = await fingerprintFiles(dir, ['src', 'nothing.js']);
    expect([...prints.values()]).toEqual([null, null]);
  });
});
