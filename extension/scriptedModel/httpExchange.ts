import type { IncomingMessage, ServerResponse } from 'node:http';
import { OrchestraError } from '../engine/util/errors';
import type { RequestLogEntry } from './requestLog';

/** Request bodies above this are refused; Kilo's largest prompts are far smaller. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * One request and its response, with the log entry they update and an abort signal that fires when
 * the connection closes early (client gone or server closing). Writes after that are dropped.
 */
export class HttpExchange {
  private readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  /** Settles once the response has closed, normally or not, after every 'close' listener ran. */
  readonly closed: Promise<void>;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly entry: RequestLogEntry,
  ) {
    // Without a listener a write racing a closed socket would crash the process.
    res.on('error', (error) => {
      entry.error ??= error.message;
    });
    let settle = () => {};
    this.closed = new Promise((resolve) => (settle = resolve));
    res.on('close', () => {
      settle();
      if (!res.writableFinished) {
        entry.aborted = true;
        this.controller.abort();
      }
    });
  }

  /** The raw body; an OrchestraError 'invalid-input' when it exceeds the limit. */
  async readBody(): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw new OrchestraError('invalid-input', `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Sends the status line and headers once, recording the status in the log entry. */
  writeHead(status: number, headers: Record<string, string>): void {
    if (this.res.destroyed || this.res.headersSent) return;
    this.entry.status = status;
    this.res.writeHead(status, headers);
  }

  sendJson(status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (this.res.headersSent) return;
    this.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    this.end(JSON.stringify(body));
  }

  startStream(): void {
    this.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    if (!this.res.destroyed) this.res.flushHeaders();
  }

  /** Writes and resolves once the bytes are handed to the socket (or the connection is gone). */
  write(text: string): Promise<void> {
    if (this.res.destroyed || this.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      // The callback runs on flush or on failure; a failure also closes the exchange, which aborts it.
      this.res.write(text, () => resolve());
    });
  }

  end(text?: string): void {
    if (this.res.destroyed) return;
    this.res.end(text);
  }

  /** Tears the connection down without a proper ending. */
  destroy(): void {
    this.res.destroy();
    this.req.socket.destroy();
  }

  /** Waits `ms`; false when the exchange was aborted first (the timer is cleared either way). */
  pause(ms: number): Promise<boolean> {
    if (this.signal.aborted) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Resolves when the connection closes early: the client aborts or the server shuts down. */
  untilAborted(): Promise<void> {
    if (this.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => this.signal.addEventListener('abort', () => resolve(), { once: true }));
  }
}
