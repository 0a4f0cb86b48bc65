import type { AgentReply, AgentSession, BackendEvent, Usage, WorkRequest } from '../backends/agentBackend';
import { AgentReplySchema } from '../backends/workMessages';
import type { ReplyMetadata, RouterMessage, StatusMetadata } from '../routing/messageSchema';
import { oneLine } from '../util/zodLines';
import { OrchestraError, describeError, isOrchestraError } from '../util/errors';
import type { AgentRecord, AgentStatus } from './agentSchema';
import type { SlotWait } from './providerScheduler';
import { retryCauseOf, waitingStep } from './retryStatus';
import { MAX_RATE_LIMIT_WAITS, addUsage, copyRecord, remainder, workIdOf, type ProfileSwitch, type WorkOutcome, type WorkerHost, type WorkerRoute } from './workerTypes';

export { MAX_RATE_LIMIT_WAITS, copyRecord, workIdOf, type PoolEvents, type ProfileSwitch, type WorkOutcome, type WorkerHost, type WorkerRoute } from './workerTypes';

/** Statuses a finished run does not overwrite with `idle`. */
const STICKY: ReadonlySet<AgentStatus> = new Set(['paused', 'needs-attention', 'done', 'terminated']);
const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

interface Job {
  workId: string;
  message: RouterMessage;
  controller: AbortController;
  /** Usage already counted from the run's events. */
  counted: Usage;
  live: boolean;
  /** The step in words, to show again once a retry wait is over. */
  step?: string;
  /** Set while the backend waits to try the model again. */
  retrying?: boolean;
  /** This try's 429 was already told to the scheduler (by the backend's retry event). */
  rateLimitNoted?: boolean;
}

/**
 * One agent's worker loop: takes `request` messages from its mailbox in FIFO order, runs each on
 * the agent's session and answers the requester exactly once, with the reply, the failure, or
 * `aborted`. No exception leaves the loop; it ends when the agent is terminated.
 */
export class AgentWorker {
  private terminated = false;
  private stop: () => void = () => undefined;
  private readonly stopped = new Promise<void>((resolve) => (this.stop = resolve));
  /** Interrupts the wait for the next message. */
  private wait?: AbortController;
  /** A message handed to the loop that it has not picked up yet (abortable until then). */
  private inHand?: { message: RouterMessage; aborted: boolean };
  private job?: Job;
  private switchTo?: ProfileSwitch;
  /** Paused on its own (the rest of the team goes on); opened by resumeAlone. */
  private own?: { gate: Promise<void>; open: () => void };

  constructor(
    readonly record: AgentRecord,
    private current: AgentSession,
    private readonly host: WorkerHost,
    private route: WorkerRoute,
  ) {}

  get session(): AgentSession {
    return this.current;
  }

  /** The profile the agent's next turn runs on: the one asked for, or its own. */
  get wantedProfileId(): string {
    return this.switchTo?.profileId ?? this.record.profileId;
  }

  /** Moves the agent to another profile before its next turn; the turn running now finishes where it is. */
  switchProfile(change: ProfileSwitch): void {
    this.switchTo = change.profileId === this.record.profileId ? undefined : change;
  }

  get id(): string {
    return this.record.id;
  }

  get isTerminated(): boolean {
    return this.terminated;
  }

  start(): void {
    this.loop().catch((error: unknown) => this.host.events.emit('pool:error', error, { agentId: this.id, during: 'the worker loop' }));
  }

  /** Told by the pool when `next` hands this agent a message, before the loop resumes. */
  noteDelivered(message: RouterMessage): void {
    if (this.wait) this.inHand = { message, aborted: false };
  }

  /** Aborts the running work and answers every queued request `aborted`. */
  pause(): void {
    this.wait?.abort();
    this.job?.controller.abort();
    this.answerAborted(this.host.router.drain(this.id));
    this.setStatus('paused');
  }

  resume(): void {
    // An agent paused on its own stays paused when the whole run resumes.
    if (this.record.status === 'paused' && !this.own) this.setStatus('idle');
  }

  /**
   * Pauses this agent alone: its running work is aborted and, like everything queued for it, answered
   * `aborted`, so the run sends it again and it waits in this agent's queue; the rest of the team goes on.
   */
  pauseAlone(): void {
    if (this.own) return;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    this.own = { gate, open };
    this.pause();
  }

  /** Ends a pause of this agent alone; its queue is taken up again (unless the whole run is paused). */
  resumeAlone(): void {
    const own = this.own;
    if (!own) return;
    this.own = undefined;
    own.open();
    if (!this.host.isPaused()) this.resume();
  }

  get pausedAlone(): boolean {
    return this.own !== undefined;
  }

