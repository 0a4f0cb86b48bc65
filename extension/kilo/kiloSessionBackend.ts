import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AgentBackend, AgentReply, AgentSession, ArtifactInput, BackendEvent, SessionSpec, Usage, WorkRequest } from '../engine/backends/agentBackend';
import { AgentOutputSchema } from '../engine/backends/agentOutput';
import { OrchestraError, describeError } from '../engine/util/errors';
import type { Disposable } from '../engine/util/disposable';
import { KiloEventStream } from './kiloEventStream';
import type { KiloEvent } from './kiloEventStream';
import { STORE_DIR_NAME } from '../engine/util/paths';
import { KiloHttp, changedFilesBetween } from './kiloHttp';
import type { FetchFunction, KiloEndpoint, KiloMessageInfo, KiloPart } from './kiloHttp';
import { permissionRulesFor } from './permissionRules';
import type { PermissionRule } from './permissionRules';

export interface KiloSessionBackendOptions {
  /** The running server; undefined while it is down. Read on every request, so restarts are followed. */
  connection: () => KiloEndpoint | undefined;
  /** Absolute path of the workspace (a git worktree) agents work in. */
  workspace: string;
  /** The Kilo agent configured for a role (default `orchestra-<roleId>`). */
  agentNameForRole?: (roleId: string) => string;
  log?: (message: string) => void;
  fetch?: FetchFunction;
  /** A turn that has not ended after this long is aborted (default 10 minutes). */
  turnTimeoutMs?: number;
  /** How long a run waits for the event stream to open (default 15 s). */
  connectTimeoutMs?: number;
  reconnectDelayMs?: (attempt: number) => number;
}

/**
 * An AgentReply plus the writes Kilo refused because the file was not granted (workspace-relative).
 * The engine sees a plain AgentReply; callers that know this backend may report the refusals.
 */
export interface KiloAgentReply extends AgentReply {
  deniedWrites: string[];
}

const DEFAULT_TURN_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
const QUIET_TIMEOUT_MS = 10_000;
const DENIED_TOOL_CALL = /prevents you from using this specific tool call/;
const CORRECTIVE_PROMPT =
  'Your last answer did not include the result. Call the StructuredOutput tool now with your result, following its schema exactly; do not answer in prose.';

/** The JSON Schema of AgentOutput as Kilo's `format` wants it: input shape (defaults optional), no `$schema`. */
export function agentOutputJsonSchema(): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(AgentOutputSchema, { io: 'input' }) as Record<string, unknown>;
  return schema;
}

/**
 * Runs every agent as a real Kilo session on a `kilo serve` server: one session per agent, one prompt
 * per piece of work, file grants enforced by the session's permission ruleset, the answer taken from
 * Kilo's structured output and the changed files from Kilo's own diff.
 */
export class KiloSessionBackend implements AgentBackend {
  readonly kind = 'kilo' as const;
  private readonly streams = new Map<string, { http: KiloHttp; events: KiloEventStream }>();
  private readonly sessions = new Set<KiloAgentSession>();

  constructor(private readonly options: KiloSessionBackendOptions) {}

  async startSession(spec: SessionSpec): Promise<AgentSession> {
    const directory = path.resolve(spec.workspace || this.options.workspace);
    requireGitRoot(directory);
    const { http, events } = this.channel(directory);
    const agent = (this.options.agentNameForRole ?? ((roleId: string) => `orchestra-${roleId}`))(spec.role.id);
    const model = { providerID: spec.profile.providerID, id: spec.profile.modelID, ...(spec.profile.variant ? { variant: spec.profile.variant } : {}) };
    const created = await http.createSession({ title: spec.agentId, agent, model, permission: permissionRulesFor(spec.role.id, []) });
    this.options.log?.(`Kilo session ${created.id} opened for ${spec.agentId} (agent ${agent}, ${model.providerID}/${model.id}).`);
    const session = new KiloAgentSession({ ...this.options, spec, agent, directory, sessionId: created.id, http, events, onClose: (s) => this.sessions.delete(s) });
    this.sessions.add(session);
    return session;
  }

