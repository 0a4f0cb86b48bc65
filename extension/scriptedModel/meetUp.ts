/**
 * Holds the first requests of one role until `count` of them are open at once, so a test can see
 * agents work side by side however slowly a loaded machine lets them start: the held ones are let go
 * together when the last arrives. If they never all arrive within `maxWaitMs` (the agents did not run
 * at once), each goes on alone, and the test's own check of the overlap fails as it should.
 */
export interface MeetUpOptions {
  role: string;
  count: number;
  maxWaitMs: number;
}

export class MeetUp {
  private readonly waiting: Array<() => void> = [];
  private done = false;

  constructor(private readonly options: MeetUpOptions) {}

  /** Resolves when the meeting is complete, the wait is over, or `signal` aborts. */
  async arrive(role: string | undefined, signal: AbortSignal): Promise<void> {
    if (this.done || role !== this.options.role) return;
    const met = new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.waiting.length >= this.options.count) this.release();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const giveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.maxWaitMs);
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([met, giveUp]);
    clearTimeout(timer);
  }

  private release(): void {
    this.done = true;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
