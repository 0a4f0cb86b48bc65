import fs from 'node:fs';
import path from 'node:path';
import { STORE_DIR_NAME } from './paths';

/** What the store folder's own `.gitignore` says: everything in it, itself included. */
export const STORE_GITIGNORE = '# Written by Kilo Orchestra: its runs, logs and checkpoints stay out of git.\n*\n';

/**
 * Creates `<workspace>/.kilo-orchestra/` (if missing) with a `.gitignore` of `*` in it, so the
 * user's `git status` and Source Control badge never count the run's own files, whatever the
 * repository's own ignore rules say. Every writer calls this before it writes there.
 * Resolves with the folder's absolute path.
 */
export async function ensureStoreFolder(workspace: string): Promise<string> {
  const folder = path.join(workspace, STORE_DIR_NAME);
  await fs.promises.mkdir(folder, { recursive: true });
  // `wx`: never overwrites one the user edited; EEXIST is the common case after the first run.
  await fs.promises.writeFile(path.join(folder, '.gitignore'), STORE_GITIGNORE, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return folder;
}