  async dispose(): Promise<void> {
    // A run still waiting would never hear its end once the streams close: stop it now.
    for (const session of this.sessions) session.interrupt();
    await Promise.all([...this.sessions].map((session) => session.close()));
    await Promise.all([...this.streams.values()].map(({ events }) => events.close()));
    this.streams.clear();
  }

  private channel(directory: string): { http: KiloHttp; events: KiloEventStream } {
    let channel = this.streams.get(directory);
    if (channel === undefined) {
      const { connection, fetch, log, reconnectDelayMs } = this.options;
      channel = {
        http: new KiloHttp({ connection, directory, ...(fetch ? { fetch } : {}) }),
        events: new KiloEventStream({ connection, directory, ...(fetch ? { fetch } : {}), ...(log ? { log } : {}), ...(reconnectDelayMs ? { reconnectDelayMs } : {}) }),
      };
      this.streams.set(directory, channel);
    }
    return channel;
  }
}

interface SessionContext extends KiloSessionBackendOptions {
  spec: SessionSpec;
  /** The Kilo agent the session runs as. */
  agent: string;
  directory: string;
  sessionId: string;
  http: KiloHttp;
  events: KiloEventStream;
  onClose: (session: KiloAgentSession) => void;
}

class KiloAgentSession implements AgentSession {
  readonly agentId: string;
  private closed = false;
  private busy = false;
  private current: TurnWatch | undefined;
  /** Settles once Kilo has wound down a turn we cut short; the next prompt waits for it. */
  private quiet: Promise<void> = Promise.resolve();
  /** When the session was last seen idle: older assistant messages belong to earlier turns. */
  private quietSince = 0;

  constructor(private context: SessionContext) {
    this.agentId = context.spec.agentId;
  }

  get sessionId(): string {
    return this.context.sessionId;
  }

  async run(request: WorkRequest, signal: AbortSignal, onEvent: (event: BackendEvent) => void): Promise<KiloAgentReply> {
    if (this.closed) throw new OrchestraError('backend-failed', `The Kilo session of ${this.agentId} is closed.`);
    if (this.busy) throw new OrchestraError('backend-failed', `The Kilo session of ${this.agentId} is already working.`);
    this.busy = true;
    try {
      return await this.work(request, signal, onEvent);
    } finally {
      this.busy = false;
    }
  }

  /** Ends a running turn (and aborts it in Kilo) because the backend shuts down. */
  interrupt(): void {
    this.current?.stop(new OrchestraError('aborted', `The work of ${this.agentId} was stopped because the Kilo backend shut down.`));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.context.onClose(this);
  }

  private async work(request: WorkRequest, signal: AbortSignal, onEvent: (event: BackendEvent) => void): Promise<KiloAgentReply> {
    if (request.freshConversation) await untilAborted(signal, this.startFreshConversation());
    const { http, events, spec, sessionId } = this.context;
    const permission = permissionRulesFor(spec.role.id, request.grants);
    await untilAborted(signal, withTimeout(events.ready(), this.context.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, 'The Kilo event stream did not open'));
    // A prompt sent while an aborted turn still winds down would take that turn's idle for its own.
    await untilAborted(signal, this.quiet);
    await untilAborted(signal, http.updateSession(sessionId, { permission }));
    const [diffBefore, sessionBefore] = await untilAborted(signal, Promise.all([http.diff(sessionId), http.getSession(sessionId)]));
    const format = { type: 'json_schema' as const, schema: request.responseSchema ?? agentOutputJsonSchema() };
    const model = { providerID: spec.profile.providerID, modelID: spec.profile.modelID };

    const deniedWrites: string[] = [];
    const writtenFiles = new Set<string>();
    const prompt = async (text: string) => {
      const turn = new TurnWatch(this.context, permission, signal, onEvent, this.quietSince);
      this.current = turn;
      try {
        await turn.start(() => http.promptAsync(sessionId, { parts: [{ type: 'text', text }], model, format }));
        return await turn.finished;
      } finally {
        deniedWrites.push(...turn.deniedWrites);
        for (const file of turn.writtenFiles) writtenFiles.add(file);
        turn.dispose();
        this.current = undefined;
        if (turn.endedIdle) this.quietSince = Date.now();
        else this.quiet = this.untilSessionIdle();
      }
    };
    let output = await this.answerOf(await prompt(renderPrompt(request.prompt, request.inputs)));
    if (!output.found) {
      this.context.log?.(`${this.agentId} (${sessionId}) answered without a result; asking once more.`);
      output = await this.answerOf(await prompt(CORRECTIVE_PROMPT));
      if (!output.found) {
        throw new OrchestraError('invalid-output', `${this.agentId} finished without a structured result, even after being asked again.`, { retryable: true });
      }
    }
    const [diffAfter, sessionAfter] = await Promise.all([http.diff(sessionId), http.getSession(sessionId)]);
    const usage: Usage = {
      inputTokens: Math.max(0, sessionAfter.tokens.input - sessionBefore.tokens.input),
      outputTokens: Math.max(0, sessionAfter.tokens.output - sessionBefore.tokens.output),
      costUsd: Math.max(0, sessionAfter.cost - sessionBefore.cost),
    };
    onEvent({ type: 'usage', usage });
    // Kilo's session diff covers the whole working tree, so it also shows what other agents wrote
    // meanwhile: a file counts as this agent's change only when its own tool call wrote it too.
    const changedFiles = changedFilesBetween(diffBefore, diffAfter).filter((file) => writtenFiles.has(file) && !file.startsWith(`${STORE_DIR_NAME}/`));
    return { output: output.value, changedFiles, usage, deniedWrites: [...new Set(deniedWrites)] };
  }

