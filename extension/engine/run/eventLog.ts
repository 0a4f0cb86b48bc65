import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { OrchestraError, describeError } from '../util/errors';
import { EntryStampSchema, EventLogEntrySchema, EventLogInputSchema, type EventLogEntry, type EventLogInput } from './eventLogSchema';

export { EVENT_KINDS, EventLogEntrySchema, EventLogInputSchema, type EventKind, type EventLogEntry, type EventLogEntryOf, type EventLogInput } from './eventLogSchema';

/**
 * A log read back: entries oldest first; `truncatedTail` when the last line was cut off (a crash
 * mid-write); `problems`, one line each, for lines that were skipped because they do not read.
 */
export interface EventLogContents {
  entries: EventLogEntry[];
  truncatedTail: boolean;
  problems: string[];
}

export interface EventLogOptions {
  /** Epoch ms for `ts`; `Date.now` by default. */
  clock?: () => number;
}

interface Pending {
  line: string;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The run's append-only JSONL audit trail. Appends are written in call order, batched into one
 * `appendFile` while the previous write is under way. A failed write rejects its `append` and is
 * kept for the next `flush`/`close`, so an append nobody awaited still cannot fail unnoticed.
 */
export class EventLog {
  private seq: number;
  private queue: Pending[] = [];
  private writing: Promise<void> | undefined;
  private failure: OrchestraError | undefined;
  private closed = false;

  private constructor(
    readonly file: string,
    lastSeq: number,
    /** True when opening cut off a partial last line left by a crash. */
    readonly repairedTail: boolean,
    private readonly clock: () => number,
  ) {
    this.seq = lastSeq;
  }

  /** Opens (creating folders and file as needed) and continues the numbering of an existing log. */
  static async open(file: string, options: EventLogOptions = {}): Promise<EventLog> {
    let lastSeq = 0;
    let repairedTail = false;
    try {
      await fs.mkdir(path.dirname(file), { recursive: true });
      const text = await readIfExists(file);
      if (text !== undefined) {
        const parsed = parseLog(text, file);
        lastSeq = parsed.lastSeq;
        if (parsed.unterminatedTail) await fs.appendFile(file, '\n', 'utf8');
        if (parsed.truncatedTail) {
          // A cut-off line would otherwise be glued to the next append and corrupt it.
          await fs.truncate(file, parsed.validBytes);
          repairedTail = true;
        }
      }
    } catch (error) {
      if (error instanceof OrchestraError) throw error;
      throw new OrchestraError('io-failed', `Could not open the event log ${file}: ${describeError(error)}`, { cause: error });
    }
    return new EventLog(file, lastSeq, repairedTail, options.clock ?? Date.now);
  }

  /**
   * Reads a whole log, each line through the entry schema. A line that does not read is skipped and
   * named in `problems`, so one damaged line never loses the entries around it.
   */
  static async read(file: string): Promise<EventLogContents> {
    let text: string | undefined;
    try {
      text = await readIfExists(file);
    } catch (error) {
      throw new OrchestraError('io-failed', `Could not read the event log ${file}: ${describeError(error)}`, { cause: error });
    }
    if (text === undefined) throw new OrchestraError('not-found', `There is no event log at ${file}.`);
    const { entries, truncatedTail, problems } = parseLog(text, file);
    return { entries, truncatedTail, problems };
  }

  /**
   * Adds `seq` and `ts` and queues the entry for writing; resolves with the entry once it is on
   * disk. Rejects with `invalid-input` for an entry that is not valid or not serialisable.
   */
  append(input: EventLogInput): Promise<EventLogEntry> {
    let entry: EventLogEntry;
    let line: string;
    try {
      if (this.closed) throw new OrchestraError('io-failed', `The event log ${this.file} is closed.`);
      const parsed = EventLogInputSchema.safeParse(input);
      if (!parsed.success) throw new OrchestraError('invalid-input', `The log entry is not valid: ${z.prettifyError(parsed.error)}`);
      entry = { seq: this.seq + 1, ts: new Date(this.clock()).toISOString(), ...parsed.data };
      line = `${toJson(entry)}\n`;
    } catch (error) {
      this.failure ??= error as OrchestraError;
      return handled(Promise.reject(error));
    }
    this.seq = entry.seq;
    const written = new Promise<void>((resolve, reject) => this.queue.push({ line, resolve, reject }));
    this.writing ??= this.writeQueued();
    return handled(written.then(() => entry));
  }

  /** Waits for every queued write; rejects with the first failure since the previous flush. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure;
  }

  /** Flushes, then refuses further appends. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async writeQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        await fs.appendFile(this.file, batch.map((item) => item.line).join(''), 'utf8');
        for (const item of batch) item.resolve();
      } catch (cause) {
        const error = new OrchestraError('io-failed', `Could not write to the event log ${this.file}: ${describeError(cause)}`, { cause });
        this.failure ??= error;
        for (const item of batch) item.reject(error);
      }
    }
    this.writing = undefined;
  }

}

/**
 * Marks a promise as handled so an append nobody awaits cannot crash the process; its failure is
 * not lost, because the log keeps it for `flush`.
 */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function toJson(entry: EventLogEntry): string {
  try {
    return JSON.stringify(entry);
  } catch (error) {
    throw new OrchestraError('invalid-input', `The log entry cannot be written as JSON: ${describeError(error)}`, { cause: error });
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

interface ParsedLog {
  entries: EventLogEntry[];
  problems: string[];
  /** The highest `seq` of any line, readable or not, so reopening never reuses a number. */
  lastSeq: number;
  truncatedTail: boolean;
  unterminatedTail: boolean;
  validBytes: number;
}

/**
 * Parses JSONL text; `validBytes` is the length of everything before a cut-off last line, and
 * `unterminatedTail` flags a whole last entry that lacks its newline.
 */
function parseLog(text: string, file: string): ParsedLog {
  const lines = text.split('\n');
  // Every complete line ends with '\n', so the last piece is empty unless the final write was cut off.
  const tail = lines.pop() ?? '';
  const entries: EventLogEntry[] = [];
  const problems: string[] = [];
  let lastSeq = 0;
  const take = (line: string, lineNumber: number): boolean => {
    const parsed = parseLine(line);
    if (parsed.seq !== undefined) lastSeq = Math.max(lastSeq, parsed.seq);
    if (parsed.entry) entries.push(parsed.entry);
    else problems.push(`${file} line ${lineNumber} ${parsed.problem}`);
    return parsed.entry !== undefined;
  };
  lines.forEach((line, index) => {
    if (line.trim() !== '') take(line, index + 1);
  });
  let truncatedTail = false;
  if (tail !== '') {
    // A cut-off last line is expected after a crash: it is repaired on open, not reported.
    const before = problems.length;
    truncatedTail = !take(tail, lines.length + 1);
    problems.length = before;
  }
  const validBytes = Buffer.byteLength(text, 'utf8') - (truncatedTail ? Buffer.byteLength(tail, 'utf8') : 0);
  return { entries, problems, lastSeq, truncatedTail, unterminatedTail: tail !== '' && !truncatedTail, validBytes };
}

function parseLine(line: string): { entry?: EventLogEntry; seq?: number; problem?: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { problem: `is not valid JSON: ${describeError(error)}` };
  }
  const stamp = EntryStampSchema.safeParse(json);
  const seq = stamp.success ? stamp.data.seq : undefined;
  const parsed = EventLogEntrySchema.safeParse(json);
  if (!parsed.success) return { seq, problem: `is not a log entry: ${z.prettifyError(parsed.error).replace(/\s*\n\s*/g, '; ')}` };
  return { entry: parsed.data, seq };
}
