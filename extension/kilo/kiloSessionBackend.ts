import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AgentBackend, AgentReply, AgentSession, BackendEvent, SessionSpec, Usage, WorkRequest } from '../engine/backends/agentBackend';
import { AgentOutputSchema } from '../engine/backends/agentOutput';
import { renderPrompt } from '../engine/run/promptInputs';
import { OrchestraError, describeError } from '../engine/util/errors';
import { KiloEventStream } from './kiloEventStream';
import { STORE_DIR_NAME } from '../engine/util/paths';
import { KiloHttp } from './kiloHttp';
import { changedBetween, fingerprintFiles } from './fileFingerprints';
import { TurnWatch, kiloFailure, type KiloError } from './kiloTurnWatch';

export { kiloFailure } from './kiloTurnWatch';
export { renderPrompt } from '../engine/run/promptInputs';
import type { FetchFunction, KiloEndpoint, KiloMessageInfo, KiloPart } from './kiloHttp';
import { grantPattern, permissionRulesFor } from './permissionRules';
import { findReattachable, type ReattachSummary, type SavedSession } from './kiloSessionReattach';
import { archiveRunSessions, sessionMetadata, sessionTitle } from './kiloSessionTidy';
import { ItemConversations } from './kiloConversations';
import { commandNote, commandRulesFor, resolveCommandPolicy, testsNotRunReason, type CommandPolicy } from '../engine/shell/commandPolicy';

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
  /**
   * A turn with no event from Kilo this long is reported `stalled`, and after as long again ended
   * retryably (default 90 s; 0 turns it off). Kilo's own announced waits (retry, network) do not count.
   */
  stallMs?: number;
  /** How long a run waits for the event stream to open (default 15 s). */
  connectTimeoutMs?: number;
  reconnectDelayMs?: (attempt: number) => number;
  /** The shell commands agents may run; default: `npm test` for the Debugger when package.json has a test script. */
  commands?: CommandPolicy;
  /**
   * Prompts say `snapshotInitialization: 'wait'` (Kilo 7.7+; 7.0 refuses the field). Else a snapshot
   * slower than 10 s (several turns starting at once on a busy machine, as a resume does) makes Kilo
   * ask the user a question, which no one answers here, and the turn waits two minutes for it.
   */
  waitForSnapshots?: boolean;
}

/**
 * An AgentReply plus the writes Kilo refused because the file was not granted (workspace-relative).
 * The engine sees a plain AgentReply; callers that know this backend may report the refusals.
 */
export interface KiloAgentReply extends AgentReply {
  deniedWrites: string[];
  /** Shell commands refused in this work, whole (at most 1000 characters each). */
  deniedCommands: NonNullable<AgentReply['deniedCommands']>;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** What a session that was never prompted has spent. */
const NOTHING_SPENT = { tokens: { input: 0, output: 0 }, cost: 0 };
const QUIET_TIMEOUT_MS = 10_000;
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
  /** Agent id → a session of an earlier process of the run that the server still has, taken once. */
  private readonly reattachable = new Map<string, { sessionId: string; directory: string }>();
  /** Every Kilo session this backend opened or re-attached, to archive when the run ends. */
  private readonly opened = new Set<string>();

  private readonly commands: CommandPolicy;

  constructor(private readonly options: KiloSessionBackendOptions) {
    this.commands = options.commands ?? resolveCommandPolicy(options.workspace);
  }

  /**
   * For a resume: checks which of the agents' saved sessions the server still has; `startSession`
   * then continues those (the re-sent work goes into the same conversation) instead of opening new
   * ones. Call it before the run starts its agents. Never throws (an unchecked session starts fresh).
   */
  async reattach(saved: readonly SavedSession[]): Promise<ReattachSummary> {
    const directory = path.resolve(this.options.workspace);
    const summary = await findReattachable(this.channel(directory).http, directory, saved);
    for (const [agentId, sessionId] of summary.reattached) this.reattachable.set(agentId, { sessionId, directory });
    for (const { agentId, why } of summary.fresh) this.options.log?.(`${agentId} starts a fresh Kilo session: ${why}.`);
    return summary;
  }

  async startSession(spec: SessionSpec): Promise<AgentSession> {
    const directory = path.resolve(spec.workspace || this.options.workspace);
    requireGitRoot(directory);
    const { http, events } = this.channel(directory);
    const agent = (this.options.agentNameForRole ?? ((roleId: string) => `orchestra-${roleId}`))(spec.role.id);
    const model = modelOf(spec);
    // Taken once: an agent moved to another profile later opens a new session there.
    const earlier = this.reattachable.get(spec.agentId);
    this.reattachable.delete(spec.agentId);
    let sessionId: string;
    if (earlier !== undefined && earlier.directory === directory) {
      sessionId = earlier.sessionId;
      this.options.log?.(`Kilo session ${sessionId} re-attached for ${spec.agentId} (agent ${agent}, ${model.providerID}/${model.id}).`);
    } else {
      sessionId = (await http.createSession(newSessionBody(spec, agent, model))).id;
      this.options.log?.(`Kilo session ${sessionId} opened for ${spec.agentId} (agent ${agent}, ${model.providerID}/${model.id}).`);
    }
    this.opened.add(sessionId);
    const session = new KiloAgentSession({ ...this.options, commands: this.commands, spec, agent, directory, sessionId, reattached: earlier !== undefined && earlier.directory === directory, http, events, opened: this.opened, onClose: (s) => this.sessions.delete(s) });
    this.sessions.add(session);
    return session;
  }

