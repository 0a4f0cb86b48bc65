import { OrchestraError, isOrchestraError } from '../util/errors';
import { toWorkspaceRelative } from '../util/paths';
import { readWorkspaceFileSafely, resolveWorkspaceFile, writeWorkspaceFileSafely } from '../util/workspaceFiles';
import type { WorkKind } from '../workflow/workflowTypes';
import type { PlannedFile } from './agentOutput';
import type { AgentBackend, AgentReply, AgentSession, BackendEvent, SessionSpec, Usage, WorkRequest } from './agentBackend';
import { plannedFiles, runScript, type ScriptSettings, type SimulationMemory } from './simulatedScripts';
import { writePart } from './simulatedParts';

/** A fault the simulated backend injects into the first `times` matching requests. */
export interface InjectedFailure {
  role: string;
  /** Only requests of this kind; every kind when left out. */
  kind?: WorkKind | 'decide';
  times: number;
  /** `server-error`: the model answers 503 once and the backend's own retry gets through (a retry event, then the answer). */
  error: 'rate-limited' | 'backend-failed' | 'invalid-output' | 'server-error';
}

export interface SimulatedBackendOptions {
  /** Files in the Architect's plan (default 6). */
  files?: number;
  /** Paths the Architect plans instead of generated modules (tests of hostile plans). */
  planFiles?: string[];
  /** Paths of the first plan only; revisions list `planFiles` or the generated modules. */
  firstPlanFiles?: string[];
  /** Time every request takes (default 0). */
  latencyMs?: number;
  /** Waits `ms` for `agentId`'s turn or rejects when `signal` fires; injectable for tests (default a real timer). */
  sleep?: (ms: number, signal: AbortSignal, agentId: string) => Promise<void>;
  /** The Code Sceptic rejects the first plan it reviews (default true). */
  rejectFirstPlan?: boolean;
  /** The Code Sceptic rejects the Nth, 2Nth … file of the plan once each (default 5; 0 never). */
  rejectEveryNthFile?: number;
  /** Failing files the Debugger reports on its first run only (default 0). */
  testFailures?: number;
  failures?: InjectedFailure[];
  /** Decide requests the Organiser answers with malformed output before it behaves (default 0). */
  invalidDecisions?: number;
  /** Every request answers 429 with this probability (a seeded, repeatable sequence); before any write. */
  rateLimitStorm?: { probability: number; seed: number };
}

/** USD per million tokens for a simulated profile that names no price of its own. */
const DEFAULT_PRICE = { input: 1, output: 4 };


/**
 * Scripted agents for every role, deterministic from their options: they write real files into
 * the workspace (only granted ones), answer with AgentOutput-shaped objects and bill tokens. What
 * makes them deterministic (first plan rejected, files rejected once) lives here, shared by sessions.
 */
export class SimulatedBackend implements AgentBackend {
  readonly kind = 'simulated' as const;
  private readonly settings: ScriptSettings;
  private readonly latencyMs: number;
  private readonly sleep: (ms: number, signal: AbortSignal, agentId: string) => Promise<void>;
  private readonly failures: Array<InjectedFailure & { used: number }>;
  private readonly memory: SimulationMemory;
  private readonly storm?: { probability: number; random: () => number };
  private readonly sessions = new Set<SimulatedSession>();
  private sessionCount = 0;

