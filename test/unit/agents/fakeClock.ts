import type { SchedulerClock } from '../../../extension/engine/agents/providerScheduler';

/** A clock that moves only when told; timers fire in order as it passes them. */
export class FakeClock implements SchedulerClock {
  private at = 1_000_000;
  private timers: Array<{ at: number; run: () => void; live: boolean }> = [];

  now(): number {
    return this.at;
  }

  setTimer(ms: number, run: () => void): () => void {
    const timer = { at: this.at + ms, run, live: true };
    this.timers.push(timer);
    return () => (timer.live = false);
  }

  advance(ms: number): void {
    const until = this.at + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.at = next.at;
      next.live = false;
      next.run();
    }
    this.at = until;
  }

  get pending(): number {
    return this.timers.filter((t) => t.live).length;
  }
}