  /** Resolves once Kilo reports this session idle (at most 10 s: then the next turn goes ahead). */
  private async untilSessionIdle(): Promise<void> {
    const { events, http, sessionId } = this.context;
    let settle!: (idle: boolean) => void;
    const outcome = new Promise<boolean>((resolve) => (settle = resolve));
    const subscription = events.subscribe(sessionId, (event) => {
      const status = (event.properties.status as { type?: string } | undefined)?.type;
      if (event.type === 'session.idle' || (event.type === 'session.status' && status === 'idle')) settle(true);
    });
    // Unreferenced: shutting down need not wait for a session no one will prompt again.
    const timer = setTimeout(() => settle(false), QUIET_TIMEOUT_MS).unref();
    try {
      if ((await http.status())[sessionId] === undefined) settle(true);
      if (!(await outcome)) this.context.log?.(`${this.agentId}: Kilo session ${sessionId} was still busy ${QUIET_TIMEOUT_MS / 1000} s after its turn was stopped; the next prompt goes ahead.`);
    } catch (error) {
      this.context.log?.(`${this.agentId}: could not check that Kilo session ${sessionId} went idle (${describeError(error)}); the next prompt goes ahead.`);
    } finally {
      clearTimeout(timer);
      subscription.dispose();
      this.quietSince = Date.now();
    }
  }

  /** A new Kilo session for this agent, so the next turn sees no earlier conversation. */
  private async startFreshConversation(): Promise<void> {
    const { http, spec, agent } = this.context;
    const model = { providerID: spec.profile.providerID, id: spec.profile.modelID, ...(spec.profile.variant ? { variant: spec.profile.variant } : {}) };
    const created = await http.createSession({ title: spec.agentId, agent, model, permission: permissionRulesFor(spec.role.id, []) });
    this.context = { ...this.context, sessionId: created.id };
  }

  /** The turn's result: Kilo's structured output, else a JSON block in the assistant's text. */
  private async answerOf(messages: KiloMessageInfo[]): Promise<JsonFound> {
    const { http, sessionId } = this.context;
    const last = messages.at(-1);
    if (last?.structured !== undefined) return { found: true, value: last.structured };
    failOnMessageError(last, this.agentId);
    // The full message list is unusable in 7.7.7 once `format` was used: read messages one by one.
    const full = messages.length > 0 ? await Promise.all([...messages].reverse().map((info) => http.getMessage(sessionId, info.id))) : await http.listMessages(sessionId, 1);
    for (const message of full) {
      if (message.info.role !== 'assistant') continue;
      if (message.info.structured !== undefined) return { found: true, value: message.info.structured };
      const parsed = parseJsonAnswer(textOf(message.parts));
      if (parsed.found) return parsed;
    }
    return { found: false };
  }
}

