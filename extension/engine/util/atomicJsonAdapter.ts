import fs from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { writeFileAtomic } from './atomicWrite';

/**
 * A lowdb adapter that saves through `writeFileAtomic`: temp file, fsync, rename, fsync of the
 * folder. lowdb's own JSONFile renames without flushing, so a power cut could lose the last write.
 */
export class AtomicJsonFile<T> implements Adapter<T> {
  constructor(private readonly file: string) {}

  async read(): Promise<T | null> {
    try {
      return JSON.parse(await fs.readFile(this.file, 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  write(data: T): Promise<void> {
    // Compact: the index is rewritten on every change, and indentation doubles the cost.
    return writeFileAtomic(this.file, JSON.stringify(data));
  }
}
