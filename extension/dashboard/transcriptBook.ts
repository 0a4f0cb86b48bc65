import type { TranscriptEntry } from '../protocol/viewModel';

/** Transcript lines kept per agent; the full traffic stays in the run's events.jsonl. */
export const TRANSCRIPT_CAP = 200;

/** Every agent's most recent transcript lines. */
export class TranscriptBook {
  private readonly byAgent = new Map<string, TranscriptEntry[]>();

  constructor(private readonly cap = TRANSCRIPT_CAP) {}

  append(agentId: string, entry: TranscriptEntry): void {
    const lines = this.byAgent.get(agentId) ?? [];
    lines.push(entry);
    if (lines.length > this.cap) lines.splice(0, lines.length - this.cap);
    this.byAgent.set(agentId, lines);
  }

  record(): Record<string, TranscriptEntry[]> {
    return Object.fromEntries([...this.byAgent].map(([agentId, lines]) => [agentId, lines.map((line) => ({ ...line }))]));
  }
}
