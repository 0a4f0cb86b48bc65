import type { TimelineEntry } from '../protocol/viewModel';

/** Entries kept in memory; older ones stay in the run's events.jsonl. */
export const TIMELINE_CAP = 2000;

export type TimelineInput = Omit<TimelineEntry, 'seq' | 'durationMs'>;

/**
 * The run's timeline, capped to the most recent `cap` entries. A phase entry gets its duration when
 * the next phase starts; `add` returns every entry that changed, so the caller can send them as
 * upserts by `seq`.
 */
export class TimelineBuilder {
  private entries: TimelineEntry[] = [];
  private nextSeq = 0;
  private currentPhase: TimelineEntry | undefined;

  constructor(private readonly cap = TIMELINE_CAP) {}

  /** A phase began at `atMs`: closes the previous phase entry and opens a new one. */
  phase(title: string, atMs: number, detail?: string): TimelineEntry[] {
    const changed: TimelineEntry[] = [];
    if (this.currentPhase) {
      this.currentPhase.durationMs = Math.max(0, atMs - this.currentPhase.atMs);
      // A closed phase that already fell off the cap is not re-sent: the webview dropped it too.
      if (this.entries.includes(this.currentPhase)) changed.push({ ...this.currentPhase });
    }
    const entry = this.push({ kind: 'phase', title, atMs, ...(detail !== undefined ? { detail } : {}) });
    this.currentPhase = entry;
    changed.push({ ...entry });
    return changed;
  }

  add(input: TimelineInput): TimelineEntry {
    return { ...this.push(input) };
  }

  list(): TimelineEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  private push(input: TimelineInput): TimelineEntry {
    const entry: TimelineEntry = { seq: this.nextSeq++, ...input, atMs: Math.max(0, input.atMs) };
    this.entries.push(entry);
    if (this.entries.length > this.cap) this.entries.splice(0, this.entries.length - this.cap);
    return entry;
  }
}
