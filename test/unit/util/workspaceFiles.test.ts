import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  RefusedPathError,
  hasWildcard,
  isControlFile,
  readWorkspaceFileSafely,
  refusalKind,
  resolveGrantableFile,
  resolveWorkspaceFile,
  writeWorkspaceFileSafely,
} from '../../../extension/engine/util/workspaceFiles';

/** A workspace and an outside folder side by side in one fresh temp folder, with real symlinks. */
function aLayout(): { workspace: string; outside: string; outsideFile: string } {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-files-'));
  const workspace = path.join(parent, 'workspace');
  const outside = path.join(parent, 'outside');
  fs.mkdirSync(path.join(workspace, 'src'), { recursive: true });
  fs.mkdirSync(outside);
  const outsideFile = path.join(outside, 'secret.txt');
  fs.writeFileSync(outsideFile, 'outside content\n');
  return { workspace, outside, outsideFile };
}

async function refusal(promise: Promise<unknown>): Promise<RefusedPathError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RefusedPathError);
  return error as RefusedPathError;
}

describe('resolveWorkspaceFile', () => {
  let layout: ReturnType<typeof aLayout>;
  beforeEach(() => {
    layout = aLayout();
  });

  it('resolves a new file in a new folder to its real path inside the workspace', async () => {
    const resolved = await resolveWorkspaceFile(layout.workspace, 'src/new/file.ts');
    expect(resolved.relative).toBe('src/new/file.ts');
    expect(resolved.realRelative).toBe('src/new/file.ts');
    expect(resolved.absolute).toBe(path.join(fs.realpathSync(layout.workspace), 'src', 'new', 'file.ts'));
  });

  it('refuses a file that is a link to a file outside, naming the link and its target', async () => {
    fs.symlinkSync(layout.outsideFile, path.join(layout.workspace, 'src', 'fines.js'));
    const error = await refusal(resolveWorkspaceFile(layout.workspace, 'src/fines.js'));
    expect(error.reason).toBe('unsafe-path');
    expect(error.kind).toBe('symlink');
    expect(error.message).toContain('src/fines.js');
    expect(error.message).toContain(layout.outsideFile);
  });

  it('refuses any path through a folder that links outside, naming the folder link', async () => {
    fs.symlinkSync(layout.outside, path.join(layout.workspace, 'lib'));
    const error = await refusal(resolveWorkspaceFile(layout.workspace, 'lib/deep/new.ts'));
    expect(error.kind).toBe('symlink');
    expect(error.message).toMatch(/^lib is a symbolic link/);
  });

  it('refuses a relative link that climbs out of the workspace', async () => {
    fs.symlinkSync('../../outside/secret.txt', path.join(layout.workspace, 'src', 'up.txt'));
    expect((await refusal(resolveWorkspaceFile(layout.workspace, 'src/up.txt'))).kind).toBe('symlink');
  });

  it('refuses a dangling link, whose write would create its target wherever it points', async () => {
    fs.symlinkSync(path.join(layout.outside, 'not-yet.txt'), path.join(layout.workspace, 'src', 'dangling.js'));
    const error = await refusal(resolveWorkspaceFile(layout.workspace, 'src/dangling.js'));
    expect(error.kind).toBe('symlink');
    expect(error.message).toContain('does not exist');
  });

  it('follows a link that stays inside and reports where it really leads', async () => {
    fs.mkdirSync(path.join(layout.workspace, 'packages', 'core'), { recursive: true });
    fs.symlinkSync(path.join('..', 'packages', 'core'), path.join(layout.workspace, 'src', 'core'));
    const resolved = await resolveWorkspaceFile(layout.workspace, 'src/core/index.ts');
    expect(resolved.relative).toBe('src/core/index.ts');
    expect(resolved.realRelative).toBe('packages/core/index.ts');
  });

  it('refuses a link inside that leads into the repository folder', async () => {
    fs.mkdirSync(path.join(layout.workspace, '.git'));
    fs.symlinkSync(path.join('..', '.git'), path.join(layout.workspace, 'src', 'g'));
    await expect(resolveWorkspaceFile(layout.workspace, 'src/g/config')).rejects.toMatchObject({ reason: 'unsafe-path' });
  });

  it('still refuses hostile path words before touching the disk', async () => {
    await expect(resolveWorkspaceFile(layout.workspace, '../outside/secret.txt')).rejects.toMatchObject({ reason: 'unsafe-path' });
    expect(refusalKind(await resolveWorkspaceFile(layout.workspace, '/etc/passwd').catch((e: unknown) => e))).toBe('unsafe-path');
  });
});