  constructor(options: SimulatedBackendOptions = {}) {
    this.settings = {
      files: options.files ?? 6,
      // Made once: every request reads the plan, and a thousand-file plan rebuilt per request was
      // most of what a large simulated run allocated.
      planFiles: options.planFiles ? options.planFiles.map(asPlanned) : plannedFiles(options.files ?? 6),
      ...(options.firstPlanFiles ? { firstPlanFiles: options.firstPlanFiles.map(asPlanned) } : {}),
      rejectFirstPlan: options.rejectFirstPlan ?? true,
      rejectEveryNthFile: options.rejectEveryNthFile ?? 5,
      testFailures: options.testFailures ?? 0,
    };
    this.latencyMs = options.latencyMs ?? 0;
    this.sleep = options.sleep ?? abortableSleep;
    // Copies, so counting down never changes the caller's array.
    this.failures = (options.failures ?? []).map((failure) => ({ ...failure, used: 0 }));
    if (options.rateLimitStorm) this.storm = { probability: options.rateLimitStorm.probability, random: seededRandom(options.rateLimitStorm.seed) };
    this.memory = { planRejected: false, rejectedFiles: new Set(), fixedFiles: new Set(), testRuns: 0, invalidDecisionsLeft: options.invalidDecisions ?? 0 };
  }

  async startSession(spec: SessionSpec): Promise<AgentSession> {
    const session = new SimulatedSession(spec, `sim-${spec.agentId}-${++this.sessionCount}`, {
      turn: (request, signal, onEvent) => this.runTurn(spec, request, signal, onEvent),
      closed: () => this.sessions.delete(session),
    });
    this.sessions.add(session);
    return session;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.sessions].map((session) => session.close()));
  }

  private async runTurn(spec: SessionSpec, request: WorkRequest, signal: AbortSignal, onEvent: (event: BackendEvent) => void): Promise<AgentReply> {
    throwIfAborted(signal, spec.agentId);
    if (this.latencyMs > 0) await this.wait(signal, spec.agentId);
    throwIfAborted(signal, spec.agentId);

    const failure = this.takeFailure(spec.role.id, request.kind);
    // A 429 is thrown, not retried here: waiting it out is the caller's (the provider scheduler's) job.
    if (failure?.error === 'rate-limited' || (this.storm && this.storm.random() < this.storm.probability)) {
      throw new OrchestraError('rate-limited', `${spec.agentId}: ${spec.profile.modelID} answered 429 Too Many Requests (simulated).`, { retryable: true, hint: 'Wait and try again.' });
    }
    if (failure?.error === 'server-error') {
      onEvent({ type: 'retry', attempt: failure.count, nextAttemptAt: Date.now(), message: '503 Service Unavailable', cause: 'server-error', provider: spec.profile.providerID });
    }
    if (failure?.error === 'backend-failed') {
      throw new OrchestraError('backend-failed', `${spec.agentId}: the simulated session failed (injected fault).`);
    }

    const script =
      failure?.error === 'invalid-output'
        ? { output: { nonsense: true }, writes: [] }
        : await runScript(request, this.settings, this.memory, { read: (file) => readWorkspaceFile(spec.workspace, file) });
    const writes = checkWrites(spec, request, script.writes);
    throwIfAborted(signal, spec.agentId);

    // Every path resolved before the first write: one through a link out refuses the whole turn.
    for (const write of writes) await resolveWorkspaceFile(spec.workspace, write.relative);
    const changedFiles: string[] = [];
    for (const write of writes) {
      // Shown in the transcript as a write tool call with its diff, as a Kilo session's writes are.
      const before = (await readWorkspaceFile(spec.workspace, write.relative)) ?? '';
      onEvent({ type: 'part', part: writePart(write.relative, write.content, before, 'running') });
      // Never through a link out of the workspace, like a real agent's confined write tool.
      await writeWorkspaceFileSafely(spec.workspace, write.relative, write.content);
      changedFiles.push(write.relative);
      onEvent({ type: 'file', path: write.relative });
      onEvent({ type: 'part', part: writePart(write.relative, write.content, before, 'completed') });
    }
    script.remember?.();

    const usage = this.bill(spec, request, script.output, writes);
    onEvent({ type: 'usage', usage });
    return { output: script.output, changedFiles, usage };
  }

  private async wait(signal: AbortSignal, agentId: string): Promise<void> {
    try {
      await this.sleep(this.latencyMs, signal, agentId);
    } catch (error) {
      if (signal.aborted) throw new OrchestraError('aborted', `${agentId}: the work was aborted.`, { cause: error });
      if (isOrchestraError(error)) throw error;
      throw new OrchestraError('backend-failed', `${agentId}: the simulated delay failed.`, { cause: error });
    }
  }

  private takeFailure(roleId: string, kind: WorkRequest['kind']): { error: InjectedFailure['error']; count: number } | undefined {
    const failure = this.failures.find((entry) => entry.role === roleId && (entry.kind === undefined || entry.kind === kind) && entry.times > 0);
    if (!failure) return undefined;
    failure.times -= 1;
    failure.used += 1;
    return { error: failure.error, count: failure.used };
  }

  private bill(spec: SessionSpec, request: WorkRequest, output: unknown, writes: CheckedWrite[]): Usage {
    const sent = spec.role.prompt.length + request.prompt.length + request.inputs.reduce((sum, input) => sum + input.content.length, 0);
    const received = JSON.stringify(output).length + writes.reduce((sum, write) => sum + write.content.length, 0);
    const inputTokens = Math.ceil(sent / 4);
    const outputTokens = Math.ceil(received / 4);
    const price = spec.profile.cost ?? DEFAULT_PRICE;
    const costUsd = Math.round(((inputTokens * price.input + outputTokens * price.output) / 1e6) * 1e8) / 1e8;
    return { inputTokens, outputTokens, costUsd };
  }
}

