import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { aHarness, aRequest, rejection, runRecorded } from './simulatedHarness';

// The simulated agents write like a confined real agent: never through a link out of the workspace.

describe('SimulatedBackend and symlinks', () => {
  it('refuses the whole turn when a granted file links outside, and writes nothing', async () => {
    const h = aHarness();
    const outside = path.join(path.dirname(h.workspace), 'outside.txt');
    fs.writeFileSync(outside, 'keep me');
    fs.mkdirSync(path.join(h.workspace, 'src'));
    fs.symlinkSync(outside, path.join(h.workspace, 'src', 'b.ts'));
    const session = await h.session('primary-coder');

    const error = await rejection(runRecorded(session, aRequest('structure').forBatch(['src/a.ts', 'src/b.ts']).build()));
    expect(error).toMatchObject({ reason: 'unsafe-path', kind: 'symlink', message: expect.stringContaining('src/b.ts is a symbolic link') });
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep me');
    expect(fs.existsSync(path.join(h.workspace, 'src', 'a.ts'))).toBe(false);
  });

  it('refuses a write into a folder that links outside', async () => {
    const h = aHarness();
    const outsideDir = path.join(path.dirname(h.workspace), 'outside');
    fs.mkdirSync(outsideDir);
    fs.symlinkSync(outsideDir, path.join(h.workspace, 'src'));
    const session = await h.session('secondary-coder');

    await expect(runRecorded(session, aRequest('implement').forFile('src/a.ts').build())).rejects.toMatchObject({ kind: 'symlink' });
    expect(fs.readdirSync(outsideDir)).toEqual([]);
  });
});
