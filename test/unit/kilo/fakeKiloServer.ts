import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { KiloEndpoint } from '../../../extension/kilo/kiloHttp';

export interface FakeKiloRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

/**
 * A fake `kilo serve` for unit tests: answers the routes the backend calls with canned data and lets
 * the test push events on `GET /event`. `onPrompt` runs when a prompt arrives, like Kilo's loop would.
 */
export interface FakeKilo {
  endpoint: KiloEndpoint;
  requests: FakeKiloRequest[];
  tokens: { input: number; output: number };
  cost: number;
  diff: Array<Record<string, unknown>>;
  /** Answers for `GET /session/{id}/message/{messageID}`. */
  messages: Map<string, { info: Record<string, unknown>; parts: Array<Record<string, unknown>> }>;
  onPrompt: (sessionId: string, body: unknown) => void;
  /** Answer of `GET /session/status`: sessions that are not idle. */
  statuses: Record<string, { type: string }>;
  /**
   * When set, the sessions `GET /session/{id}` knows (their extra fields, e.g. `directory`, `title`);
   * any other id gets Kilo's 404 `NotFoundError`. Unset, every id is known.
   */
  stored?: Map<string, Record<string, unknown>>;
  /** Ends every open event stream, as a server restart would. */
  dropStreams(): void;
  emit(type: string, properties: Record<string, unknown>): void;
  whenRequest(match: (request: FakeKiloRequest) => boolean): Promise<FakeKiloRequest>;
  close(): Promise<void>;
}

export async function startFakeKilo(): Promise<FakeKilo> {
  const streams = new Set<ServerResponse>();
  const waiters: Array<{ match: (r: FakeKiloRequest) => boolean; resolve: (r: FakeKiloRequest) => void }> = [];
  let sessions = 0;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += String(chunk)));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const request = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), body: text === '' ? undefined : JSON.parse(text) };
      fake.requests.push(request);
      for (const waiter of waiters.filter((w) => w.match(request))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(request);
      }
      route(request, res);
    });
  });
  const json = (res: ServerResponse, value: unknown): void => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  };
  const session = (id: string) => ({ id, cost: fake.cost, tokens: { ...fake.tokens, reasoning: 0, cache: { read: 0, write: 0 } } });
  function route(request: FakeKiloRequest, res: ServerResponse): void {
    const parts = request.path.split('/').filter(Boolean);
    if (request.path === '/event') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ type: 'server.connected', properties: {} })}\n\n`);
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    if (request.method === 'POST' && request.path === '/session') {
      const id = `ses_${++sessions}`;
      fake.stored?.set(id, {});
      return json(res, session(id));
    }
    if (parts[0] === 'permission') return json(res, true);
    if (parts[0] !== 'session' || parts[1] === undefined) return void res.writeHead(404).end('no route');
    if (parts[1] === 'status') return json(res, fake.statuses);
    const id = parts[1];
    if (request.method === 'GET' && parts.length === 2 && fake.stored !== undefined) {
      const stored = fake.stored.get(id);
      if (stored === undefined) return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'NotFoundError', data: { message: `Session not found: ${id}` } }));
      return json(res, { ...session(id), ...stored });
    }
    if (request.method === 'DELETE' && parts.length === 2) return json(res, true);
    if (request.method === 'PATCH' || (request.method === 'GET' && parts.length === 2)) return json(res, session(id));
    if (parts[2] === 'diff') return json(res, fake.diff);
    if (parts[2] === 'abort') return json(res, true);
    if (parts[2] === 'message' && parts[3] !== undefined) {
      const message = fake.messages.get(parts[3]);
      return message ? json(res, message) : void res.writeHead(404).end('no message');
    }
    if (parts[2] === 'message') return json(res, [...fake.messages.values()].slice(-Number(request.query.limit ?? 100)));
    if (parts[2] === 'prompt_async') {
      res.writeHead(204).end();
      fake.onPrompt(id, request.body);
      return;
    }
    res.writeHead(404).end('no route');
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const fake: FakeKilo = {
    endpoint: { baseUrl: `http://127.0.0.1:${port}`, authHeader: 'Basic fake' },
    requests: [],
    tokens: { input: 0, output: 0 },
    cost: 0,
    diff: [],
    messages: new Map(),
    onPrompt: () => undefined,
    statuses: {},
    dropStreams() {
      for (const stream of streams) stream.end();
    },
    emit(type, properties) {
      for (const stream of streams) stream.write(`data: ${JSON.stringify({ id: 'evt', type, properties })}\n\n`);
    },
    whenRequest: (match) => {
      const seen = fake.requests.find(match);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
