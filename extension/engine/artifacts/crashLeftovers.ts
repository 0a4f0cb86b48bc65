import fs from 'node:fs/promises';
import path from 'node:path';
import { sweepTempFiles } from '../util/atomicWrite';
import { OrchestraError, describeError } from '../util/errors';

/**
 * Cleans what a process killed mid-write leaves in an artifact folder: temp files beside the index
 * and the content files, and content files the index never came to name. Such a file belongs to an
 * artifact whose record was never written, so there is nothing to adopt it into (no producer, type
 * or summary); the work that wrote it was still in flight and is sent again on resume. Returns the
 * removed paths, relative to `dir`.
 */
export async function sweepCrashLeftovers(dir: string, named: ReadonlySet<string>): Promise<string[]> {
  const removed = await sweepTempFiles(dir);
  const contentDir = path.join(dir, 'content');
  for (const id of await listNames(contentDir)) {
    const folder = path.join(contentDir, id);
    removed.push(...(await sweepTempFiles(folder)).map((name) => `content/${id}/${name}`));
    const left: string[] = [];
    for (const name of await listNames(folder)) {
      const relative = `content/${id}/${name}`;
      if (named.has(relative) || !/^v[0-9]+\.txt$/.test(name)) left.push(name);
      else {
        await remove(path.join(folder, name));
        removed.push(relative);
      }
    }
    if (left.length === 0) await fs.rmdir(folder).catch(() => undefined);
  }
  return removed;
}

async function listNames(folder: string): Promise<string[]> {
  try {
    return await fs.readdir(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new OrchestraError('io-failed', `Could not list ${folder}: ${describeError(error)}`, { cause: error });
  }
}

async function remove(file: string): Promise<void> {
  try {
    await fs.rm(file, { force: true });
  } catch (error) {
    throw new OrchestraError('io-failed', `Could not remove the crash leftover ${file}: ${describeError(error)}`, { cause: error });
  }
}