/** Watches one prompt of one session until its turn ends, reporting progress on the way. */
class TurnWatch {
  readonly deniedWrites: string[] = [];
  /** Files this session's own write/edit calls completed (workspace-relative). */
  readonly writtenFiles: string[] = [];
  readonly finished: Promise<KiloMessageInfo[]>;
  /** True once the turn ended because Kilo reported the session idle. */
  endedIdle = false;
  private readonly assistant = new Map<string, KiloMessageInfo>();
  private readonly reported = new Set<string>();
  private readonly disposables: Disposable[] = [];
  private resolve!: (messages: KiloMessageInfo[]) => void;
  private reject!: (error: OrchestraError) => void;
  private started = false;
  private sentAt = 0;
  private status: 'busy' | 'idle' = 'idle';
  private settled = false;
  /** The server the prompt went to: a restarted one has a new address and password. */
  private server: string | undefined;

  constructor(
    private readonly context: SessionContext,
    private readonly permission: PermissionRule[],
    private readonly signal: AbortSignal,
    private readonly onEvent: (event: BackendEvent) => void,
    private readonly notBefore = 0,
  ) {
    this.finished = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Callers await `finished` only after `start`; an early rejection must not count as unhandled.
    this.finished.catch(() => undefined);
  }

  async start(send: () => Promise<void>): Promise<void> {
    const { events, sessionId } = this.context;
    this.disposables.push(events.subscribe(sessionId, (event) => this.handle(event)));
    this.disposables.push(events.onConnected((reconnect) => reconnect && void this.reconcile()));
    const onAbort = () => this.stop(new OrchestraError('aborted', `The work of ${this.context.spec.agentId} was cancelled.`));
    if (this.signal.aborted) throw new OrchestraError('aborted', `The work of ${this.context.spec.agentId} was cancelled.`);
    this.signal.addEventListener('abort', onAbort, { once: true });
    this.disposables.push({ dispose: () => this.signal.removeEventListener('abort', onAbort) });
    const timeoutMs = this.context.turnTimeoutMs ?? DEFAULT_TURN_TIMEOUT_MS;
    const timer = setTimeout(() => this.stop(new OrchestraError('backend-failed', `${this.context.spec.agentId} did not finish within ${Math.round(timeoutMs / 1000)} s.`, { retryable: true })), timeoutMs);
    this.disposables.push({ dispose: () => clearTimeout(timer) });
    // One second of slack for clock rounding; older assistant messages belong to earlier turns.
    this.sentAt = Math.max(Date.now() - 1000, this.notBefore);
    this.server = endpointKey(this.context.connection());
    await send();
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }

  private handle(event: KiloEvent): void {
    const p = event.properties;
    switch (event.type) {
      case 'session.status': {
        const status = p.status as { type?: string; attempt?: number; message?: string; next?: number } | undefined;
        if (status?.type === 'busy') this.setStatus('busy');
        else if (status?.type === 'retry') this.onEvent({ type: 'retry', attempt: status.attempt ?? 0, nextAttemptAt: status.next ?? Date.now(), message: status.message ?? '' });
        else if (status?.type === 'idle') this.idle();
        return;
      }
      case 'session.idle':
        return this.idle();
      case 'message.updated': {
        const info = p.info as KiloMessageInfo | undefined;
        if (info?.role !== 'assistant' || (info.time?.created ?? this.sentAt) < this.sentAt) return;
        this.started = true;
        this.assistant.delete(info.id);
        this.assistant.set(info.id, { ...info, time: info.time ?? { created: 0 } });
        return;
      }
      case 'message.part.updated':
        return this.onPart(p.part as ToolPart | undefined);
      case 'session.error':
        return this.onError(p.error as KiloError | undefined);
      case 'permission.asked':
        return void this.refuse(p as { id?: string; permission?: string; patterns?: string[] });
    }
  }

  private setStatus(status: 'busy' | 'idle'): void {
    if (status === 'busy') this.started = true;
    if (this.status === status) return;
    this.status = status;
    this.onEvent({ type: 'status', status });
  }

