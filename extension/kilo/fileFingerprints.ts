import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Workspace-relative path → a hash of the file's content, or null where there is no readable file. */
export type Fingerprints = ReadonlyMap<string, string | null>;

/**
 * What the named files hold now, as hashes. Our private Kilo runs without its git snapshots (they
 * cost more CPU than the rest of a turn), so a work item's changes are found by comparing the files
 * it may write before and after, not from Kilo's session diff.
 */
export async function fingerprintFiles(directory: string, files: Iterable<string>): Promise<Fingerprints> {
  const unique = [...new Set(files)];
  const hashes = await Promise.all(unique.map((file) => fingerprintOf(path.resolve(directory, file))));
  return new Map(unique.map((file, index) => [file, hashes[index]!]));
}

/**
 * The files among `candidates` whose content differs between the two fingerprints, sorted: created,
 * changed, deleted, or restored to what they held before an earlier turn. A candidate missing from
 * `before` counts as changed when it exists now.
 */
export function changedBetween(before: Fingerprints, after: Fingerprints, candidates: Iterable<string>): string[] {
  const changed = [...new Set(candidates)].filter((file) => {
    const now = after.get(file) ?? null;
    return before.has(file) ? before.get(file) !== now : now !== null;
  });
  return changed.sort();
}

async function fingerprintOf(file: string): Promise<string | null> {
  try {
    return createHash('sha256').update(await readFile(file)).digest('hex');
  } catch {
    // Absent, a folder, or unreadable: all the same to a writer that was granted a file.
    return null;
  }
}
