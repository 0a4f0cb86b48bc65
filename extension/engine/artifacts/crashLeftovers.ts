import fs from 'node:fs/promises';
import path from 'node:path';
import { sweepTempFiles } from '../util/atomicWrite';
import { OrchestraError, describeError } from '../util/errors';
import type { ArtifactRecord, ContentRef } from './artifactSchema';

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

interface IndexShape {
  artifacts: ArtifactRecord[];
  history: Record<string, ContentRef[]>;
}

/**
 * The index without the artifacts first written by work that was still in flight when the run
 * stopped: its result never reached the run's state, the work is sent again on resume and records
 * them afresh, so keeping them would leave a second, never-reviewed artifact for the same file.
 * A later version written by such work (a fix, a plan revision) stays: the resent work revises it.
 */
export function withoutUnfinishedWork<T extends IndexShape>(index: T, unfinishedWork: readonly string[]): { index: T; dropped: string[] } {
  const work = new Set(unfinishedWork);
  const dropped = index.artifacts.filter((record) => record.metadata.version === 1 && record.metadata.correlationId !== undefined && work.has(record.metadata.correlationId)).map((record) => record.id);
  if (dropped.length === 0) return { index, dropped };
  const history = { ...index.history };
  for (const id of dropped) delete history[id];
  return { index: { ...index, artifacts: index.artifacts.filter((record) => !dropped.includes(record.id)), history }, dropped };
}

/** Every content path the index names, current or earlier version. */
export function namedContent(index: IndexShape): Set<string> {
  return new Set([...index.artifacts.map((record) => record.content.path), ...Object.values(index.history).flat().map((ref) => ref.path)]);
}
