import pLimit, { type LimitFunction } from 'p-limit';
import type { AgentBackend, AgentSession } from '../backends/agentBackend';
import type { Profile, ResolvedRole } from '../roles/roleSchema';
import type { MessageRouter } from '../routing/messageRouter';
import type { Disposable } from '../util/disposable';
import { OrchestraError, describeError, isOrchestraError } from '../util/errors';
import { TypedEmitter } from '../util/typedEvents';
import { agentIdFor, type AgentRecord } from './agentSchema';
import { AgentWorker, copyRecord, type PoolEvents, type WorkerHost, type WorkerRoute } from './agentWorker';
import { ProviderScheduler, priorityOf } from './providerScheduler';

export type { PoolEvents, WorkOutcome } from './agentWorker';

export interface AgentPoolOptions {
  backend: AgentBackend;
  router: MessageRouter;
  /** Absolute path of the workspace every session works in. */
  workspace: string;
  /** The run the agents work for, handed to the backend with each session. */
  runId?: string;
  /** Most agents running work at once, across the whole pool. */
  maxActive: number;
  /** The role's definition and profile; throws when the role has no profile assigned. */
  resolveRole(roleId: string): ResolvedRole;
  /** A profile by id, for agents moved to another profile (the user reassigned their work). */
  resolveProfile?(profileId: string): Profile | undefined;
  /** Model traffic per provider; by default one with no provider caps (only `maxActive` holds). */
  scheduler?: ProviderScheduler;
  /** Epoch ms, for heartbeats; `Date.now` by default. */
  now?: () => number;
}

/**
 * Owns every agent: opens its backend session, gives it a mailbox on the router and starts its
 * worker loop, with one pool-wide cap on agents running at once. Pause, resume, abort and
 * terminate act on all loops; every request still gets exactly one answer. The pool is the only
 * code that talks to backend sessions.
 */
export class AgentPool {
  readonly events: TypedEmitter<PoolEvents>;
  private readonly workers = new Map<string, AgentWorker>();
  private readonly creating = new Map<string, Promise<AgentWorker>>();
  private readonly limit: LimitFunction;
  private readonly host: WorkerHost;
  private readonly delivery: Disposable;
  private active = 0;
  private maxObserved = 0;
  private paused = false;
  private closed = false;
  private gate: Promise<void> = Promise.resolve();
  private openGate: () => void = () => undefined;

  constructor(private readonly options: AgentPoolOptions) {
    if (!Number.isInteger(options.maxActive) || options.maxActive < 1) {
      throw new OrchestraError('invalid-config', `maxActive must be a whole number of at least 1, not ${options.maxActive}.`);
    }
    this.limit = pLimit(options.maxActive);
    this.events = new TypedEmitter<PoolEvents>({
      onListenerError: (error, event) => {
        if (event === 'pool:error') throw error;
        this.events.emit('pool:error', error, { during: `a listener of ${event}` });
      },
    });
    this.host = {
      router: options.router,
      events: this.events,
      now: options.now ?? Date.now,
      isPaused: () => this.paused,
      whenResumed: () => this.gate,
      runLimited: (signal, run) => this.runLimited(signal, run),
      scheduler: options.scheduler ?? new ProviderScheduler({ useDefaults: false }),
    };
    this.delivery = options.router.events.on('message:delivered', (message) => this.workers.get(message.to)?.noteDelivered(message));
  }

