import { MeetUp, type MeetUpOptions } from './meetUp';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { appendFile } from 'node:fs/promises';
import { OrchestraError, describeError, isOrchestraError } from '../engine/util/errors';
import { parseChatRequest } from './chatSchema';
import type { ChatRequest } from './chatSchema';
import { completionBody, streamChunks, toChatAnswer } from './chatAnswer';
import type { ScriptedTurn } from './chatAnswer';
import { FaultBook, defaultFaultMessage, errorBody, faultLabel, needsAnswer, oversize } from './faults';
import type { Fault, FaultPlan } from './faults';
import { HttpExchange } from './httpExchange';
import { RequestLog } from './requestLog';
import type { RequestLogEntry } from './requestLog';
import { countTokens } from '../engine/tokens/tokenCounter';
import { promptChars, promptText, toScriptRequest } from './scriptRequest';
import { detectWork } from '../engine/roles/roleMarker';
import type { ScriptRequest } from './scriptRequest';

export type { ScriptedTurn, Usage } from './chatAnswer';
export type { Fault, FaultPlan } from './faults';
export type { RequestLogEntry } from './requestLog';
export type { ScriptRequest, ToolResult } from './scriptRequest';
export { detectRole, roleMarker } from '../engine/roles/roleMarker';

/** Decides the model's answer to one request, deterministically. */
export type Script = (request: ScriptRequest) => ScriptedTurn | Promise<ScriptedTurn>;

export interface ScriptedModelOptions {
  script: Script;
  /** Only loopback: the server must never be reachable from elsewhere. */
  host?: '127.0.0.1';
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Wait before answering anything, faults included (hangs excepted). */
  latencyMs?: number;
  /** Wait between streamed chunks. */
  chunkDelayMs?: number;
  faults?: FaultPlan;
  /** Each finished request is appended here as one JSON line. */
  logFile?: string;
  /** Ids listed by `GET /v1/models`. */
  models?: string[];
  /** Hold one role's first requests until that many are open at once (see meetUp.ts). */
  meetUp?: MeetUpOptions;
  /** Log each request's o200k token count too (benchmarks; it costs a tokenisation per request). */
  countPromptTokens?: boolean;
}

/** A running scripted model server. */
export interface ScriptedModel {
  /** Base URL ending in `/v1`, for an OpenAI-compatible provider's baseURL. */
  url: string;
  port: number;
  /** Every request, in order of arrival, updated in place until it ends. */
  requests: RequestLogEntry[];
  /** Resolves with the log once `count` requests have arrived; rejects if the server closes first. */
  whenRequests(count: number): Promise<RequestLogEntry[]>;
  /** Resolves once no request is open (at once when none is). */
  whenIdle(): Promise<void>;
  /** Ends open (and hanging) requests, stops listening and flushes the log file. */
  close(): Promise<void>;
}

/**
 * Starts an OpenAI-compatible chat completions server on 127.0.0.1 that answers from `script`:
 * `POST /v1/chat/completions` (JSON or SSE), `GET /v1/models`, 404 for anything else.
 */
