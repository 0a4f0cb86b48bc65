import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { TranscriptLineSchema, type TranscriptLine } from '../../protocol/transcriptPart';

/** The folder of a run that holds one `<agentId>.jsonl` per agent. */
export const TRANSCRIPTS_DIR = 'transcripts';
/** Part versions kept per agent and run; a runaway agent's later ones are dropped, noted once. */
export const MAX_LINES_PER_AGENT = 20_000;
/** Longest line read back: a line past it is damage, not a part. */
const MAX_LINE_CHARS = 200_000;
const AGENT_ID = /^[a-z][a-z0-9-]{0,60}$/;

/**
 * The run's transcripts on disk, append-only: one zod-checked line per version of a part, so a later
 * version of a part (a tool call that completed) is a new line, and a reader keeps the last one.
 * Appends are synchronous and small: the order on disk is the order the parts came in, and a crash
 * leaves at most one torn last line, which reading skips.
 */
export class TranscriptLog {
  private readonly lines = new Map<string, number>();
  private readonly failed = new Set<string>();

  constructor(private readonly runDir: string) {}

  /** Appends one part version of `agentId`; returns false when it was not kept (cap, bad id, disk). */
  append(agentId: string, line: TranscriptLine): boolean {
    if (!AGENT_ID.test(agentId) || this.failed.has(agentId)) return false;
    const count = this.lines.get(agentId) ?? this.countOnDisk(agentId);
    if (count >= MAX_LINES_PER_AGENT) return false;
    const checked = TranscriptLineSchema.safeParse(line);
    if (!checked.success) return false;
    const file = transcriptFile(this.runDir, agentId);
    try {
      if (count === 0) fs.mkdirSync(path.dirname(file), { recursive: true });
      const kept = count + 1 === MAX_LINES_PER_AGENT ? capNote(checked.data) : checked.data;
      fs.appendFileSync(file, `${JSON.stringify(kept)}\n`);
    } catch {
      // The transcript is a record of the work, not the work: a full disk must not fail the run.
      this.failed.add(agentId);
      return false;
    }
    this.lines.set(agentId, count + 1);
    return true;
  }

  /** Lines already there from an earlier process of a resumed run count against the cap. */
  private countOnDisk(agentId: string): number {
    try {
      const text = fs.readFileSync(transcriptFile(this.runDir, agentId), 'utf8');
      return text.split('\n').filter((line) => line.length > 0).length;
    } catch {
      return 0;
    }
  }
}

/** The last line kept says that what follows was dropped. */
function capNote(line: TranscriptLine): TranscriptLine {
  const text = `Later parts are not kept: this agent passed ${MAX_LINES_PER_AGENT} part versions in this run.`;
  return { ...line, part: { id: 'transcript-capped', kind: 'error', text: { text, size: text.length } } };
}

export function transcriptFile(runDir: string, agentId: string): string {
  if (!AGENT_ID.test(agentId)) throw new Error(`not an agent id: ${agentId.slice(0, 40)}`);
  return path.join(runDir, TRANSCRIPTS_DIR, `${agentId}.jsonl`);
}

/**
 * One agent's transcript as its last version of each part, in the order the parts first came;
 * lines that are torn or do not pass the schema are counted in `skipped`, never thrown.
 */
export async function readTranscript(runDir: string, agentId: string): Promise<{ lines: TranscriptLine[]; skipped: number }> {
  let text: string;
  try {
    text = await fsp.readFile(transcriptFile(runDir, agentId), 'utf8');
  } catch {
    return { lines: [], skipped: 0 };
  }
  const latest = new Map<string, TranscriptLine>();
  let skipped = 0;
  for (const raw of text.split('\n')) {
    if (raw.length === 0) continue;
    const line = raw.length <= MAX_LINE_CHARS ? parseLine(raw) : undefined;
    if (!line) {
      skipped += 1;
      continue;
    }
    // Map order is first insertion: a later version takes its place without moving it.
    latest.set(partKey(line), line);
  }
  return { lines: [...latest.values()], skipped };
}

/** The agents that have a transcript in the run folder. */
export async function transcriptAgents(runDir: string): Promise<string[]> {
  try {
    const names = await fsp.readdir(path.join(runDir, TRANSCRIPTS_DIR));
    return names.filter((name) => name.endsWith('.jsonl')).map((name) => name.slice(0, -'.jsonl'.length)).filter((id) => AGENT_ID.test(id)).sort();
  } catch {
    return [];
  }
}

/** Parts are unique per turn: an id Kilo reuses in another conversation is another part. */
export function partKey(line: Pick<TranscriptLine, 'turn'> & { part: { id: string } }): string {
  return `${line.turn}\u0000${line.part.id}`;
}

function parseLine(raw: string): TranscriptLine | undefined {
  try {
    const parsed = TranscriptLineSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