  private idle(): void {
    // A stale idle from before the prompt took effect must not end the turn.
    if (!this.started) return;
    this.setStatus('idle');
    if (!this.settled) this.endedIdle = true;
    this.settle(() => this.resolve([...this.assistant.values()].sort((a, b) => (a.time?.created ?? 0) - (b.time?.created ?? 0))));
  }

  private onPart(part: ToolPart | undefined): void {
    if (part?.type !== 'tool' || part.state === undefined) return;
    const { status, input = {}, error } = part.state;
    const target = this.describeTarget(part.tool ?? '', input);
    const key = `${part.id ?? part.callID}:${status}`;
    if (this.reported.has(key)) return;
    if (status === 'running') {
      this.reported.add(key);
      this.onEvent({ type: 'progress', message: `${part.tool} ${target}`.trim() });
    } else if (status === 'completed' && isWriteTool(part.tool)) {
      this.reported.add(key);
      this.writtenFiles.push(target);
      this.onEvent({ type: 'file', path: target });
    } else if (status === 'error' && isWriteTool(part.tool) && DENIED_TOOL_CALL.test(error ?? '')) {
      this.reported.add(key);
      this.deniedWrites.push(target);
      this.onEvent({ type: 'progress', message: `denied write: ${target}` });
    }
  }

  private describeTarget(tool: string, input: Record<string, unknown>): string {
    if (typeof input.filePath === 'string') return relativeTo(this.context.directory, input.filePath);
    if (tool === 'bash' && typeof input.command === 'string') return input.command.slice(0, 120);
    if (typeof input.pattern === 'string') return input.pattern;
    return '';
  }

  private onError(error: KiloError | undefined): void {
    if (error?.name === 'StructuredOutputError') return;
    // Before this turn started, an abort can only be the late news of an earlier, stopped turn.
    if (error?.name === 'MessageAbortedError' && !this.started) return;
    this.settle(() => this.reject(kiloFailure(error, this.context.spec.agentId)));
  }

  /** Grants are explicit rules, so an ask means a rule is missing: refuse rather than block the turn. */
  private async refuse(request: { id?: string; permission?: string; patterns?: string[] }): Promise<void> {
    if (request.id === undefined) return;
    const what = `${request.permission ?? 'permission'} ${(request.patterns ?? []).join(', ')}`.trim();
    this.onEvent({ type: 'progress', message: `refused: ${what}` });
    const granted = this.permission.filter((rule) => rule.permission === 'edit' && rule.action === 'allow').map((rule) => rule.pattern);
    const message = `Not granted. This work may change only: ${granted.length > 0 ? granted.join(', ') : 'no files'}.`;
    try {
      await this.context.http.replyPermission(request.id, 'reject', message);
    } catch (error) {
      this.context.log?.(`Could not refuse Kilo permission request ${request.id} (${what}): ${describeError(error)}`);
      this.settle(() => this.reject(error instanceof OrchestraError ? error : new OrchestraError('backend-failed', describeError(error), { retryable: true })));
    }
  }

  /**
   * After a reconnection the idle event may have been missed: ask the server. A restarted server
   * never runs the turn on (nor answers a prompt it did not start), so that turn fails retryably:
   * the work is done again rather than asked for a result it never produced.
   */
  private async reconcile(): Promise<void> {
    const restarted = this.server !== endpointKey(this.context.connection());
    if ((!this.started && !restarted) || this.settled) return;
    try {
      const statuses = await this.context.http.status();
      if (statuses[this.context.sessionId] !== undefined) return;
      if (!restarted) return this.idle();
      const message = `The Kilo server restarted while ${this.context.spec.agentId} was working; the work is tried again.`;
      this.settle(() => this.reject(new OrchestraError('backend-failed', message, { retryable: true })));
    } catch (error) {
      this.context.log?.(`Could not check the status of ${this.context.sessionId} after reconnecting: ${describeError(error)}`);
    }
  }

  /** Rejects the turn with `error` and asks Kilo to abort it. */
  stop(error: OrchestraError): void {
    if (this.settled) return;
    this.settle(() => this.reject(error));
    this.context.http.abort(this.context.sessionId).catch((cause: unknown) => this.context.log?.(`Could not abort Kilo session ${this.context.sessionId}: ${describeError(cause)}`));
  }

