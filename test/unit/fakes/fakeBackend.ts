import type { AgentBackend, AgentReply, AgentSession, BackendEvent, SessionSpec, WorkRequest } from '../../../extension/engine/backends/agentBackend';
import type { ResolvedRole } from '../../../extension/engine/roles/roleSchema';
import { OrchestraError } from '../../../extension/engine/util/errors';

/**
 * A backend whose runs stay open until the test settles them, so tests can hold several agents
 * "working" at once and assert concurrency without timers.
 */
export class FakeBackend implements AgentBackend {
  readonly kind = 'simulated' as const;
  readonly sessions: FakeSession[] = [];
  /** Every run started, in start order. */
  readonly runs: FakeRun[] = [];
  /** Runs started and not yet settled. */
  running = 0;
  /** The most runs open at the same moment. */
  maxRunning = 0;
  startCalls = 0;
  disposed = false;
  /** Set to make the next `startSession` calls fail with this error. */
  failStart: Error | undefined;
  private readonly runWaiters: Array<{ count: number; resolve: (runs: FakeRun[]) => void }> = [];

  constructor(private readonly options: { honourAbort?: boolean } = {}) {}

  async startSession(spec: SessionSpec): Promise<AgentSession> {
    this.startCalls += 1;
    // Give concurrent callers a chance to overlap, as a real session start would.
    await Promise.resolve();
    if (this.failStart) throw this.failStart;
    const session = new FakeSession(this, spec, `session-${this.sessions.length + 1}`);
    this.sessions.push(session);
    return session;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  /** Resolves once at least `count` runs have started (already started ones count). */
  waitForRuns(count: number): Promise<FakeRun[]> {
    if (this.runs.length >= count) return Promise.resolve([...this.runs]);
    return new Promise((resolve) => this.runWaiters.push({ count, resolve }));
  }

  /** The run of `workId`; throws when it never started. */
  run(workId: string): FakeRun {
    const run = this.runs.find((candidate) => candidate.request.workId === workId);
    if (!run) throw new Error(`No run of ${workId} was started (started: ${this.runs.map((r) => r.request.workId).join(', ') || 'none'}).`);
    return run;
  }

  session(agentId: string): FakeSession | undefined {
    return this.sessions.find((session) => session.agentId === agentId);
  }

  /** Called by sessions. */
  started(run: FakeRun): void {
    this.runs.push(run);
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    for (const waiter of [...this.runWaiters]) {
      if (this.runs.length < waiter.count) continue;
      this.runWaiters.splice(this.runWaiters.indexOf(waiter), 1);
      waiter.resolve([...this.runs]);
    }
  }

  get honoursAbort(): boolean {
    return this.options.honourAbort ?? true;
  }
}

export class FakeSession implements AgentSession {
  readonly agentId: string;
  closed = false;

  constructor(
    private readonly backend: FakeBackend,
    readonly spec: SessionSpec,
    readonly sessionId: string,
  ) {
    this.agentId = spec.agentId;
  }

  run(request: WorkRequest, signal: AbortSignal, onEvent: (event: BackendEvent) => void): Promise<AgentReply> {
    const run = new FakeRun(this.agentId, request, signal, onEvent, () => (this.backend.running -= 1));
    if (this.backend.honoursAbort) {
      signal.addEventListener('abort', () => run.reject(new OrchestraError('aborted', `${request.workId} was aborted.`)), { once: true });
    }
    this.backend.started(run);
    return run.promise;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** One piece of work in progress on a fake session; the test decides how it ends. */
export class FakeRun {
  readonly promise: Promise<AgentReply>;
  /** Resolves (never rejects) once the run has ended either way. */
  readonly settled: Promise<void>;
  isSettled = false;
  private resolveReply!: (reply: AgentReply) => void;
  private rejectReply!: (error: unknown) => void;

  constructor(
    readonly agentId: string,
    readonly request: WorkRequest,
    readonly signal: AbortSignal,
    private readonly onEvent: (event: BackendEvent) => void,
    private readonly onSettle: () => void = () => undefined,
  ) {
    this.promise = new Promise<AgentReply>((resolve, reject) => {
      this.resolveReply = resolve;
      this.rejectReply = reject;
    });
    this.settled = this.promise.then(
      () => undefined,
      () => undefined,
    );
  }

  emit(event: BackendEvent): void {
    this.onEvent(event);
  }

  resolve(reply: Partial<AgentReply> = {}): AgentReply {
    const full = aReply(reply);
    if (this.settle()) this.resolveReply(full);
    return full;
  }

  reject(error: unknown): void {
    if (this.settle()) this.rejectReply(error);
  }

  /** True the first time only: a run ends once. */
  private settle(): boolean {
    if (this.isSettled) return false;
    this.isSettled = true;
    this.onSettle();
    return true;
  }
}

export function aReply(overrides: Partial<AgentReply> = {}): AgentReply {
  return { output: { summary: 'done' }, changedFiles: [], usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 }, ...overrides };
}

export function aWorkRequest(overrides: Partial<WorkRequest> = {}): WorkRequest {
  return { workId: 'w1', kind: 'implement', prompt: 'Implement src/a.ts', grants: ['src/a.ts'], inputs: [], detail: {}, ...overrides };
}

/** A role resolved onto a profile, as the pool's `resolveRole` returns it. */
export function aResolvedRole(roleId: string): ResolvedRole {
  return {
    role: {
      id: roleId,
      name: roleId,
      description: `The ${roleId} role.`,
      category: 'implementation',
      required: false,
      builtin: false,
      capabilities: [],
      inputArtifacts: [],
      outputArtifacts: [],
      prompt: `You are the ${roleId}.`,
      active: true,
      instances: 1,
    },
    profile: { id: `${roleId}-profile`, label: roleId, providerID: 'fake', modelID: 'fake-model' },
  };
}
