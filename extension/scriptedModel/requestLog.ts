import { appendFile } from 'node:fs/promises';
import { OrchestraError, describeError } from '../engine/util/errors';

/**
 * One request as the scripted model saw it. Tests and benchmarks read these to prove routing (which
 * model served which role) and concurrency (overlapping `at`..`endedAt` intervals).
 */
export interface RequestLogEntry {
  /** Epoch ms when the request arrived. */
  at: number;
  /** Epoch ms when the response ended or the connection closed; undefined while still open. */
  endedAt: number | undefined;
  method: string;
  path: string;
  /** The requested model ('' when the body named none). */
  model: string;
  /** How many messages the request held. */
  messages: number;
  promptChars: number;
  /** o200k tokens of the same text, when the server was asked to count them (`countPromptTokens`). */
  promptTokens?: number;
  /** Names of the tools offered. */
  tools: string[];
  stream: boolean;
  /** The last user message, first 200 characters. */
  lastUser: string;
  /** The work the last user message asks for (its marker), e.g. `implement` of `src/loans.js`. */
  work?: { kind: string; files: string[] };
  /** User messages in the conversation: more than one when the session remembers earlier work. */
  userMessages?: number;
  role?: string;
  /** The request's Authorization header as sent, so a test can prove which key reached the provider. */
  authorization?: string;
  /** The injected fault, e.g. `status:429`, `hang`. */
  fault?: string;
  /** HTTP status sent; 0 while nothing has been sent (or never was, for a hang). */
  status: number;
  /** True when the connection closed before the answer was complete. */
  aborted?: boolean;
  /** Why the request failed: validation message or the script's error. */
  error?: string;
}

/** The in-memory request list, its JSONL mirror and waiters for a number of arrivals. */
export class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  private readonly waiters: Array<{ count: number; resolve: (entries: RequestLogEntry[]) => void; reject: (error: Error) => void }> = [];
  private writes: Promise<void> = Promise.resolve();
  private writeError: unknown;

  constructor(private readonly file: string | undefined) {}

  /** Records an arrival; the entry is then updated in place until `finish`. */
  start(entry: RequestLogEntry): RequestLogEntry {
    this.entries.push(entry);
    for (const waiter of this.waiters.filter((w) => this.entries.length >= w.count)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve([...this.entries]);
    }
    return entry;
  }

  /** Stamps the end and appends the entry to the log file, once. */
  finish(entry: RequestLogEntry): void {
    if (entry.endedAt !== undefined) return;
    entry.endedAt = Date.now();
    if (this.file === undefined) return;
    const line = `${JSON.stringify(entry)}\n`;
    const file = this.file;
    this.writes = this.writes.then(() =>
      appendFile(file, line, 'utf8').catch((error: unknown) => {
        this.writeError ??= error;
      }),
    );
  }

  /** Resolves with all entries once `count` requests have arrived. */
  whenCount(count: number): Promise<RequestLogEntry[]> {
    if (this.entries.length >= count) return Promise.resolve([...this.entries]);
    return new Promise((resolve, reject) => this.waiters.push({ count, resolve, reject }));
  }

  /** Waits for pending file writes; rejects waiters that can no longer be satisfied. */
  async close(): Promise<void> {
    for (const waiter of this.waiters.splice(0)) {
      waiter.reject(new OrchestraError('aborted', `The scripted model closed after ${this.entries.length} of ${waiter.count} awaited requests.`));
    }
    await this.writes;
    if (this.writeError !== undefined) {
      throw new OrchestraError('io-failed', `Could not append to the request log ${this.file}: ${describeError(this.writeError)}`, { cause: this.writeError });
    }
  }
}