interface SessionHooks {
  turn: (request: WorkRequest, signal: AbortSignal, onEvent: (event: BackendEvent) => void) => Promise<AgentReply>;
  closed: () => void;
}

class SimulatedSession implements AgentSession {
  private closed = false;

  constructor(
    private readonly spec: SessionSpec,
    readonly sessionId: string,
    private readonly hooks: SessionHooks,
  ) {}

  get agentId(): string {
    return this.spec.agentId;
  }

  async run(request: WorkRequest, signal: AbortSignal, onEvent: (event: BackendEvent) => void): Promise<AgentReply> {
    if (this.closed) throw new OrchestraError('backend-failed', `${this.spec.agentId}: the session ${this.sessionId} is closed.`);
    onEvent({ type: 'status', status: 'busy' });
    onEvent({ type: 'progress', message: `${this.spec.role.name} is working on ${request.kind}.` });
    try {
      return await this.hooks.turn(request, signal, onEvent);
    } finally {
      onEvent({ type: 'status', status: 'idle' });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.hooks.closed();
  }
}

interface CheckedWrite {
  relative: string;
  content: string;
}

/** Every write must stay in the workspace and be granted; one bad write refuses the whole turn. */
function checkWrites(spec: SessionSpec, request: WorkRequest, writes: Array<{ path: string; content: string }>): CheckedWrite[] {
  const granted = new Set(request.grants.map((grant) => toWorkspaceRelative(grant)));
  return writes.map((write) => {
    const relative = toWorkspaceRelative(write.path);
    if (!granted.has(relative)) {
      throw new OrchestraError('grant-violation', `${spec.agentId} tried to write ${relative}, which it was not granted; nothing was written.`);
    }
    return { relative, content: write.content };
  });
}

async function readWorkspaceFile(workspace: string, file: string): Promise<string | undefined> {
  try {
    return await readWorkspaceFileSafely(workspace, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (isOrchestraError(error)) throw error;
    throw new OrchestraError('io-failed', `Could not read ${file} from the workspace.`, { cause: error });
  }
}

function asPlanned(file: string): PlannedFile {
  return { path: file, purpose: `the part of the task in ${file}` };
}

function throwIfAborted(signal: AbortSignal, agentId: string): void {
  if (signal.aborted) throw new OrchestraError('aborted', `${agentId}: the work was aborted.`);
}

/** A timer that rejects with `aborted` as soon as the signal fires. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new OrchestraError('aborted', 'The wait was aborted.'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new OrchestraError('aborted', 'The wait was aborted.'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** mulberry32: a small seeded generator, so a storm is the same storm on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
