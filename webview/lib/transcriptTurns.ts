import type { TranscriptPartView } from '../../extension/protocol/transcriptPart';

/** One turn of an agent (one piece of work) as the transcript shows it: its parts and what it spent. */
export interface TranscriptTurn {
  turn: string;
  step?: string;
  atMs: number;
  /** The parts to list (steps are summed into the turn's tokens and cost instead). */
  parts: TranscriptPartView[];
  tokens: { input: number; output: number };
  costUsd: number;
}

/** Groups part summaries by turn, in the order the turns started. */
export function transcriptTurns(parts: readonly TranscriptPartView[]): TranscriptTurn[] {
  const turns = new Map<string, TranscriptTurn>();
  for (const part of parts) {
    let turn = turns.get(part.turn);
    if (!turn) {
      turn = { turn: part.turn, ...(part.step !== undefined ? { step: part.step } : {}), atMs: part.atMs, parts: [], tokens: { input: 0, output: 0 }, costUsd: 0 };
      turns.set(part.turn, turn);
    }
    if (part.kind === 'step') {
      turn.tokens.input += part.tokens?.input ?? 0;
      turn.tokens.output += part.tokens?.output ?? 0;
      turn.costUsd += part.costUsd ?? 0;
    } else turn.parts.push(part);
  }
  return [...turns.values()];
}

export interface PatchLine {
  kind: 'added' | 'removed' | 'context' | 'hunk';
  text: string;
}

/** A unified patch as lines to render as text (never as HTML); file headers are left out. */
export function patchLines(patch: string): PatchLine[] {
  const lines: PatchLine[] = [];
  for (const line of patch.split('\n')) {
    if (line.startsWith('Index:') || line.startsWith('===') || line.startsWith('---') || line.startsWith('+++') || line.startsWith('\\')) continue;
    if (line.startsWith('@@')) lines.push({ kind: 'hunk', text: line });
    else if (line.startsWith('+')) lines.push({ kind: 'added', text: line.slice(1) });
    else if (line.startsWith('-')) lines.push({ kind: 'removed', text: line.slice(1) });
    else if (line.length > 0) lines.push({ kind: 'context', text: line.slice(1) });
  }
  return lines;
}

/** "12.3 KB" for a body's full size. */
export function formatSize(chars: number): string {
  return chars < 1024 ? `${chars} chars` : `${(chars / 1024).toFixed(1)} KB`;
}
