import { describeError } from '../engine/util/errors';
import { toDisposable } from '../engine/util/disposable';
import type { Disposable } from '../engine/util/disposable';
import type { FetchFunction, KiloEndpoint } from './kiloHttp';

/** One event of Kilo's bus as sent on `GET /event`. */
export interface KiloEvent {
  type: string;
  properties: Record<string, unknown>;
}

export type KiloEventListener = (event: KiloEvent) => void;

/**
 * Splits a Server-Sent Events byte stream (already decoded) into the `data` of each message. Handles
 * messages split across chunks, CRLF/CR/LF line ends, multi-line data and comment lines (heartbeats).
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];

  /** Feeds one chunk; returns the data of every message it completed. */
  push(chunk: string): string[] {
    let text = this.buffer + chunk;
    // A trailing CR may be the first half of a CRLF that the next chunk completes.
    const pendingCr = text.endsWith('\r');
    if (pendingCr) text = text.slice(0, -1);
    const lines = text.split(/\r\n|\r|\n/);
    this.buffer = (lines.pop() ?? '') + (pendingCr ? '\r' : '');
    const messages: string[] = [];
    for (const line of lines) {
      if (line === '') {
        if (this.data.length > 0) messages.push(this.data.join('\n'));
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      if (field !== 'data') continue;
      const value = colon === -1 ? '' : line.slice(colon + 1);
      this.data.push(value.startsWith(' ') ? value.slice(1) : value);
    }
    return messages;
  }
}

/** The Kilo event in one SSE message's data, or undefined when it is not one. */
export function parseKiloEvent(data: string): KiloEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, properties } = value as { type?: unknown; properties?: unknown };
  if (typeof type !== 'string') return undefined;
  return { type, properties: typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>) : {} };
}

/** The session an event belongs to: `properties.sessionID`, or that of its message info or part. */
export function sessionOf(event: KiloEvent): string | undefined {
  const p = event.properties;
  const nested = (key: string) => {
    const inner = p[key];
    return typeof inner === 'object' && inner !== null ? (inner as { sessionID?: unknown }).sessionID : undefined;
  };
  const id = p.sessionID ?? nested('info') ?? nested('part');
  return typeof id === 'string' ? id : undefined;
}

export interface KiloEventStreamOptions {
  /** Read on every (re)connection, so a restarted server's new address and password are used. */
  connection: () => KiloEndpoint | undefined;
  directory: string;
  fetch?: FetchFunction;
  /** Wait before reconnection attempt `attempt` (1, 2 …); default 250 ms doubling up to 5 s. */
  reconnectDelayMs?: (attempt: number) => number;
  log?: (message: string) => void;
}

/**
 * Follows `GET /event?directory=…` and hands each event to the subscribers of its session. When the
 * stream drops or the server restarts it reconnects with backoff; events sent while disconnected are
 * lost, which `onConnected` lets subscribers make up for.
 */
export class KiloEventStream {
  private readonly sessions = new Map<string, Set<KiloEventListener>>();
  private readonly everything = new Set<KiloEventListener>();
  private readonly connectedListeners = new Set<(reconnect: boolean) => void>();
  private readonly fetch: FetchFunction;
  private connected = false;
  private connections = 0;
  private readyWaiters: Array<() => void> = [];
  private controller: AbortController | undefined;
  private wake: (() => void) | undefined;
  private closed = false;
  private running: Promise<void> | undefined;

  constructor(private readonly options: KiloEventStreamOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  /** Starts following (once); resolves when the stream is open, so no later event is missed. */
  ready(): Promise<void> {
    this.running ??= this.loop();
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Events of one session (`sync` mirror events excluded). */
  subscribe(sessionId: string, listener: KiloEventListener): Disposable {
    let set = this.sessions.get(sessionId);
    if (set === undefined) this.sessions.set(sessionId, (set = new Set()));
    set.add(listener);
    return toDisposable(() => {
      set.delete(listener);
      if (set.size === 0) this.sessions.delete(sessionId);
    });
  }

  /** Every event, whatever its session. */
  onEvent(listener: KiloEventListener): Disposable {
    this.everything.add(listener);
    return toDisposable(() => this.everything.delete(listener));
  }

  /** Called on each successful connection; `reconnect` is true after the first. */
  onConnected(listener: (reconnect: boolean) => void): Disposable {
    this.connectedListeners.add(listener);
    return toDisposable(() => this.connectedListeners.delete(listener));
  }

  /** Stops following; pending `ready()` calls never resolve. */
  async close(): Promise<void> {
    this.closed = true;
    this.controller?.abort();
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    while (!this.closed) {
      const endpoint = this.options.connection();
      if (endpoint !== undefined) {
        try {
          await this.follow(endpoint, () => (attempt = 0));
          this.options.log?.('Kilo event stream ended; reconnecting.');
        } catch (error) {
          if (!this.closed) this.options.log?.(`Kilo event stream failed: ${describeError(error)}`);
        }
      }
      this.connected = false;
      if (this.closed) break;
      attempt += 1;
      await this.pause((this.options.reconnectDelayMs ?? defaultBackoff)(attempt));
    }
  }

  private async follow(endpoint: KiloEndpoint, onOpen: () => void): Promise<void> {
    this.controller = new AbortController();
    const url = new URL(endpoint.baseUrl.replace(/\/$/, '') + '/event');
    url.searchParams.set('directory', this.options.directory);
    const response = await this.fetch(url, {
      headers: { authorization: endpoint.authHeader, accept: 'text/event-stream' },
      signal: this.controller.signal,
    });
    if (!response.ok || response.body === null) {
      throw new Error(`GET /event answered HTTP ${response.status}: ${(await response.text()).slice(0, 500)}`);
    }
    onOpen();
    this.connected = true;
    const reconnect = this.connections++ > 0;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
    for (const listener of [...this.connectedListeners]) this.guard(() => listener(reconnect));
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const data of parser.push(decoder.decode(value, { stream: true }))) this.dispatch(data);
    }
  }

  private dispatch(data: string): void {
    const event = parseKiloEvent(data);
    if (event === undefined) {
      this.options.log?.(`Ignored an event Kilo sent that is not JSON: ${data.slice(0, 200)}`);
      return;
    }
    if (event.type === 'sync') return;
    for (const listener of [...this.everything]) this.guard(() => listener(event));
    const sessionId = sessionOf(event);
    if (sessionId === undefined) return;
    for (const listener of [...(this.sessions.get(sessionId) ?? [])]) this.guard(() => listener(event));
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.options.log?.(`A Kilo event listener failed: ${describeError(error)}`);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}

function defaultBackoff(attempt: number): number {
  return Math.min(5000, 250 * 2 ** (attempt - 1));
}
