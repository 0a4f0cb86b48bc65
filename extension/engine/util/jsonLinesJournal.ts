import fs from 'node:fs/promises';
import path from 'node:path';
import type { ZodType } from 'zod';
import { OrchestraError, describeError } from './errors';
import { oneLine } from './zodLines';

/**
 * A journal read back: its entries oldest first, and `repairedTail` when opening cut off a last
 * line that a crash left half-written (the one write that never finished; nothing before it is lost).
 */
export interface JournalContents<T> {
  entries: T[];
  repairedTail: boolean;
}

interface Pending {
  line: string;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * An append-only JSON-lines file that a store writes its changes to, one line per change, so a
 * change costs its own size instead of a rewrite of everything. Appends queued while a write is
 * under way share the next write and its one fsync (group commit); each resolves once its line is
 * on disk. The owner folds the journal into a snapshot now and then and calls `reset`.
 *
 * Every line is validated on read. A last line cut off by a crash is left out and reported, and cut
 * off the file just before the first append (opening never writes: a reader may open the journal
 * of a run another process is writing). A damaged line anywhere else throws `io-failed` and leaves
 * the file as it is, as a damaged snapshot does.
 */
export class JsonLinesJournal<T> {
  private queue: Pending[] = [];
  private writing: Promise<void> | undefined;
  /** Bytes known to be whole lines on disk; a failed write is cut back to this. */
  private goodBytes: number;
  private lineCount: number;

  private constructor(
    readonly file: string,
    bytes: number,
    lines: number,
    /** Whether the file's name is already on disk; the first write to a new file also syncs its folder. */
    private exists: boolean,
    /** Set when the file ends in a half-written line: where to cut it before appending. */
    private repairAt: number | undefined,
  ) {
    this.goodBytes = bytes;
    this.lineCount = lines;
  }

  /** Opens `file` (it may be missing) and reads its entries through `schema`. */
  static async open<T>(file: string, schema: ZodType<T>): Promise<{ journal: JsonLinesJournal<T> } & JournalContents<T>> {
    let text = '';
    let exists = true;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      exists = false;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new OrchestraError('io-failed', `Could not read ${file}: ${describeError(error)}`, { cause: error, hint: 'Check that the file is readable.' });
      }
    }
    const { entries, tail } = parseLines(text, file, schema);
    const validBytes = Buffer.byteLength(text, 'utf8') - Buffer.byteLength(tail, 'utf8');
    const journal = new JsonLinesJournal<T>(file, validBytes, entries.length, exists, tail !== '' ? validBytes : undefined);
    return { journal, entries, repairedTail: tail !== '' };
  }

  /** Whole lines in the file now (written since the last reset). */
  get lines(): number {
    return this.lineCount;
  }

  get bytes(): number {
    return this.goodBytes;
  }

  /** Queues one entry; resolves once it is on disk (fsynced). */
  append(entry: T): Promise<void> {
    const line = `${JSON.stringify(entry)}\n`;
    const written = new Promise<void>((resolve, reject) => this.queue.push({ line, resolve, reject }));
    this.writing ??= this.writeQueued();
    return written;
  }

  /** Waits for every queued append. */
  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /**
   * Empties the journal once its entries are safe in a snapshot. Waits for queued appends first,
   * so call it only with nothing queued that the snapshot lacks.
   */
  async reset(): Promise<void> {
    await this.settled();
    try {
      await fs.truncate(this.file, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new OrchestraError('io-failed', `Could not empty ${this.file}: ${describeError(error)}`, { cause: error });
      }
    }
    this.goodBytes = 0;
    this.lineCount = 0;
    this.repairAt = undefined;
  }

  private async writeQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      const text = batch.map((item) => item.line).join('');
      try {
        // Otherwise the first line would be glued to the half-written one and both lost.
        if (this.repairAt !== undefined) await fs.truncate(this.file, this.repairAt);
        this.repairAt = undefined;
        await appendDurably(this.file, text, !this.exists);
        this.exists = true;
        this.goodBytes += Buffer.byteLength(text, 'utf8');
        this.lineCount += batch.length;
        for (const item of batch) item.resolve();
      } catch (cause) {
        await fs.truncate(this.file, this.goodBytes).catch(() => undefined);
        const error = new OrchestraError('io-failed', `Could not write to ${this.file}: ${describeError(cause)}`, {
          cause,
          hint: 'Check that the folder exists, is writable and the disk is not full.',
        });
        for (const item of batch) item.reject(error);
      }
    }
    this.writing = undefined;
  }
}

/** Appends and fsyncs; the folder is synced only when the file is new, so its name survives a power cut. */
async function appendDurably(file: string, text: string, created: boolean): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'a');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await fs.mkdir(path.dirname(file), { recursive: true });
    handle = await fs.open(file, 'a');
  }
  try {
    await handle.appendFile(text, 'utf8');
    await handle.datasync();
  } finally {
    await handle.close();
  }
  if (created && process.platform !== 'win32') {
    const folder = await fs.open(path.dirname(file), 'r');
    try {
      await folder.sync().catch(() => undefined);
    } finally {
      await folder.close();
    }
  }
}

function parseLines<T>(text: string, file: string, schema: ZodType<T>): { entries: T[]; tail: string } {
  const lines = text.split('\n');
  // Every whole line ends with '\n', so the last piece is empty unless the last write was cut off.
  // Such a tail was never reported written (the fsync comes after the whole batch), so it is dropped.
  const tail = lines.pop() ?? '';
  const entries: T[] = [];
  const hint = 'The file was left as it is. Repair it, or move it aside to start afresh.';
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const entry = parseLine(line, schema);
    if (typeof entry === 'string') throw new OrchestraError('io-failed', `${file} line ${index + 1} ${entry}`, { hint });
    entries.push(entry.value);
  });
  return { entries, tail };
}

function parseLine<T>(line: string, schema: ZodType<T>): { value: T } | string {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return `is not valid JSON: ${describeError(error)}`;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { value: parsed.data } : `is not a valid entry: ${oneLine(parsed.error)}`;
}
