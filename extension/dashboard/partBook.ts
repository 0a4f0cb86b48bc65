import { partKey } from '../engine/run/transcriptLog';
import { partView, type TranscriptLine, type TranscriptPartView } from '../protocol/transcriptPart';

/** Part summaries kept per agent for the dashboard; every version stays in the run's transcripts. */
export const PART_VIEW_CAP = 2_000;

/**
 * Every agent's most recent part summaries, a later version of a part replacing the earlier one in
 * place. Only summaries: a tool call's input, output and diff are read from the run folder when a
 * person opens them, so a thousand tool calls cost the webview a thousand short rows.
 */
export class PartBook {
  private readonly byAgent = new Map<string, Map<string, TranscriptPartView>>();

  constructor(private readonly cap = PART_VIEW_CAP) {}

  /** Records one part version and returns its summary. */
  apply(agentId: string, line: TranscriptLine): TranscriptPartView {
    const parts = this.byAgent.get(agentId) ?? new Map<string, TranscriptPartView>();
    const view = partView(line);
    parts.set(partKey(line), view);
    if (parts.size > this.cap) {
      for (const key of parts.keys()) {
        parts.delete(key);
        if (parts.size <= this.cap) break;
      }
    }
    this.byAgent.set(agentId, parts);
    return view;
  }

  record(): Record<string, TranscriptPartView[]> {
    return Object.fromEntries([...this.byAgent].map(([agentId, parts]) => [agentId, [...parts.values()].map((part) => ({ ...part, sizes: { ...part.sizes } }))]));
  }
}
