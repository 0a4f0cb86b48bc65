import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ZodType } from 'zod';
import { OrchestraError, describeError } from './errors';

/**
 * Writes `data` to `file` so that a reader (or a crash) sees either the old content or the new,
 * never half of it: the data goes to a temp file in the same folder, is flushed to disk and then
 * renamed over `file`. Missing parent folders are created. On failure the temp file is removed,
 * the old file is left as it was, and an `io-failed` error is thrown.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const folder = path.dirname(file);
  const temp = path.join(folder, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await openCreatingFolder(temp, folder);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await removeTemp(temp, error);
    throw new OrchestraError('io-failed', `Could not write ${file}: ${describeError(error)}`, {
      cause: error,
      hint: 'Check that the folder exists, is writable and the disk is not full.',
    });
  }
  await syncFolder(folder, file);
}

/** Opens a new file for writing; the folder is created only when it is missing (mkdir on every write is costly). */
async function openCreatingFolder(file: string, folder: string): Promise<fs.FileHandle> {
  try {
    return await fs.open(file, 'wx');
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
    await fs.mkdir(folder, { recursive: true });
    return fs.open(file, 'wx');
  }
}

/**
 * Reads and validates a JSON file. Returns undefined when the file does not exist. A file that
 * cannot be read, is not JSON or does not match `schema` throws `io-failed` naming the file and
 * the problem; the file itself is never touched, so nothing in it is lost.
 */
export async function readJsonFile<T>(file: string, schema: ZodType<T>): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new OrchestraError('io-failed', `Could not read ${file}: ${describeError(error)}`, { cause: error, hint: 'Check that the file is readable.' });
  }
  const hint = `The file was left as it is. Repair it, or move it aside to start afresh.`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OrchestraError('io-failed', `${file} is not valid JSON: ${describeError(error)}`, { cause: error, hint });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`)
      .join('; ');
    const more = parsed.error.issues.length > 3 ? ` (and ${parsed.error.issues.length - 3} more problems)` : '';
    throw new OrchestraError('io-failed', `${file} does not have the expected content: ${problems}${more}`, { cause: parsed.error, hint });
  }
  return parsed.data;
}

async function removeTemp(temp: string, original: unknown): Promise<void> {
  try {
    await fs.rm(temp, { force: true });
  } catch (error) {
    // The write already failed; report both rather than hide the leftover temp file.
    throw new OrchestraError('io-failed', `Could not remove ${temp} after a failed write (${describeError(original)}): ${describeError(error)}`, { cause: error });
  }
}

/** Makes the rename itself durable. Windows cannot open folders, and some file systems refuse to sync them. */
async function syncFolder(folder: string, file: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(folder, 'r');
    await handle.sync();
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EINVAL' || code === 'ENOTSUP' || code === 'EISDIR' || code === 'EPERM') return;
    throw new OrchestraError('io-failed', `Wrote ${file} but could not flush its folder to disk: ${describeError(error)}`, { cause: error });
  } finally {
    await handle?.close();
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** The name `writeFileAtomic` gives its temp files; anything else is never swept. */
const TEMP_NAME = /^\..+\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes the temp files a crash left mid-`writeFileAtomic` in `folder` (not below it) and returns
 * their names. Only for a folder no live process writes to: a live writer's temp would vanish.
 */
export async function sweepTempFiles(folder: string): Promise<string[]> {
  const names = await fs.readdir(folder).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return [] as string[];
    throw new OrchestraError('io-failed', `Could not list ${folder}: ${describeError(error)}`, { cause: error });
  });
  const swept = names.filter((name) => TEMP_NAME.test(name));
  for (const name of swept) await removeTemp(path.join(folder, name), 'a crash');
  return swept;
}
