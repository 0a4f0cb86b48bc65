import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { KiloEventStream, SseParser, parseKiloEvent, sessionOf } from '../../../extension/kilo/kiloEventStream';
import type { KiloEvent } from '../../../extension/kilo/kiloEventStream';

describe('SseParser', () => {
  it('joins a message split across chunks, even inside a CRLF', () => {
    const parser = new SseParser();
    expect(parser.push('data: {"type":"a",')).toEqual([]);
    expect(parser.push('"properties":{}}\r')).toEqual([]);
    expect(parser.push('\n\r\n')).toEqual(['{"type":"a","properties":{}}']);
  });

  it('joins multi-line data with newlines and skips comments and other fields', () => {
    const parser = new SseParser();
    const messages = parser.push(': heartbeat\n\nevent: message\nid: 7\ndata: line one\ndata:line two\n\n:ping\n\n');
    expect(messages).toEqual(['line one\nline two']);
  });

  it('emits several messages from one chunk and keeps an unfinished one for later', () => {
    const parser = new SseParser();
    expect(parser.push('data: 1\n\ndata: 2\n\ndata: 3')).toEqual(['1', '2']);
    expect(parser.push('\n\n')).toEqual(['3']);
  });
});

describe('parseKiloEvent and sessionOf', () => {
  it('reads type and properties, and finds the session in properties, info or part', () => {
    const event = parseKiloEvent('{"id":"evt_1","type":"session.idle","properties":{"sessionID":"ses_1"}}');
    expect(event).toEqual({ type: 'session.idle', properties: { sessionID: 'ses_1' } });
    expect(sessionOf({ type: 'message.updated', properties: { info: { sessionID: 'ses_2' } } })).toBe('ses_2');
    expect(sessionOf({ type: 'message.part.updated', properties: { part: { sessionID: 'ses_3' } } })).toBe('ses_3');
    expect(sessionOf({ type: 'file.edited', properties: { file: '/x' } })).toBeUndefined();
  });

  it('rejects data that is not a Kilo event', () => {
    expect(parseKiloEvent('{not json')).toBeUndefined();
    expect(parseKiloEvent('{"properties":{}}')).toBeUndefined();
  });
});

/** A fake Kilo event endpoint: each connection is handed to the test, which writes and ends it. */
interface FakeEventServer {
  url: string;
  password: string;
  connections: Array<{ req: IncomingMessage; res: ServerResponse }>;
  nextConnection(): Promise<{ req: IncomingMessage; res: ServerResponse }>;
  close(): Promise<void>;
}

const servers: FakeEventServer[] = [];
const streams: KiloEventStream[] = [];

afterEach(async () => {
  await Promise.all(streams.splice(0).map((stream) => stream.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startFakeEventServer(password: string): Promise<FakeEventServer> {
  const connections: FakeEventServer['connections'] = [];
  const waiters: Array<(c: { req: IncomingMessage; res: ServerResponse }) => void> = [];
  const server: Server = createServer((req, res) => {
    if (req.headers.authorization !== `Basic ${Buffer.from(`kilo:${password}`).toString('base64')}`) {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    const connection = { req, res };
    connections.push(connection);
    waiters.shift()?.(connection);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  const fake: FakeEventServer = {
    url: `http://127.0.0.1:${address.port}`,
    password,
    connections,
    nextConnection: () => new Promise((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(fake);
  return fake;
}

function endpointOf(server: FakeEventServer) {
  return { baseUrl: server.url, authHeader: `Basic ${Buffer.from(`kilo:${server.password}`).toString('base64')}` };
}

function send(res: ServerResponse, type: string, properties: Record<string, unknown>): void {
  res.write(`data: ${JSON.stringify({ id: 'evt', type, properties })}\n\n`);
}

function nextEvent(stream: KiloEventStream, sessionId: string): Promise<KiloEvent> {
  return new Promise((resolve) => {
    const subscription = stream.subscribe(sessionId, (event) => {
      subscription.dispose();
      resolve(event);
    });
  });
}

describe('KiloEventStream', () => {
  it('subscribes with the workspace directory and delivers events only to their session, never sync events', async () => {
    const server = await startFakeEventServer('pw');
    const stream = new KiloEventStream({ connection: () => endpointOf(server), directory: '/work/space' });
    streams.push(stream);
    const connected = server.nextConnection();
    await stream.ready();
    const { req, res } = await connected;
    expect(new URL(req.url ?? '', 'http://x').searchParams.get('directory')).toBe('/work/space');
    const seen: string[] = [];
    stream.subscribe('ses_a', (event) => seen.push(`a:${event.type}`));
    stream.subscribe('ses_b', (event) => seen.push(`b:${event.type}`));
    const last = nextEvent(stream, 'ses_a');
    send(res, 'sync', { sessionID: 'ses_a' });
    send(res, 'session.status', { sessionID: 'ses_b', status: { type: 'busy' } });
    send(res, 'session.idle', { sessionID: 'ses_a' });
    await last;
    expect(seen).toEqual(['b:session.status', 'a:session.idle']);
  });

  it('reconnects when the server closes the stream and tells listeners it reconnected', async () => {
    const server = await startFakeEventServer('pw');
    const stream = new KiloEventStream({ connection: () => endpointOf(server), directory: '/w', reconnectDelayMs: () => 0 });
    streams.push(stream);
    const reconnects: boolean[] = [];
    stream.onConnected((reconnect) => reconnects.push(reconnect));
    const first = server.nextConnection();
    await stream.ready();
    const one = await first;
    const firstEvent = nextEvent(stream, 'ses_1');
    send(one.res, 'session.status', { sessionID: 'ses_1', status: { type: 'busy' } });
    expect((await firstEvent).type).toBe('session.status');
    const second = server.nextConnection();
    one.res.end();
    const two = await second;
    const secondEvent = nextEvent(stream, 'ses_1');
    send(two.res, 'session.idle', { sessionID: 'ses_1' });
    expect((await secondEvent).type).toBe('session.idle');
    expect(reconnects).toEqual([false, true]);
  });

  it('follows a restarted server to its new address and password', async () => {
    const old = await startFakeEventServer('old');
    let current = endpointOf(old);
    const stream = new KiloEventStream({ connection: () => current, directory: '/w', reconnectDelayMs: () => 0 });
    streams.push(stream);
    const first = old.nextConnection();
    await stream.ready();
    await first;
    const restarted = await startFakeEventServer('new');
    current = endpointOf(restarted);
    const reconnected = restarted.nextConnection();
    await old.close();
    const { res } = await reconnected;
    const event = nextEvent(stream, 'ses_9');
    send(res, 'session.idle', { sessionID: 'ses_9' });
    expect((await event).properties).toEqual({ sessionID: 'ses_9' });
  });
});