  /** The run is over: its sessions are archived in Kilo, so the user's session list keeps only their own. */
  async endRun(runId: string): Promise<void> {
    const count = await archiveRunSessions(this.channel(path.resolve(this.options.workspace)).http, runId, this.opened, this.options.log);
    this.options.log?.(`Archived ${count} Kilo session${count === 1 ? '' : 's'} of run ${runId}.`);
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

export interface SessionContext extends KiloSessionBackendOptions {
  spec: SessionSpec;
  /** The Kilo agent the session runs as. */
  agent: string;
  directory: string;
  /** The session the agent starts in. */
  sessionId: string;
  /** It was saved by an earlier process of the run: the first work continues its conversation. */
  reattached: boolean;
  http: KiloHttp;
  events: KiloEventStream;
  onClose: (session: KiloAgentSession) => void;
  commands: CommandPolicy;
  /** The backend's record of the sessions it opened (each fresh conversation adds one). */
  opened: Set<string>;
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
  /** Whether the last turn ended with Kilo idle (else it may still wind down in its session). */
  private woundDown = true;
  private readonly conversations: ItemConversations;

  constructor(private readonly context: SessionContext) {
    this.agentId = context.spec.agentId;
    const { http, spec, agent, opened, log } = context;
    const body = () => newSessionBody(spec, agent, modelOf(spec));
    this.conversations = new ItemConversations(context.sessionId, { http, body, opened, agentId: spec.agentId, ...(log ? { log } : {}) }, context.reattached);
  }

  /** The session the agent's current (or next) work runs in. */
  get sessionId(): string {
    return this.conversations.sessionId;
  }

  async run(request: WorkRequest, signal: AbortSignal, onEvent: (event: BackendEvent) => void): Promise<KiloAgentReply> {
    if (this.closed) throw new OrchestraError('backend-failed', `The Kilo session of ${this.agentId} is closed.`);
    if (this.busy) throw new OrchestraError('backend-failed', `The Kilo session of ${this.agentId} is already working.`);
    this.busy = true;
    const fresh = request.freshConversation === true;
    try {
      const before = this.sessionId;
      // Not cut short by an abort: opening the next session takes one quick request.
      await this.conversations.begin(fresh);
      if (this.sessionId !== before) this.enteredNewSession();
      return await this.work(request, signal, onEvent);
    } finally {
      // Before the reply goes out, so the run saves the session the agent's next work runs in.
      const before = this.sessionId;
      await this.conversations.finish(fresh, this.woundDown);
      if (this.sessionId !== before) this.enteredNewSession();
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

  /** A new conversation has nothing winding down and no earlier turns to tell apart. */
  private enteredNewSession(): void {
    this.quiet = Promise.resolve();
    this.quietSince = 0;
    this.woundDown = true;
  }

  private async work(request: WorkRequest, signal: AbortSignal, onEvent: (event: BackendEvent) => void): Promise<KiloAgentReply> {
    const { http, events, spec } = this.context;
    const sessionId = this.sessionId;
    const commandRules = commandRulesFor(spec.role.id, this.context.commands);
    const permission = permissionRulesFor(spec.role.id, request.grants, commandRules);
    await untilAborted(signal, withTimeout(events.ready(), this.context.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, 'The Kilo event stream did not open'));
    // A prompt sent while an aborted turn still winds down would take that turn's idle for its own.
    await untilAborted(signal, this.quiet);
    // A session that holds no work yet has spent nothing: no need to ask Kilo, which answers one
    // request at a time. Else the calls go at once, before the model hears of the work. The granted
    // files are read as they are now: what the work changed is found by reading them again after it.
    const untouched = this.conversations.isUntouched();
    const [, sessionBefore, filesBefore] = await untilAborted(
      signal,
      Promise.all([http.updateSession(sessionId, { permission }), untouched ? NOTHING_SPENT : http.getSession(sessionId), fingerprintFiles(this.context.directory, request.grants.map(grantPattern))]),
    );
    const format = { type: 'json_schema' as const, schema: request.responseSchema ?? agentOutputJsonSchema() };
    const model = { providerID: spec.profile.providerID, modelID: spec.profile.modelID };

    const deniedWrites: string[] = [];
    const deniedCommands: KiloAgentReply['deniedCommands'] = [];
    const writtenFiles = new Set<string>();
    const prompt = async (text: string) => {
      const turn = new TurnWatch({ ...this.context, sessionId }, permission, signal, onEvent, this.quietSince);
      this.current = turn;
      // Kilo records the turn's assistant message as it prepares the model call: from then on the
      // agent's housekeeping calls no longer queue in front of this prompt (ItemConversations.underWay).
      const underWay = events.subscribe(sessionId, (event) => {
        if (event.type === 'message.updated' && (event.properties.info as { role?: unknown } | undefined)?.role === 'assistant') this.conversations.underWay();
      });
      try {
        const snapshots = this.context.waitForSnapshots ? { snapshotInitialization: 'wait' as const } : {};
        await turn.start(() => http.promptAsync(sessionId, { parts: [{ type: 'text', text }], model, format, ...snapshots }));
        return await turn.finished;
      } finally {
        underWay.dispose();
        deniedWrites.push(...turn.deniedWrites);
        deniedCommands.push(...turn.deniedCommands);
        for (const file of turn.writtenFiles) writtenFiles.add(file);
        turn.dispose();
        this.current = undefined;
        this.woundDown = turn.endedIdle;
        if (turn.endedIdle) this.quietSince = Date.now();
        else this.quiet = this.untilSessionIdle(sessionId);
      }
    };
    let output = await this.answerOf(await prompt(renderPrompt(withNote(request.prompt, commandNote(spec.role.id, commandRules)), request.inputs)));
    if (!output.found) {
      this.context.log?.(`${this.agentId} (${sessionId}) answered without a result; asking once more.`);
      output = await this.answerOf(await prompt(CORRECTIVE_PROMPT));
      if (!output.found) {
        throw new OrchestraError('invalid-output', `${this.agentId} finished without a structured result, even after being asked again.`, { retryable: true });
      }
    }
    const [filesAfter, sessionAfter] = await Promise.all([fingerprintFiles(this.context.directory, writtenFiles), http.getSession(sessionId)]);
    const usage: Usage = {
      inputTokens: Math.max(0, sessionAfter.tokens.input - sessionBefore.tokens.input),
      outputTokens: Math.max(0, sessionAfter.tokens.output - sessionBefore.tokens.output),
      costUsd: Math.max(0, sessionAfter.cost - sessionBefore.cost),
    };
    onEvent({ type: 'usage', usage });
    // Only files the agent's own tool calls wrote count (other agents write beside it), and only
    // when their content differs from before the work: a write of the same bytes changed nothing.
    const changedFiles = changedBetween(filesBefore, filesAfter, writtenFiles).filter((file) => !file.startsWith(`${STORE_DIR_NAME}/`));
    const testsNotRun = request.kind === 'test' ? testsNotRunReason(spec.role.id, this.context.commands) : undefined;
    return { output: output.value, changedFiles, usage, deniedWrites: [...new Set(deniedWrites)], deniedCommands: [...new Set(deniedCommands)], ...(testsNotRun ? { testsNotRun } : {}) };
  }

  /** Resolves once Kilo reports this session idle (at most 10 s: then the next turn goes ahead). */
  private async untilSessionIdle(sessionId: string): Promise<void> {
    const { events, http } = this.context;
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
      // The agent may have moved on to a new conversation meanwhile; its clock is not this one's.
      if (this.sessionId === sessionId) this.quietSince = Date.now();
    }
  }

  /** The turn's result: Kilo's structured output, else a JSON block in the assistant's text. */
  private async answerOf(messages: KiloMessageInfo[]): Promise<JsonFound> {
    const { http } = this.context;
    const sessionId = this.sessionId;
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

/** The profile's model as `POST /session` takes it. */
function modelOf(spec: SessionSpec): { providerID: string; id: string; variant?: string } {
  return { providerID: spec.profile.providerID, id: spec.profile.modelID, ...(spec.profile.variant ? { variant: spec.profile.variant } : {}) };
}

/** A new session titled with the run and the agent's role, marked with their ids, with no grants yet. */
function newSessionBody(spec: SessionSpec, agent: string, model: { providerID: string; id: string; variant?: string }) {
  return { title: sessionTitle(spec.runId, spec.role, spec.agentId), metadata: sessionMetadata(spec.runId, spec.agentId), agent, model, permission: permissionRulesFor(spec.role.id, []) };
}

/**
 * Kilo matches `edit` patterns against paths relative to the git root: in a sub-folder our grants
 * would not match. So the workspace must be the root of a git repository (or worktree).
 */
function requireGitRoot(directory: string): void {
  if (fs.existsSync(path.join(directory, '.git'))) return;
  throw new OrchestraError('invalid-config', `The workspace ${directory} is not the root of a git repository; Kilo needs one to report changes and enforce file grants.`, {
    hint: 'Run `git init` and commit once in the workspace, or choose the repository root as the workspace.',
  });
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

function textOf(parts: readonly KiloPart[]): string {
  return parts
    .filter((part) => part.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text)
    .join('\n');
}

/** The work prompt with what the agent may run on the shell (or that it can run no tests). */
function withNote(prompt: string, note: string | undefined): string {
  return note === undefined ? prompt : `${prompt}\n\n${note}`;
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