  private settle(action: () => void): void {
    if (this.settled) return;
    this.settled = true;
    action();
  }
}

interface ToolPart {
  type: string;
  id?: string;
  callID?: string;
  tool?: string;
  state?: { status: string; input?: Record<string, unknown>; error?: string };
}

interface KiloError {
  name?: string;
  data?: { message?: string; statusCode?: number; isRetryable?: boolean };
}

/**
 * Kilo computes session diffs from git snapshots and matches `edit` patterns against paths relative
 * to the git root: outside a repository the diff is empty, and in a sub-folder our grants would not
 * match. So the workspace must be the root of a git repository (or worktree).
 */
function requireGitRoot(directory: string): void {
  if (fs.existsSync(path.join(directory, '.git'))) return;
  throw new OrchestraError('invalid-config', `The workspace ${directory} is not the root of a git repository; Kilo needs one to report changes and enforce file grants.`, {
    hint: 'Run `git init` and commit once in the workspace, or choose the repository root as the workspace.',
  });
}

function endpointKey(endpoint: KiloEndpoint | undefined): string | undefined {
  return endpoint && `${endpoint.baseUrl} ${endpoint.authHeader}`;
}

function isWriteTool(tool: string | undefined): boolean {
  return tool === 'write' || tool === 'edit';
}

function relativeTo(directory: string, file: string): string {
  return (path.isAbsolute(file) ? path.relative(directory, file) : file).split(path.sep).join('/');
}

/** The OrchestraError for a Kilo error object (`session.error` or a message's `error`). */
export function kiloFailure(error: KiloError | undefined, agentId: string): OrchestraError {
  const message = error?.data?.message ?? error?.name ?? 'unknown error';
  if (error?.name === 'MessageAbortedError') return new OrchestraError('aborted', `The work of ${agentId} was aborted in Kilo.`);
  if (error?.data?.statusCode === 429 || /rate.?limit|too many requests|\b429\b/i.test(message)) {
    return new OrchestraError('rate-limited', `${agentId}'s model is rate-limited: ${message}`, { retryable: true });
  }
  return new OrchestraError('backend-failed', `${agentId}'s Kilo session failed (${error?.name ?? 'error'}): ${message}`, { retryable: error?.data?.isRetryable !== false });
}

function failOnMessageError(info: KiloMessageInfo | undefined, agentId: string): void {
  const error = info?.error;
  if (error === undefined || error.name === 'StructuredOutputError') return;
  throw kiloFailure(error as KiloError, agentId);
}

export type JsonFound = { found: true; value: unknown } | { found: false };

/**
 * The JSON answer in an agent's prose: the last fenced block (```json or plain ```) that parses,
 * else the whole text when it is one JSON object.
 */
export function parseJsonAnswer(text: string): JsonFound {
  const blocks = [...text.matchAll(/```[ \t]*(?:json|JSON)?[ \t]*\r?\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  const trimmed = text.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) blocks.unshift(trimmed);
  for (const block of blocks.reverse()) {
    try {
      return { found: true, value: JSON.parse(block) };
    } catch {
      // Not this block; an earlier one may parse.
    }
  }
  return { found: false };
}

/** The prompt text: the instruction, then each input artifact as its own section. */
export function renderPrompt(prompt: string, inputs: readonly ArtifactInput[]): string {
  const sections = inputs.map((input) => {
    const files = input.files.length > 0 ? `, files ${input.files.join(', ')}` : '';
    return `## Input ${input.id} (${input.type}${files})\n${input.content}`;
  });
  return [prompt, ...sections].join('\n\n');
}

function textOf(parts: readonly KiloPart[]): string {
  return parts
    .filter((part) => part.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text)
    .join('\n');
}

function untilAborted<T>(signal: AbortSignal, promise: Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(new OrchestraError('aborted', 'The work was cancelled.'));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new OrchestraError('aborted', 'The work was cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new OrchestraError('backend-unavailable', `${what} within ${Math.round(ms / 1000)} s.`, { retryable: true })), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
