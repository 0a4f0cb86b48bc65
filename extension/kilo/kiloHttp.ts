/*
 * A thin typed client for the `kilo serve` HTTP API (server 7.7.x). We do not use @kilocode/sdk: the
 * newest published SDK (7.4.20) predates the 7.7.7 server, and its generated types do not cover what
 * we rely on (structured output `format`, session permission rulesets, `info.structured`). Responses
 * are checked with small zod schemas of just the fields we read; everything else passes through.
 */
import { z } from 'zod';
import { OrchestraError, describeError } from '../engine/util/errors';
import type { PermissionRule } from './permissionRules';

/** Where a Kilo server answers and how to authenticate; a `KiloConnection` satisfies it. */
export interface KiloEndpoint {
  baseUrl: string;
  /** The full `Authorization` header value (`Basic …`). */
  authHeader: string;
}

export type FetchFunction = typeof fetch;

const TokensSchema = z.object({ input: z.number().default(0), output: z.number().default(0) }).loose();

export const KiloSessionSchema = z
  .object({ id: z.string(), cost: z.number().default(0), tokens: TokensSchema.default({ input: 0, output: 0 }) })
  .loose();
export type KiloSession = z.infer<typeof KiloSessionSchema>;

export const KiloMessageInfoSchema = z
  .object({
    id: z.string(),
    sessionID: z.string(),
    role: z.string(),
    time: z.object({ created: z.number().default(0) }).loose().default({ created: 0 }),
    structured: z.unknown().optional(),
    error: z.object({ name: z.string(), data: z.record(z.string(), z.unknown()).optional() }).loose().optional(),
    finish: z.string().optional(),
  })
  .loose();
export type KiloMessageInfo = z.infer<typeof KiloMessageInfoSchema>;

export const KiloPartSchema = z.object({ id: z.string().optional(), type: z.string(), text: z.string().optional() }).loose();
export type KiloPart = z.infer<typeof KiloPartSchema>;

export const KiloMessageSchema = z.object({ info: KiloMessageInfoSchema, parts: z.array(KiloPartSchema).default([]) });
export type KiloMessage = z.infer<typeof KiloMessageSchema>;

/** One file of a session diff. The server documents `path`; 7.7.7 sends `file`. */
export const KiloFileDiffSchema = z
  .object({
    file: z.string().optional(),
    path: z.string().optional(),
    patch: z.string().default(''),
    additions: z.number().default(0),
    deletions: z.number().default(0),
    status: z.string().optional(),
  })
  .loose();
export type KiloFileDiff = z.infer<typeof KiloFileDiffSchema>;

export const KiloNetworkWaitSchema = z.object({ id: z.string(), sessionID: z.string(), message: z.string().default('') }).loose();
export type KiloNetworkWait = z.infer<typeof KiloNetworkWaitSchema>;

export interface CreateSessionBody {
  title: string;
  agent?: string;
  model?: { providerID: string; id: string; variant?: string };
  permission: PermissionRule[];
  /** Kept by Kilo as given; ours says which run and agent the session is (kiloSessionTidy.ts). */
  metadata?: Record<string, unknown>;
}

export interface PromptBody {
  parts: Array<{ type: 'text'; text: string }>;
  model: { providerID: string; modelID: string };
  format?: { type: 'json_schema'; schema: Record<string, unknown>; retryCount?: number } | { type: 'text' };
  agent?: string;
  /** Kilo 7.7+: a slow snapshot is waited for instead of asked about (see KiloSessionBackendOptions.waitForSnapshots). */
  snapshotInitialization?: 'wait';
}

export interface KiloHttpOptions {
  /** The current server; undefined while it is down or restarting. */
  connection: () => KiloEndpoint | undefined;
  /** The working directory every request is scoped to (`?directory=`). */
  directory: string;
  fetch?: FetchFunction;
}

/** `GET /provider`: only the fields the role dropdowns need. */
const KiloProvidersSchema = z.object({
  all: z.array(
    z
      .object({
        id: z.string(),
        name: z.string(),
        models: z.record(z.string(), z.object({ id: z.string(), name: z.string() }).loose()),
      })
      .loose(),
  ),
  connected: z.array(z.string()),
  default: z.record(z.string(), z.string()),
});
export type KiloProviders = z.infer<typeof KiloProvidersSchema>;

/** `GET /config`: the merged configuration the server runs with; only the default model is read. */
const KiloConfigSchema = z.object({ model: z.string().optional() }).loose();

/** Calls the Kilo server for one working directory. Failures are `OrchestraError`s with the server's words. */
export class KiloHttp {
  private readonly fetch: FetchFunction;