describe('control files', () => {
  it('knows the files and folders that change what agents may do, at any depth and any case', () => {
    for (const file of ['kilo.json', 'kilo.jsonc', 'opencode.json', 'KILO.JSON', '.kilo/agent/code.md', '.opencode/x', '.kilocode/rules.md', '.git/hooks/pre-commit', 'pkg/.git/config', '.kilo-orchestra/runs/x', '.kilo', '.vscode/settings.json', 'node_modules/typescript/bin/tsc', 'web/node_modules/.bin/jest']) {
      expect(isControlFile(file), file).toBe(true);
    }
    for (const file of ['src/kilo.ts', 'kilo.json.md', 'docs/opencode.md', 'src/.kilorc', 'gitignore', 'src/node_modules.ts']) expect(isControlFile(file), file).toBe(false);
  });

  it('refuses a control file unless the user allowed it by name; the store and the repository never', async () => {
    const { workspace } = aLayout();
    expect((await refusal(resolveGrantableFile(workspace, 'kilo.json'))).kind).toBe('control-file');
    expect((await refusal(resolveGrantableFile(workspace, '.kilo/agent/code.md', ['kilo.json']))).kind).toBe('control-file');
    expect((await resolveGrantableFile(workspace, 'kilo.json', ['./kilo.json'])).relative).toBe('kilo.json');
    await expect(resolveGrantableFile(workspace, 'pkg/.git/config', ['pkg/.git/config'])).rejects.toMatchObject({ kind: 'control-file' });
  });

  it('refuses a link inside the workspace that leads to a control file, naming the link', async () => {
    const { workspace } = aLayout();
    fs.writeFileSync(path.join(workspace, 'kilo.json'), '{}');
    fs.symlinkSync(path.join('..', 'kilo.json'), path.join(workspace, 'src', 'settings.json'));
    const error = await refusal(resolveGrantableFile(workspace, 'src/settings.json'));
    expect(error.kind).toBe('control-file');
    expect(error.message).toContain('through a link at src/settings.json');
  });
});

describe('wildcards', () => {
  it('sees every glob character a plan might use', () => {
    for (const path of ['src/*', 'src/?.ts', 'src/[ab].ts', 'src/{a,b}.ts']) expect(hasWildcard(path), path).toBe(true);
    expect(hasWildcard('src/a-b_c.d.ts')).toBe(false);
  });
});

describe('reading and writing', () => {
  it('reads a plain file and never reads through a link that leaves', async () => {
    const { workspace, outsideFile } = aLayout();
    fs.writeFileSync(path.join(workspace, 'src', 'a.ts'), 'inside');
    fs.symlinkSync(outsideFile, path.join(workspace, 'src', 'b.ts'));
    expect(await readWorkspaceFileSafely(workspace, 'src/a.ts')).toBe('inside');
    await expect(readWorkspaceFileSafely(workspace, 'src/b.ts')).rejects.toMatchObject({ kind: 'symlink' });
  });

  it('writes new files with their folders and leaves an outside target untouched', async () => {
    const { workspace, outside, outsideFile } = aLayout();
    const before = fs.readFileSync(outsideFile);
    fs.symlinkSync(outsideFile, path.join(workspace, 'src', 'fines.js'));
    fs.symlinkSync(outside, path.join(workspace, 'lib'));

    await writeWorkspaceFileSafely(workspace, 'src/new/a.ts', 'a');
    expect(fs.readFileSync(path.join(workspace, 'src', 'new', 'a.ts'), 'utf8')).toBe('a');
    await expect(writeWorkspaceFileSafely(workspace, 'src/fines.js', 'pwned')).rejects.toMatchObject({ kind: 'symlink' });
    await expect(writeWorkspaceFileSafely(workspace, 'lib/evil.js', 'pwned')).rejects.toMatchObject({ kind: 'symlink' });

    expect(fs.readFileSync(outsideFile).equals(before)).toBe(true);
    expect(fs.readdirSync(outside)).toEqual(['secret.txt']);
  });
});
