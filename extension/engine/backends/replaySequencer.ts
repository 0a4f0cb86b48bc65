import { OrchestraError } from '../util/errors';

/** One answer given out of the recorded order, and why. */
export interface OutOfOrder {
  /** The recording's line (1-based) that was answered early. */
  line: number;
  /** The line the recording has first, which had not been asked for. */
  expected: number;
  why: 'agent-busy' | 'stalled';
  /** In words, for the one line the replay prints. */
  message: string;
}

export interface ReplaySequencerOptions {
  /** The agent of each recorded line, in file order. */
  agents: readonly string[];
  /** Words for a recorded line (role, kind, subject), for messages. */
  describe: (index: number) => string;
  /**
   * How long nothing may happen while an answer waits for an earlier line that was not asked for,
   * before the earliest waiting one goes anyway (default 5 s). Only a replay that no longer follows
   * the recording gets there.
   */
  stallMs?: number;
  /** Tests: the stall timer. */
  setTimer?: (run: () => void, ms: number) => { cancel(): void };
}

interface Waiting {
  agentId: string;
  go: () => void;
}

const DEFAULT_STALL_MS = 5_000;

/**
 * Gives a replay's answers out in the order the recording has them, which is the order the run's
 * answers landed: an answer waits until every line before it has been answered, one at a time.
 * The engine hands answers to its workflow machine in the order they land and sends work to each
 * agent in the order the machine asked for it, so the machine then sees the run's events again.
 *
 * When the order cannot be kept it is given up for that answer, counted and said, never waited
 * for forever: an agent that waits here with one request cannot ask for the earlier line that is
 * its own (its turns run one at a time), and a line nothing asks for is let go after `stallMs`.
 */
export class ReplaySequencer {
  private readonly done: boolean[];
  private readonly waiting = new Map<number, Waiting>();
  private readonly broken: OutOfOrder[] = [];
  private readonly stallMs: number;
  private readonly setTimer: NonNullable<ReplaySequencerOptions['setTimer']>;
  private next = 0;
  /** The line being answered now (its files are being written). */
  private answering: number | undefined;
  private stall: { cancel(): void } | undefined;
  private stopped = false;

  constructor(private readonly options: ReplaySequencerOptions) {
    this.done = options.agents.map(() => false);
    this.stallMs = options.stallMs ?? DEFAULT_STALL_MS;
    this.setTimer =
      options.setTimer ??
      ((run, ms) => {
        const timer = setTimeout(run, ms);
        // A stall timer must not keep a finished process alive.
        timer.unref?.();
        return { cancel: () => clearTimeout(timer) };
      });
  }

  /** Answers given out of the recorded order so far. */
  get outOfOrder(): readonly OutOfOrder[] {
    return this.broken;
  }

  /**
   * Resolves when recorded line `index` (0-based), asked for by `agentId`, may be answered; the
   * caller then answers it and calls `finished(index)`. Rejects when `signal` fires first.
   */
  turn(index: number, agentId: string, signal: AbortSignal): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.waiting.get(index)?.go !== go) return;
        this.waiting.delete(index);
        // Aborted before its turn: the engine heard `aborted` for it, which takes up its line.
        this.finished(index);
        reject(new OrchestraError('aborted', `${agentId}: the work was aborted.`));
      };
      const go = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiting.set(index, { agentId, go });
      signal.addEventListener('abort', onAbort, { once: true });
      this.pump();
    });
  }

  /** Recorded line `index` has been answered: the next one may go. */
  finished(index: number): void {
    this.done[index] = true;
    if (this.answering === index) this.answering = undefined;
    while (this.next < this.done.length && this.done[this.next]) this.next += 1;
    this.pump();
  }

  /** The order no longer matters (a fork handed over, the run ended): every waiting answer goes now. */
  stop(): void {
    this.stopped = true;
    this.stall?.cancel();
    this.stall = undefined;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const entry of waiting) entry.go();
  }

  private pump(): void {
    this.stall?.cancel();
    this.stall = undefined;
    if (this.stopped || this.answering !== undefined || this.waiting.size === 0) return;
    const due = this.waiting.get(this.next);
    if (due) return this.release(this.next);
    const expectedAgent = this.options.agents[this.next];
    const blocking = [...this.waiting].find(([, entry]) => entry.agentId === expectedAgent);
    if (blocking) return this.release(blocking[0], 'agent-busy');
    this.stall = this.setTimer(() => {
      this.stall = undefined;
      const earliest = Math.min(...this.waiting.keys());
      if (!Number.isFinite(earliest) || this.answering !== undefined) return;
      this.release(earliest, 'stalled');
    }, this.stallMs);
  }

  private release(index: number, why?: OutOfOrder['why']): void {
    const entry = this.waiting.get(index);
    if (!entry) return;
    if (why) {
      const { describe } = this.options;
      const expected = this.next;
      const message =
        why === 'agent-busy'
          ? `${entry.agentId} asked for ${describe(index)} (line ${index + 1}) while the recording has its ${describe(expected)} (line ${expected + 1}) first`
          : `nothing asked for ${describe(expected)} (line ${expected + 1}) within ${this.stallMs} ms, so ${describe(index)} (line ${index + 1}) went first`;
      this.broken.push({ line: index + 1, expected: expected + 1, why, message });
      // A line nothing asked for before this one is not waited for again.
      if (why === 'stalled') for (let skipped = this.next; skipped < index; skipped++) this.done[skipped] = true;
    }
    this.waiting.delete(index);
    this.answering = index;
    entry.go();
  }
}
