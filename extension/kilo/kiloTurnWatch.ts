import path from 'node:path';
import type { BackendEvent } from '../engine/backends/agentBackend';
import { OrchestraError, describeError } from '../engine/util/errors';
import type { Disposable } from '../engine/util/disposable';
import type { KiloEvent } from './kiloEventStream';
import type { KiloEndpoint, KiloMessageInfo } from './kiloHttp';
import type { PermissionRule } from './permissionRules';
import { CommandGate, type PermissionAsk } from './kiloCommandGate';
import { commandRulesFor } from '../engine/shell/commandPolicy';
import type { SessionContext } from './kiloSessionBackend';
import { DEFAULT_STALL_MS, TurnGuard } from './kiloTurnGuard';
import { retryCauseOf } from '../engine/agents/retryStatus';
import { capText } from '../protocol/transcriptPart';
import { PartVersions, kiloPart, partEnded } from './kiloPartCapture';

const DEFAULT_TURN_TIMEOUT_MS = 10 * 60_000;
const DENIED_TOOL_CALL = /prevents you from using this specific tool call/;

/** Watches one prompt of one session until its turn ends, reporting progress on the way. */
export class TurnWatch {
  readonly deniedWrites: string[] = [];
  /** Answers this turn's bash permission asks and keeps the refused commands. */
  private readonly commands: CommandGate;
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
  /** Answers Kilo's network waits and notices a turn gone quiet. */
  private guard: TurnGuard | undefined;
  /** Which part versions of this turn reach the transcript. */
  private readonly versions = new PartVersions();

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
    const { sessionId, directory, http, log, spec, commands } = context;
    const rules = commandRulesFor(spec.role.id, commands);
    this.commands = new CommandGate({ sessionId, directory, rules, http, onEvent, fail: (error) => this.settle(() => this.reject(error)), ...(log ? { log } : {}) });
  }

  /** Shell commands refused in this turn (by us or by Kilo), in order. */
  get deniedCommands(): CommandGate['denied'] {
    return this.commands.denied;
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
    const { agentId } = this.context.spec;
    this.guard = new TurnGuard({ agentId, sessionId, http: this.context.http, stallMs: this.context.stallMs ?? DEFAULT_STALL_MS, onEvent: this.onEvent, fail: (error) => this.stop(error), ...(this.context.log ? { log: this.context.log } : {}) });
    this.disposables.push(this.guard);
    this.guard.start();
    await send();
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }

  /** Kilo's retry message is the provider's error text: it says whether this is a 429, a 5xx or the network. */
  private onRetry(attempt: number, nextAttemptAt: number, message: string): void {
    const { cause } = retryCauseOf(message);
    this.onEvent({ type: 'retry', attempt, nextAttemptAt, message, cause, provider: this.context.spec.profile.providerID });
  }

  private handle(event: KiloEvent): void {
    const p = event.properties;
    this.guard?.activity();
    switch (event.type) {
      case 'session.status': {
        const status = p.status as { type?: string; attempt?: number; message?: string; next?: number; requestID?: string } | undefined;
        if (status?.type === 'busy') this.setStatus('busy');
        else if (status?.type === 'retry') this.onRetry(status.attempt ?? 0, status.next ?? Date.now(), status.message ?? '');
        else if (status?.type === 'idle') this.idle();
        else if (status?.type === 'offline') this.guard?.networkWait(status.requestID, status.message);
        if (status?.type === 'retry' && status.next !== undefined) this.guard?.retryAt(status.next);
        return;
      }
      case 'session.network.asked':
        return this.guard?.networkWait(typeof p.id === 'string' ? p.id : undefined, typeof p.message === 'string' ? p.message : undefined);
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
      case 'message.part.updated': {
        const part = p.part as ToolPart | undefined;
        if (part?.type === 'tool') this.guard?.toolState(part.callID ?? part.id, part.state?.status);
        this.transcribe(p.part);
        return this.onPart(part);
      }
      case 'session.error':
        return this.onError(p.error as KiloError | undefined);
      case 'permission.asked':
        if (p.permission === 'bash') return void this.commands.answer(p as PermissionAsk);
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

  /** Passes a part on to the transcript, capped; only parts of this turn's assistant messages. */
  private transcribe(raw: unknown): void {
    const messageId = (raw as { messageID?: unknown } | undefined)?.messageID;
    if (typeof messageId === 'string' && !this.assistant.has(messageId)) return;
    const part = kiloPart(raw, this.context.directory);
    if (!part) return;
    const wasCapped = this.versions.capped;
    if (this.versions.accept(part, partEnded(raw))) this.onEvent({ type: 'part', part });
    else if (this.versions.capped && !wasCapped) this.onEvent({ type: 'part', part: { id: 'parts-capped', kind: 'error', text: capText('Later parts of this turn are not shown: the turn passed the transcript\'s limit.') } });
  }

  private onPart(part: ToolPart | undefined): void {
    if (part?.type !== 'tool' || part.state === undefined) return;
    this.commands.observe(part);
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

export interface KiloError {
  name?: string;
  data?: { message?: string; statusCode?: number; isRetryable?: boolean };
}


export function endpointKey(endpoint: KiloEndpoint | undefined): string | undefined {
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