  /**
   * Creates the agent once (session, mailbox, worker loop); concurrent calls share one creation.
   * `profileId`, when it is not the role's own, puts the agent on that profile: a new agent opens
   * its session there, an existing one moves there before its next turn (same id, same queue).
   */
  async ensureAgent(role: string, instance: number, profileId?: string): Promise<AgentRecord> {
    const id = agentIdFor(role, instance);
    const existing = this.workers.get(id);
    if (existing?.isTerminated) throw new OrchestraError('recipient-terminated', `${id} was terminated and cannot take work again.`);
    if (existing) {
      if (profileId !== undefined && existing.wantedProfileId !== profileId) this.moveToProfile(existing, role, profileId);
      return copyRecord(existing.record);
    }
    if (this.closed) throw new OrchestraError('recipient-terminated', `The agent pool is shut down; ${id} cannot be created.`);
    let creating = this.creating.get(id);
    if (!creating) {
      creating = this.create(role, instance, id, profileId).finally(() => this.creating.delete(id));
      this.creating.set(id, creating);
    }
    const worker = await creating;
    if (profileId !== undefined && worker.wantedProfileId !== profileId) this.moveToProfile(worker, role, profileId);
    return copyRecord(worker.record);
  }

  /**
   * Opens these agents' sessions now, ahead of their first work, so their first turns are not held
   * up by session starts (and start together). Only on Kilo: its sessions cost a request and Kilo's
   * own setup, while simulated ones cost nothing and stay lazy. A failure is not reported here: the
   * agent's first work asks again, and fails with the reason if it must.
   */
  warm(agents: ReadonlyArray<{ role: string; instance: number }>): void {
    if (this.options.backend.kind !== 'kilo' || this.closed) return;
    for (const { role, instance } of agents) {
      if (this.workers.has(agentIdFor(role, instance))) continue;
      this.ensureAgent(role, instance).catch(() => undefined);
    }
  }

  /** Copies of every agent's record, terminated ones included. */
  list(): AgentRecord[] {
    return [...this.workers.values()].map((worker) => copyRecord(worker.record));
  }

  get(agentId: string): AgentRecord | undefined {
    const worker = this.workers.get(agentId);
    return worker && copyRecord(worker.record);
  }

  /** Agents running work right now. */
  activeCount(): number {
    return this.active;
  }

  /** The most agents that have run work at the same moment so far (for the run report). */
  get maxActiveObserved(): number {
    return this.maxObserved;
  }

  /** Working agents that have shown no sign of life for more than `thresholdMs`. */
  staleAgents(thresholdMs: number): AgentRecord[] {
    const now = this.host.now();
    return [...this.workers.values()]
      .filter((worker) => worker.record.status === 'working' && now - worker.record.lastHeartbeat > thresholdMs)
      .map((worker) => copyRecord(worker.record));
  }

  /**
   * Stops all work: running work is aborted, queued requests are taken off the queues and answered
   * `aborted`, and no loop starts new work until `resumeAll`. Requests sent while paused wait.
   */
  pauseAll(): void {
    if (!this.paused) {
      this.paused = true;
      this.gate = new Promise((resolve) => (this.openGate = resolve));
    }
    for (const worker of this.live()) worker.pause();
  }

  /** Agents go back to idle and their loops take work again. */
  resumeAll(): void {
    this.paused = false;
    this.openGate();
    for (const worker of this.live()) worker.resume();
  }

  /** Pauses one agent while the rest go on (see AgentWorker.pauseAlone); throws for an unknown agent. */
  pauseAgent(agentId: string): void {
    this.worker(agentId).pauseAlone();
  }

  resumeAgent(agentId: string): void {
    this.worker(agentId).resumeAlone();
  }

  /** Aborts the given work items wherever they are (running or queued); returns the ids found. */
  abortWork(workIds: string[]): string[] {
    const ids = new Set(workIds);
    return this.live().flatMap((worker) => worker.abortWork(ids));
  }

  /** Aborts the agent's work, answers its queued requests, closes its mailbox and its session. */
  async terminate(agentId: string): Promise<void> {
    await this.worker(agentId).terminate();
  }

