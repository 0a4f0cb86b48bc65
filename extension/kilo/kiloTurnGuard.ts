/*
 * Keeps one Kilo turn from waiting in silence. Two ways a turn goes quiet:
 * - Kilo waits for the network. After a reset connection or a timed-out model request, Kilo 7.7
 *   asks a client to confirm the network is back (`session.network.asked`, status `offline`) and
 *   probes public hosts itself, which an offline or local-model setup never reaches. Kilo's own
 *   clients answer with `POST /network/{id}/reply` (the extension once its probe says so, `kilo run`
 *   after a backoff, a few times, then reject); we do as `kilo run` does.
 * - Nothing happens at all (a request that hangs below Kilo's own timeout). After `stallMs` without
 *   an event the turn is reported stalled; after as long again it ends, retryably, so the engine
 *   tries the work again instead of waiting for the ten-minute turn timeout. A running tool (a test
 *   suite, say) is quiet by nature and bounded by Kilo's own tool timeout: no stall meanwhile.
 */
import type { BackendEvent } from '../engine/backends/agentBackend';
import { OrchestraError, describeError } from '../engine/util/errors';
import type { KiloHttp } from './kiloHttp';

export const DEFAULT_STALL_MS = 90_000;
/** Network waits answered with a retry per turn; the next one ends the turn. */
export const NETWORK_RETRIES_PER_TURN = 3;

export interface TurnGuardOptions {
  agentId: string;
  sessionId: string;
  http: Pick<KiloHttp, 'networkWaits' | 'answerNetworkWait'>;
  /** Quiet time before the turn counts as stalled; 0 turns stall detection off. */
  stallMs: number;
  /** Wait before answering network wait `attempt` (1, 2 …); default 1 s doubling, at most 15 s. */
  networkRetryDelayMs?: (attempt: number) => number;
  onEvent: (event: BackendEvent) => void;
  /** Ends the turn with `error` (and aborts it in Kilo). */
  fail: (error: OrchestraError) => void;
  log?: (message: string) => void;
  now?: () => number;
}

export class TurnGuard {
  private readonly now: () => number;
  private lastSign: number;
  /** Kilo announced it waits until then (a retry's `next`, our own network backoff): not a stall. */
  private quietUntil = 0;
  private stalled = false;
  private stallTimer: NodeJS.Timeout | undefined;
  private readonly replyTimers = new Set<NodeJS.Timeout>();
  private readonly networkWaits = new Set<string>();
  private readonly runningTools = new Set<string>();
  private disposed = false;

  constructor(private readonly options: TurnGuardOptions) {
    this.now = options.now ?? Date.now;
    this.lastSign = this.now();
  }

  /** Starts the stall clock (call before the prompt is sent). */
  start(): void {
    this.lastSign = this.now();
    if (this.options.stallMs > 0) this.armStall(this.options.stallMs);
  }

  /** Any event of the session is a sign of life. */
  activity(): void {
    this.lastSign = this.now();
    this.stalled = false;
  }

  /** Kilo retries the model at `nextAttemptAt` (epoch ms); quiet until then is expected. */
  retryAt(nextAttemptAt: number): void {
    this.quietUntil = Math.max(this.quietUntil, nextAttemptAt);
  }

  /** A tool call's state from its part update: quiet while one runs is not a stall. */
  toolState(callId: string | undefined, status: string | undefined): void {
    if (callId === undefined) return;
    if (status === 'running') this.runningTools.add(callId);
    else this.runningTools.delete(callId);
  }

  /** Kilo waits for `requestId` to be answered; the same wait comes as an event and as a status. */
  networkWait(requestId: string | undefined, message: string | undefined): void {
    if (requestId === undefined || this.disposed || this.networkWaits.has(requestId)) return;
    this.networkWaits.add(requestId);
    const attempt = this.networkWaits.size;
    const { agentId } = this.options;
    const why = message || 'the connection to the model failed';
    if (attempt > NETWORK_RETRIES_PER_TURN) {
      void this.answer(requestId, 'reject');
      this.options.fail(new OrchestraError('backend-failed', `${agentId}'s model could not be reached ${NETWORK_RETRIES_PER_TURN + 1} times in one turn (${why}); the work is tried again.`, { retryable: true }));
      return;
    }
    const delayMs = (this.options.networkRetryDelayMs ?? defaultNetworkRetryDelayMs)(attempt);
    const nextAttemptAt = this.now() + delayMs;
    this.retryAt(nextAttemptAt);
    this.options.onEvent({ type: 'retry', attempt, nextAttemptAt, message: `Kilo lost the connection to the model (${why}); trying again`, cause: 'network' });
    const timer = setTimeout(() => {
      this.replyTimers.delete(timer);
      if (!this.disposed) void this.answer(requestId, 'reply');
    }, delayMs);
    this.replyTimers.add(timer);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.stallTimer);
    for (const timer of this.replyTimers) clearTimeout(timer);
    this.replyTimers.clear();
  }

  private armStall(ms: number): void {
    clearTimeout(this.stallTimer);
    // Events come often while a model streams; rather than re-arm on each, the timer re-checks when due.
    this.stallTimer = setTimeout(() => this.checkStall(), Math.max(1, ms));
  }

  private checkStall(): void {
    if (this.disposed) return;
    const { stallMs, agentId } = this.options;
    const now = this.now();
    if (this.runningTools.size > 0) this.lastSign = now;
    const dueAt = Math.max(this.lastSign, this.quietUntil) + stallMs * (this.stalled ? 2 : 1);
    if (now < dueAt) return this.armStall(dueAt - now);
    const quietMs = now - this.lastSign;
    if (!this.stalled) {
      this.stalled = true;
      this.options.onEvent({ type: 'stalled', quietMs, message: `${agentId} has shown no progress for ${seconds(quietMs)} s` });
      // A wait Kilo asked for while our event stream was reconnecting would otherwise go unanswered.
      void this.answerPendingWaits();
      return this.armStall(stallMs);
    }
    this.options.fail(new OrchestraError('backend-failed', `${agentId} stalled: no progress from Kilo for ${seconds(quietMs)} s; the work is tried again.`, { retryable: true }));
  }

  private async answerPendingWaits(): Promise<void> {
    try {
      for (const wait of await this.options.http.networkWaits()) {
        if (wait.sessionID === this.options.sessionId) this.networkWait(wait.id, wait.message);
      }
    } catch (error) {
      this.options.log?.(`Could not list Kilo's network waits for ${this.options.sessionId}: ${describeError(error)}`);
    }
  }

  private async answer(requestId: string, answer: 'reply' | 'reject'): Promise<void> {
    try {
      await this.options.http.answerNetworkWait(requestId, answer);
      this.options.log?.(`${this.options.agentId}: answered Kilo's network wait ${requestId} (${answer}).`);
    } catch (error) {
      // Kilo may have dropped the wait itself (turn aborted); the stall clock still guards the turn.
      this.options.log?.(`Could not ${answer} Kilo's network wait ${requestId}: ${describeError(error)}`);
    }
  }
}

export function defaultNetworkRetryDelayMs(attempt: number): number {
  return Math.min(15_000, 1000 * 2 ** (attempt - 1));
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}