export async function startScriptedModel(options: ScriptedModelOptions): Promise<ScriptedModel> {
  const host = options.host ?? '127.0.0.1';
  if (options.logFile !== undefined) await touch(options.logFile);
  const log = new RequestLog(options.logFile);
  const context: ServerContext = {
    options,
    log,
    faults: new FaultBook(options.faults ?? []),
    exchanges: new Set(),
    idleWaiters: [],
    sequence: 0,
    startedAt: Math.floor(Date.now() / 1000),
    ...(options.meetUp ? { meetUp: new MeetUp(options.meetUp) } : {}),
  };
  const server = createServer((req, res) => serve(req, res, context));
  const port = await listen(server, host, options.port ?? 0);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/v1`,
    port,
    requests: log.entries,
    whenRequests: (count) => log.whenCount(count),
    whenIdle: () => (context.exchanges.size === 0 ? Promise.resolve() : new Promise((resolve) => context.idleWaiters.push(resolve))),
    close: () => (closing ??= shutDown(server, context)),
  };
}

interface ServerContext {
  options: ScriptedModelOptions;
  log: RequestLog;
  faults: FaultBook;
  exchanges: Set<HttpExchange>;
  idleWaiters: Array<() => void>;
  sequence: number;
  startedAt: number;
  meetUp?: MeetUp;
}

async function touch(file: string): Promise<void> {
  try {
    await appendFile(file, '', 'utf8');
  } catch (error) {
    throw new OrchestraError('io-failed', `Cannot write the request log ${file}: ${describeError(error)}`, { cause: error });
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new OrchestraError('io-failed', `The scripted model cannot listen on ${host}:${port}: ${error.message}`, { cause: error })));
    server.listen(port, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new OrchestraError('io-failed', 'The scripted model has no TCP address.'));
      else resolve(address.port);
    });
  });
}

async function shutDown(server: Server, context: ServerContext): Promise<void> {
  const open = [...context.exchanges];
  for (const exchange of open) exchange.destroy();
  await new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
  // Their log entries are finished by 'close' listeners, which may run after the server's own event.
  await Promise.all(open.map((exchange) => exchange.closed));
  await context.log.close();
}

function serve(req: IncomingMessage, res: ServerResponse, context: ServerContext): void {
  const path = new URL(req.url ?? '/', 'http://scripted.invalid').pathname;
  const entry: RequestLogEntry = {
    at: Date.now(),
    endedAt: undefined,
    method: req.method ?? 'GET',
    path,
    model: '',
    messages: 0,
    promptChars: 0,
    tools: [],
    stream: false,
    lastUser: '',
    status: 0,
    ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
  };
  const exchange = new HttpExchange(req, res, entry);
  context.exchanges.add(exchange);
  let logged = false;
  const record = () => {
    if (logged) return;
    logged = true;
    context.log.start(entry);
  };
  res.on('close', () => {
    context.exchanges.delete(exchange);
    record();
    context.log.finish(entry);
    if (context.exchanges.size === 0) for (const resolve of context.idleWaiters.splice(0)) resolve();
  });
  route(exchange, context, record).catch((error: unknown) => {
    entry.error = describeError(error);
    record();
    if (res.headersSent) exchange.destroy();
    else exchange.sendJson(500, errorBody(500, `The scripted model failed: ${entry.error}`));
  });
}

async function route(exchange: HttpExchange, context: ServerContext, record: () => void): Promise<void> {
  const { entry } = exchange;
  if (entry.method === 'GET' && entry.path === '/v1/models') {
    record();
    const data = (context.options.models ?? []).map((id) => ({ id, object: 'model', created: context.startedAt, owned_by: 'kilo-orchestra' }));
    exchange.sendJson(200, { object: 'list', data });
    return;
  }
  if (entry.method !== 'POST' || entry.path !== '/v1/chat/completions') {
    record();
    exchange.sendJson(404, errorBody(404, `No route for ${entry.method} ${entry.path}; the scripted model serves POST /v1/chat/completions and GET /v1/models.`));
    return;
  }
  await completeChat(exchange, context, record);
}

async function completeChat(exchange: HttpExchange, context: ServerContext, record: () => void): Promise<void> {
  const { entry } = exchange;
  const parsed = await readJson(exchange);
  if (!parsed.ok) {
    entry.error = parsed.message;
    record();
    exchange.sendJson(parsed.status, errorBody(parsed.status, parsed.message, parsed.param));
    return;
  }
  const request = toScriptRequest(parsed.request);
  Object.assign(entry, {
    model: request.model,
    messages: request.messages.length,
    promptChars: promptChars(request.messages),
    ...(context.options.countPromptTokens ? { promptTokens: countTokens(promptText(request.messages)) } : {}),
    tools: request.toolNames,
    stream: request.stream,
    lastUser: request.lastUser.slice(0, 200),
    userMessages: request.messages.filter((message) => message.role === 'user').length,
    ...(request.role === undefined ? {} : { role: request.role }),
  });
  const work = detectWork(request.lastUser);
  if (work !== undefined) entry.work = work;
  const sequence = ++context.sequence;
  const fault = context.faults.take(request);
  if (fault !== undefined) entry.fault = faultLabel(fault);
  record();
  if (fault?.type === 'hang') {
    await exchange.untilAborted();
    return;
  }
  await context.meetUp?.arrive(request.role, exchange.signal);
  if (!(await exchange.pause(context.options.latencyMs ?? 0))) return;
  if (fault !== undefined && !needsAnswer(fault)) {
    await injectFault(exchange, fault, request, sequence);
    return;
  }
  // Only faults that distort the real answer consult the script.
  const scripted = await context.options.script(request);
  if (exchange.signal.aborted) return;
  const turn = fault?.type === 'oversized' ? oversize(scripted, fault) : scripted;
  const answer = toChatAnswer(turn, request, sequence, Math.floor(Date.now() / 1000));
  const resetAfter = fault?.type === 'reset' ? Math.max(1, fault.afterChunks ?? 3) : Number.POSITIVE_INFINITY;
  if (!request.stream) {
    const body = completionBody(answer);
    if (resetAfter === Number.POSITIVE_INFINITY) {
      exchange.sendJson(200, body);
      return;
    }
    const text = JSON.stringify(body);
    exchange.writeHead(200, { 'Content-Type': 'application/json' });
    await exchange.write(text.slice(0, Math.floor(text.length / 2)));
    exchange.destroy();
    return;
  }
  exchange.startStream();
  const chunks = streamChunks(answer, request.request.stream_options?.include_usage === true);
  for (const [index, chunk] of chunks.entries()) {
    if (index >= resetAfter) {
      exchange.destroy();
      return;
    }
    if (index > 0 && !(await exchange.pause(context.options.chunkDelayMs ?? 0))) return;
    await exchange.write(`data: ${JSON.stringify(chunk)}\n\n`);
  }
  exchange.end('data: [DONE]\n\n');
}

type Decoded = { ok: true; request: ChatRequest } | { ok: false; status: 400 | 413; message: string; param: string | null };

/** The validated request, or why it gets a 400 (not JSON, wrong shape) or a 413 (too large). */
async function readJson(exchange: HttpExchange): Promise<Decoded> {
  let text: string;
  try {
    text = await exchange.readBody();
  } catch (error) {
    if (!isOrchestraError(error, 'invalid-input')) throw error;
    return { ok: false, status: 413, message: error.message, param: null };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { ok: false, status: 400, message: `The request body is not JSON: ${describeError(error)}`, param: null };
  }
  const parsed = parseChatRequest(body);
  return parsed.ok ? parsed : { ...parsed, status: 400 };
}

async function injectFault(exchange: HttpExchange, fault: Exclude<Fault, { type: 'reset' | 'oversized' }>, request: ScriptRequest, sequence: number): Promise<void> {
  switch (fault.type) {
    case 'status': {
      const headers: Record<string, string> = fault.status === 429 ? { 'Retry-After': String(fault.retryAfterSeconds ?? 1) } : {};
      exchange.sendJson(fault.status, errorBody(fault.status, fault.message ?? defaultFaultMessage(fault.status)), headers);
      return;
    }
    case 'malformed':
      if (request.stream) {
        exchange.startStream();
        exchange.end('data: {not json\n\n');
      } else {
        exchange.writeHead(200, { 'Content-Type': 'application/json' });
        exchange.end('{not json');
      }
      return;
    case 'drop': {
      const start = { id: `chatcmpl-scripted-${sequence}`, object: request.stream ? 'chat.completion.chunk' : 'chat.completion', model: request.model };
      if (request.stream) {
        exchange.startStream();
        await exchange.write(`data: ${JSON.stringify({ ...start, created: Math.floor(Date.now() / 1000), choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })}\n\n`);
      } else {
        exchange.writeHead(200, { 'Content-Type': 'application/json' });
        await exchange.write(JSON.stringify(start).slice(0, -1));
      }
      exchange.destroy();
      return;
    }
    case 'hang':
      await exchange.untilAborted();
      return;
  }
}