  /** Aborts the given work items, running or queued; returns the ids it held. */
  abortWork(ids: ReadonlySet<string>): string[] {
    const found: string[] = [];
    if (this.job && ids.has(this.job.workId)) {
      this.job.controller.abort();
      found.push(this.job.workId);
    }
    if (this.inHand && ids.has(workIdOf(this.inHand.message))) {
      this.inHand.aborted = true;
      found.push(workIdOf(this.inHand.message));
    }
    const queued = this.host.router.remove(this.id, (message) => ids.has(workIdOf(message)));
    this.answerAborted(queued);
    return [...found, ...queued.map(workIdOf)];
  }

  /** Aborts everything, closes the mailbox and the session. Closing errors are reported, not thrown. */
  async terminate(): Promise<void> {
    if (this.terminated) return;
    this.terminated = true;
    this.stop();
    this.wait?.abort();
    this.job?.controller.abort();
    this.answerAborted(this.host.router.drain(this.id));
    this.host.router.terminate(this.id, `${this.id} was terminated`);
    // An agent whose work is finished stays "done" for the person looking; its session still closes.
    if (this.record.status !== 'done') this.setStatus('terminated');
    try {
      await this.current.close();
    } catch (error) {
      // Reported rather than thrown, so shutting down always reaches every agent.
      this.record.lastError = `Closing the session failed: ${describeError(error)}`;
      this.host.events.emit('pool:error', error, { agentId: this.id, during: 'closing the session' });
    }
  }

  setStatus(status: AgentStatus): void {
    const record = this.record;
    if (record.status === status || (record.status === 'terminated' && status !== 'terminated')) return;
    record.status = status;
    this.host.events.emit('agent:statusChanged', copyRecord(record));
  }

  private async loop(): Promise<void> {
    while (!this.terminated) {
      if (this.host.isPaused()) {
        await Promise.race([this.host.whenResumed(), this.stopped]);
        continue;
      }
      if (this.own) {
        await Promise.race([this.own.gate, this.stopped]);
        continue;
      }
      const wait = (this.wait = new AbortController());
      let message: RouterMessage;
      try {
        message = await this.host.router.next(this.id, wait.signal);
      } catch (error) {
        if (isOrchestraError(error, 'aborted')) continue;
        // The mailbox is gone: nothing more can arrive, so the loop ends.
        if (!this.terminated) this.host.events.emit('pool:error', error, { agentId: this.id, during: 'waiting for work' });
        return;
      } finally {
        this.wait = undefined;
      }
      try {
        await this.handle(message);
      } catch (error) {
        this.host.events.emit('pool:error', error, { agentId: this.id, workId: workIdOf(message), during: 'handling a message' });
      }
    }
  }

  private async handle(message: RouterMessage): Promise<void> {
    const abortedEarly = this.inHand?.message === message && this.inHand.aborted;
    this.inHand = undefined;
    if (message.messageType !== 'request') {
      const error = new OrchestraError('invalid-input', `${this.id} received a ${message.messageType} message (${message.id}); agents only take requests.`);
      this.host.events.emit('pool:error', error, { agentId: this.id, during: 'receiving' });
      return;
    }
    const workId = workIdOf(message);
    if (abortedEarly || this.host.isPaused() || this.own || this.terminated) return this.answerAborted([message]);

    // Checked by the router on send, unknown fields kept: backends see every field the sender set.
    const work = message.payload.metadata.work;
    const job: Job = { workId, message, controller: new AbortController(), counted: { ...NO_USAGE }, live: false };
    this.job = job;
    try {
      await this.takeUpSwitch();
      const reply = await this.runTurn(job, work);
      // Once abort was asked for, the requester has moved on: it hears `aborted` even if the backend finished.
      if (job.controller.signal.aborted) throw new OrchestraError('aborted', `${workId} was aborted.`);
      if (typeof reply !== 'object' || reply === null) throw new OrchestraError('invalid-output', `The backend returned no reply for ${workId}.`);
      const checked = AgentReplySchema.safeParse(reply);
      if (!checked.success) throw new OrchestraError('invalid-output', `${this.id}'s reply for ${workId} is not valid: ${oneLine(checked.error)}.`, { retryable: true });
      this.addUsage(remainder(reply.usage ?? NO_USAGE, job.counted));
      this.record.turns += 1;
      this.conclude(message, workId, undefined, reply, work.kind);
    } catch (error) {
      this.conclude(message, workId, job.controller.signal.aborted ? new OrchestraError('aborted', `${workId} was aborted.`) : error);
    } finally {
      this.job = undefined;
    }
  }