  constructor(private readonly options: KiloHttpOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  createSession(body: CreateSessionBody): Promise<KiloSession> {
    return this.call('POST', '/session', KiloSessionSchema, body);
  }

  /** Kilo layers this ruleset over the session's; ours start with blanket denies so the newest governs. */
  updateSession(sessionId: string, body: { permission: PermissionRule[] }): Promise<KiloSession> {
    return this.call('PATCH', `/session/${enc(sessionId)}`, KiloSessionSchema, body);
  }

  /** Archives a session (7.7.7 has no archive route: `time.archived` is set through the update). */
  archiveSession(sessionId: string, atMs: number): Promise<KiloSession> {
    return this.call('PATCH', `/session/${enc(sessionId)}`, KiloSessionSchema, { time: { archived: atMs } });
  }

  /** Sessions of this directory whose title contains `search`, as the server has them (read through a schema by the caller). */
  listSessions(search: string): Promise<unknown[]> {
    return this.call('GET', '/session', z.array(z.unknown()).max(10_000), undefined, { search, limit: '1000' });
  }

  async promptAsync(sessionId: string, body: PromptBody): Promise<void> {
    await this.call('POST', `/session/${enc(sessionId)}/prompt_async`, undefined, body);
  }

  abort(sessionId: string): Promise<boolean> {
    return this.call('POST', `/session/${enc(sessionId)}/abort`, z.boolean(), {});
  }

  getSession(sessionId: string): Promise<KiloSession> {
    return this.call('GET', `/session/${enc(sessionId)}`, KiloSessionSchema);
  }

  /** The session, or undefined when the server has none of that id (7.7.7: 404 `NotFoundError`). */
  findSession(sessionId: string): Promise<KiloSession | undefined> {
    return this.call('GET', `/session/${enc(sessionId)}`, KiloSessionSchema, undefined, {}, true);
  }

  getMessage(sessionId: string, messageId: string): Promise<KiloMessage> {
    return this.call('GET', `/session/${enc(sessionId)}/message/${enc(messageId)}`, KiloMessageSchema);
  }

  /** Kilo 7.7.7 answers 400 for a window holding a user message sent with `format`; prefer getMessage. */
  listMessages(sessionId: string, limit: number): Promise<KiloMessage[]> {
    return this.call('GET', `/session/${enc(sessionId)}/message`, z.array(KiloMessageSchema), undefined, { limit: String(limit) });
  }

  /** Cumulative for the whole session, paths relative to the worktree. */
  diff(sessionId: string): Promise<KiloFileDiff[]> {
    return this.call('GET', `/session/${enc(sessionId)}/diff`, z.array(KiloFileDiffSchema));
  }

  /** Sessions that are not idle, by id (`busy`, `retry` …); idle sessions are absent. */
  status(): Promise<Record<string, { type: string }>> {
    return this.call('GET', '/session/status', z.record(z.string(), z.object({ type: z.string() }).loose()));
  }

  /** Every provider Kilo knows, which ones have credentials (`connected`) and the default model of each. */
  providers(): Promise<KiloProviders> {
    return this.call('GET', '/provider', KiloProvidersSchema);
  }

  /** The user's default model as the server merged it from every config file (`model`), if any. */
  async defaultModelRef(): Promise<string | undefined> {
    return (await this.call('GET', '/config', KiloConfigSchema)).model;
  }

  deleteSession(sessionId: string): Promise<boolean> {
    return this.call('DELETE', `/session/${enc(sessionId)}`, z.boolean());
  }

  /**
   * After a reset or timed-out model request Kilo waits for a client to confirm the network is back
   * (`session.network.asked`, status `offline`); a reply makes it try the request again, a reject ends
   * the turn with an error. Its own probe looks up public hosts, which an offline setup never reaches.
   */
  networkWaits(): Promise<KiloNetworkWait[]> {
    return this.call('GET', '/network', z.array(KiloNetworkWaitSchema));
  }

  async answerNetworkWait(requestId: string, answer: 'reply' | 'reject'): Promise<void> {
    await this.call('POST', `/network/${enc(requestId)}/${answer}`, z.boolean(), {});
  }

  async replyPermission(requestId: string, reply: 'once' | 'always' | 'reject', message?: string): Promise<void> {
    await this.call('POST', `/permission/${enc(requestId)}/reply`, z.boolean(), message === undefined ? { reply } : { reply, message });
  }

  private async call<T>(method: string, path: string, schema: z.ZodType<T> | undefined, body?: unknown, query: Record<string, string> = {}, missingIsUndefined = false): Promise<T> {
    const endpoint = this.options.connection();
    if (endpoint === undefined) {
      throw new OrchestraError('backend-unavailable', `The Kilo server is not running (${method} ${path}).`, { retryable: true });
    }
    const url = new URL(endpoint.baseUrl.replace(/\/$/, '') + path);
    url.searchParams.set('directory', this.options.directory);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    let response: Response;
    try {
      response = await this.fetch(url, {
        method,
        headers: { authorization: endpoint.authHeader, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new OrchestraError('backend-unavailable', `Kilo did not answer ${method} ${path}: ${describeError(causeOf(error))}`, { retryable: true, cause: error });
    }
    const text = await response.text();
    if (missingIsUndefined && response.status === 404) return undefined as T;
    if (!response.ok) {
      throw new OrchestraError('backend-failed', `Kilo answered ${method} ${path} with HTTP ${response.status}: ${text.slice(0, 2000)}`, {
        retryable: response.status >= 500 || response.status === 429,
      });
    }
    if (schema === undefined) return undefined as T;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new OrchestraError('backend-failed', `Kilo answered ${method} ${path} with something that is not JSON: ${text.slice(0, 500)}`, { cause: error });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new OrchestraError('backend-failed', `Kilo's answer to ${method} ${path} has an unexpected shape: ${parsed.error.message}`);
    }
    return parsed.data;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/** fetch wraps network failures ("fetch failed"); the cause names the real problem (ECONNREFUSED …). */
function causeOf(error: unknown): unknown {
  return error instanceof Error && error.cause !== undefined ? error.cause : error;
}
