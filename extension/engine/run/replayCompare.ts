import fs from 'node:fs/promises';
import path from 'node:path';
import { ArtifactStore } from '../artifacts/artifactStore';

/** One run as a replay compares it: what must come out the same when the same replies come in. */
interface RunDigest {
  status: string;
  states: string[];
  /** `type version status files`, sorted: ids are given in the order results land, which timing decides. */
  artifacts: string[];
  /** `point action source`, sorted: decisions asked at once may be logged in either order. */
  decisions: string[];
}

/**
 * The differences between an original run and its replay, one line each (none when the replay
 * reproduced it): status, the phases in order, the artifacts (type, files, version, status) and
 * the Organiser's decisions. Timing, cost and paths are not compared.
 */
export async function compareRuns(original: ComparedRun, replay: ComparedRun): Promise<string[]> {
  const [a, b] = await Promise.all([digest(original), digest(replay)]);
  const differences: string[] = [];
  if (a.status !== b.status) differences.push(`status: ${a.status} then, ${b.status} in the replay`);
  if (a.states.join() !== b.states.join()) differences.push(`states: ${a.states.join(' → ')} then, ${b.states.join(' → ')} in the replay`);
  differences.push(...listDifferences('artifact', a.artifacts, b.artifacts));
  differences.push(...listDifferences('decision', a.decisions, b.decisions));
  return differences;
}

/** A run's ending (its report, or its saved state) and its folder. */
export interface ComparedRun {
  status: string;
  /** Every phase entered, in order, from IDLE. */
  states: readonly string[];
  runDir: string;
}

async function digest({ status, states, runDir }: ComparedRun): Promise<RunDigest> {
  const store = await ArtifactStore.open(path.join(runDir, 'artifacts'));
  const artifacts = store
    .list()
    .map((record) => `${record.type} v${record.metadata.version} ${record.status} [${record.metadata.files.join(', ')}]`)
    .sort();
  return { status, states: [...states], artifacts, decisions: (await decisionsOf(runDir)).sort() };
}

/** The Organiser's decisions from the event log (read as plain JSON: only the fields named here are used). */
async function decisionsOf(runDir: string): Promise<string[]> {
  const text = await fs.readFile(path.join(runDir, 'events.jsonl'), 'utf8');
  const decisions: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"decision"')) continue;
    let entry: { kind?: unknown; data?: { event?: unknown; data?: Record<string, unknown> } };
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    const event = entry.data?.event;
    const data = entry.data?.data;
    if (entry.kind !== 'decision' || !data || (event !== 'organiser:decided' && event !== 'organiser:fallback')) continue;
    // Without the decision's id: ids are handed out in the order questions come up, which timing can change.
    decisions.push(`${String(data.point)} ${String(data.action)} (${event === 'organiser:decided' ? 'organiser' : 'rule'})`);
  }
  return decisions;
}

function listDifferences(what: string, before: string[], after: string[]): string[] {
  const lines: string[] = [];
  // Counted, not a set: a file reviewed twice has two alike review artifacts.
  const left = new Map<string, number>();
  for (const item of after) left.set(item, (left.get(item) ?? 0) + 1);
  for (const item of before) {
    const count = left.get(item) ?? 0;
    if (count === 0) lines.push(`${what} missing in the replay: ${item}`);
    else left.set(item, count - 1);
  }
  for (const [item, count] of left) for (let n = 0; n < count; n++) lines.push(`${what} only in the replay: ${item}`);
  return lines;
}