  /** Opens the session on the profile asked for and closes the old one; a failure fails this work. */
  private async takeUpSwitch(): Promise<void> {
    const change = this.switchTo;
    if (!change) return;
    const opened = await change.open();
    this.switchTo = undefined;
    const old = this.current;
    this.current = opened.session;
    this.route = opened.route;
    this.record.profileId = change.profileId;
    this.record.sessionId = opened.session.sessionId;
    this.host.events.emit('agent:statusChanged', copyRecord(this.record));
    await old.close().catch((error: unknown) => this.host.events.emit('pool:error', error, { agentId: this.id, during: 'closing the session of the old profile' }));
  }

  /**
   * One turn under the provider's scheduler: a slot first (in priority order), then the pool-wide
   * cap. A 429 pushes the provider's next slot back and the same turn waits for it, so the storm
   * costs waiting, not a failed attempt.
   */
  private async runTurn(job: Job, work: WorkRequest): Promise<AgentReply> {
    const { scheduler } = this.host;
    const signal = job.controller.signal;
    for (let waits = 0; ; waits++) {
      const provider = this.route.provider;
      const slot = await scheduler.acquire(provider, this.route.priority, signal, (wait) => this.showSlotWait(job, wait));
      job.rateLimitNoted = false;
      try {
        const reply = await this.host.runLimited(signal, () => this.execute(job, work));
        scheduler.noteSuccess(provider);
        return reply;
      } catch (error) {
        if (!isOrchestraError(error, 'rate-limited') || signal.aborted || waits >= MAX_RATE_LIMIT_WAITS) throw error;
        const nextTryAt = job.rateLimitNoted ? Math.max(scheduler.blockedUntil(provider), scheduler.now()) : scheduler.noteRateLimited(provider);
        this.showWaiting(job, 'waiting-rate-limit', waitingStep({ cause: 'rate-limit', provider, nextTryAt, now: scheduler.now() }));
      } finally {
        slot.release();
      }
    }
  }

  private showSlotWait(job: Job, wait: SlotWait): void {
    if (wait.reason === 'concurrency' || wait.nextTryAt === undefined || job.controller.signal.aborted) return;
    const cause = wait.reason === 'rate-limit' ? 'rate-limit' : 'requests-per-minute';
    this.showWaiting(job, 'waiting-rate-limit', waitingStep({ cause, provider: wait.provider, nextTryAt: wait.nextTryAt, now: this.host.scheduler.now() }));
  }

  /** What the person sees while the agent waits: the status and the step text, told once per change. */
  private showWaiting(job: Job, status: AgentStatus, step: string | undefined): void {
    const record = this.record;
    if (STICKY.has(record.status)) return;
    record.currentWorkId = job.workId;
    if (record.status === status && record.currentStep === step) return;
    record.status = status;
    record.currentStep = step;
    this.host.events.emit('agent:statusChanged', copyRecord(record));
  }

  private async execute(job: Job, work: WorkRequest): Promise<AgentReply> {
    const record = this.record;
    const step = job.message.payload.metadata.step;
    job.live = true;
    job.step = typeof step === 'string' ? step : undefined;
    record.currentWorkId = job.workId;
    record.currentStep = job.step;
    record.lastHeartbeat = this.host.now();
    record.status = 'working';
    this.host.events.emit('agent:statusChanged', copyRecord(record));
    this.host.events.emit('agent:workStarted', copyRecord(record), work);
    try {
      return await this.current.run(work, job.controller.signal, (event) => this.onBackendEvent(job, event));
    } finally {
      job.live = false;
    }
  }

  private onBackendEvent(job: Job, event: BackendEvent): void {
    if (!job.live) return; // a straggler after the run settled; its usage arrives with the reply
    if (event.type !== 'stalled') this.record.lastHeartbeat = this.host.now();
    if (event.type === 'retry') {
      this.onRetry(job, event);
    } else if (event.type === 'stalled') {
      job.retrying = true; // the next sign of life shows the step again
      this.record.lastError = event.message;
      this.showWaiting(job, 'working', `stalled: no progress for ${Math.round(event.quietMs / 1000)} s`);
      this.host.events.emit('agent:stalled', copyRecord(this.record), { workId: job.workId, quietMs: event.quietMs, message: event.message });
    } else if (job.retrying) {
      job.retrying = false;
      this.showWaiting(job, 'working', job.step);
    }
    if (event.type === 'usage') {
      job.counted = addUsage(job.counted, event.usage);
      this.addUsage(event.usage);
    }
  }