  /** Terminates every agent, including ones still being created; the pool then takes no new agents. */
  async terminateAll(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.creating.values()]);
    await Promise.all([...this.workers.values()].map((worker) => worker.terminate()));
    this.delivery.dispose();
  }

  /** Marks the agent as needing a person (repeated failures, a loop limit); `reason` becomes its last error. */
  setAttention(agentId: string, reason: string): void {
    const worker = this.worker(agentId);
    worker.record.lastError = reason;
    worker.setStatus('needs-attention');
  }

  /** Marks the agent as finished with its part of the run. */
  markDone(agentId: string): void {
    this.worker(agentId).setStatus('done');
  }

  private moveToProfile(worker: AgentWorker, role: string, profileId: string): void {
    worker.switchProfile({
      profileId,
      open: async () => {
        const { role: definition, profile } = this.roleOn(role, profileId);
        const session = await this.openSession(worker.id, definition, profile);
        return { session, route: routeOf(definition.category, profile) };
      },
    });
  }

  /** The role's definition with its own profile, or with `profileId` when that is given. */
  private roleOn(role: string, profileId: string | undefined): ResolvedRole {
    const resolved = this.options.resolveRole(role);
    if (profileId === undefined || profileId === resolved.profile.id) return resolved;
    const profile = this.options.resolveProfile?.(profileId);
    if (!profile) throw new OrchestraError('invalid-config', `No profile "${profileId}" to move ${role} to.`);
    return { ...resolved, profile };
  }

  private async openSession(id: string, definition: ResolvedRole['role'], profile: Profile): Promise<AgentSession> {
    try {
      return await this.options.backend.startSession({ agentId: id, role: definition, profile, workspace: this.options.workspace, ...(this.options.runId ? { runId: this.options.runId } : {}) });
    } catch (error) {
      if (isOrchestraError(error)) throw error;
      throw new OrchestraError('backend-failed', `Could not open a session for ${id}: ${describeError(error)}`, { cause: error, retryable: true });
    }
  }

  private async create(role: string, instance: number, id: string, profileId: string | undefined): Promise<AgentWorker> {
    if (!Number.isInteger(instance) || instance < 1) {
      throw new OrchestraError('invalid-input', `Instance ${instance} of ${role} is not a positive whole number.`);
    }
    const { role: definition, profile } = this.roleOn(role, profileId);
    const session = await this.openSession(id, definition, profile);
    try {
      if (this.closed) throw new OrchestraError('recipient-terminated', `The agent pool shut down while ${id} was starting.`);
      this.options.router.register(id);
    } catch (error) {
      await session.close().catch((closeError: unknown) => this.events.emit('pool:error', closeError, { agentId: id, during: 'closing the session' }));
      throw error;
    }
    const now = this.host.now();
    const record: AgentRecord = {
      id,
      role,
      instance,
      profileId: profile.id,
      status: this.paused ? 'paused' : 'idle',
      sessionId: session.sessionId,
      turns: 0,
      tokens: { input: 0, output: 0 },
      costUsd: 0,
      lastHeartbeat: now,
      createdAt: now,
    };
    const worker = new AgentWorker(record, session, this.host, routeOf(definition.category, profile));
    this.workers.set(id, worker);
    this.events.emit('agent:created', copyRecord(record));
    worker.start();
    return worker;
  }

  private runLimited<T>(signal: AbortSignal, run: () => Promise<T>): Promise<T> {
    return this.limit(async () => {
      if (signal.aborted) throw new OrchestraError('aborted', 'The work was aborted before it started.');
      this.active += 1;
      this.maxObserved = Math.max(this.maxObserved, this.active);
      try {
        return await run();
      } finally {
        this.active -= 1;
      }
    });
  }

  private live(): AgentWorker[] {
    return [...this.workers.values()].filter((worker) => !worker.isTerminated);
  }

  private worker(agentId: string): AgentWorker {
    const worker = this.workers.get(agentId);
    if (!worker) throw new OrchestraError('not-found', `No agent ${agentId} in the pool.`);
    return worker;
  }
}

function routeOf(category: string, profile: Profile): WorkerRoute {
  return { provider: profile.providerID, priority: priorityOf(category) };
}
