import type { TranscriptPartBody } from '../../extension/protocol/transcriptPart';

export type PartLoadOutcome = { ok: true; body: TranscriptPartBody } | { ok: false; error: string };

/** What the transcript gets instead of the bridge, so tests hand in a fake. */
export type LoadPart = (turn: string, partId: string) => Promise<PartLoadOutcome>;