  /**
   * The backend retries the model by itself. A 429 also holds back the provider's other requests;
   * a 5xx or a lost connection is shown as what it is, never as a rate limit.
   */
  private onRetry(job: Job, event: Extract<BackendEvent, { type: 'retry' }>): void {
    const read = retryCauseOf(event.message);
    const cause = event.cause ?? read.cause;
    const provider = event.provider ?? this.route.provider;
    // Kilo's `next` is wall-clock epoch ms, as is the scheduler's clock.
    const now = this.host.scheduler.now();
    job.retrying = true;
    if (cause === 'rate-limit') {
      job.rateLimitNoted = true;
      const pushed = this.host.scheduler.noteRateLimited(provider, event.nextAttemptAt);
      const nextTryAt = event.nextAttemptAt > now ? event.nextAttemptAt : pushed;
      this.showWaiting(job, 'waiting-rate-limit', waitingStep({ cause, provider, nextTryAt, now }));
      return;
    }
    const status = cause === 'server-error' ? read.status : undefined;
    this.showWaiting(job, 'working', waitingStep({ cause, provider, nextTryAt: event.nextAttemptAt, now, ...(status !== undefined ? { status } : {}) }));
  }

  /** Updates the record and answers the requester: the reply, the failure, or `aborted`. */
  private conclude(request: RouterMessage, workId: string, error: unknown, reply?: AgentReply, kind?: string): void {
    const record = this.record;
    const outcome: WorkOutcome = { workId, correlationId: request.correlationId, result: 'done' };
    if (error !== undefined) {
      const aborted = isOrchestraError(error, 'aborted');
      outcome.result = aborted ? 'aborted' : 'failed';
      outcome.error = {
        reason: isOrchestraError(error) ? error.reason : 'backend-failed',
        message: describeError(error),
        // An unexplained error from a backend is most often a dropped connection: worth another try.
        retryable: isOrchestraError(error) ? error.retryable : true,
      };
      if (!aborted) record.lastError = outcome.error.message;
    }
    record.currentWorkId = undefined;
    record.currentStep = undefined;
    // A backend that opens a conversation per piece of work has moved on: the run saves the new one.
    record.sessionId = this.current.sessionId;
    if (!STICKY.has(record.status)) record.status = 'idle';
    this.host.events.emit('agent:statusChanged', copyRecord(record));
    this.host.events.emit('agent:workFinished', copyRecord(record), outcome);

    if (outcome.result === 'done') {
      const messageType = kind === 'review-plan' || kind === 'review-code' ? 'review' : 'artifact';
      this.send(request, { messageType, metadata: { reply: reply!, workId } }, `${this.id} finished ${kind} ${workId}.`);
    } else if (outcome.result === 'aborted') {
      this.send(request, { messageType: 'status', metadata: { aborted: true, workId } }, `${workId} was aborted before ${this.id} finished it.`);
    } else {
      this.send(request, { messageType: 'status', metadata: { error: outcome.error, workId } }, `${this.id} could not finish ${workId}: ${outcome.error?.message}`);
    }
  }

  /** Answers requests that never reached the backend (drained, removed, or picked up while paused). */
  private answerAborted(messages: RouterMessage[]): void {
    for (const message of messages) {
      if (message.messageType !== 'request') {
        const error = new OrchestraError('invalid-input', `${message.id} (${message.messageType}) was removed from ${this.id}'s queue unread.`);
        this.host.events.emit('pool:error', error, { agentId: this.id, during: 'aborting queued work' });
        continue;
      }
      const workId = workIdOf(message);
      this.host.events.emit('agent:workFinished', copyRecord(this.record), { workId, correlationId: message.correlationId, result: 'aborted' });
      this.send(message, { messageType: 'status', metadata: { aborted: true, workId } }, `${workId} was aborted before ${this.id} started it.`);
    }
  }

  /** Answers `request` with the shape the Organiser's side reads back (see messagePayloads). */
  private send(request: RouterMessage, answer: { messageType: 'artifact' | 'review'; metadata: ReplyMetadata } | { messageType: 'status'; metadata: StatusMetadata }, content: string): void {
    try {
      const head = { from: this.id, to: request.from, correlationId: request.correlationId };
      if (answer.messageType === 'status') this.host.router.send({ ...head, messageType: 'status', payload: { content, metadata: answer.metadata } });
      else this.host.router.send({ ...head, messageType: answer.messageType, payload: { content, metadata: answer.metadata } });
    } catch (error) {
      this.host.events.emit('pool:error', error, { agentId: this.id, workId: workIdOf(request), during: 'answering the requester' });
    }
  }


  private addUsage(delta: Usage): void {
    if (delta.inputTokens === 0 && delta.outputTokens === 0 && delta.costUsd === 0) return;
    const record = this.record;
    record.tokens = { input: record.tokens.input + delta.inputTokens, output: record.tokens.output + delta.outputTokens };
    record.costUsd += delta.costUsd;
    this.host.events.emit('agent:usage', copyRecord(record), { ...delta });
  }
}

