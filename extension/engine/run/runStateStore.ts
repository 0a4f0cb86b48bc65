import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomicWrite';
import { OrchestraError, describeError } from '../util/errors';
import { JsonLinesJournal } from '../util/jsonLinesJournal';
import { STORE_DIR_NAME } from '../util/paths';
import { deriveTodoList } from '../workflow/todoList';
import { agentIdOf } from '../workflow/workflowRoles';
import { WorkflowStateSchema } from '../workflow/workflowSchema';
import { TERMINAL_PHASES, type WorkflowState } from '../workflow/workflowTypes';
import { applyChange, baseOf, changeOf, StateChangeSchema, type JournalBase, type StateChange } from './runStateJournal';
import { READABLE_FORMAT_VERSIONS, RunSnapshotSchema, SNAPSHOT_FORMAT_VERSION, type RunSnapshot } from './runSnapshot';

export type { PhaseTransition, RunSnapshot } from './runSnapshot';

const STATE_FILE = 'state.json';
const JOURNAL_FILE = 'state.journal.jsonl';
/** The journal is folded into state.json once it is this long, or as long as state.json (so rewrites stay O(1) per save). */
const MIN_JOURNAL_BYTES = 256 * 1024;

type Saved = Omit<RunSnapshot, 'formatVersion'>;

/**
 * The run's saved state: `state.json`, written whole and atomically (temp file + rename), and after
 * it `state.journal.jsonl`, one fsynced line per save with only what changed (runStateJournal.ts).
 * A save is whole when the run stops (paused, ended, interrupted), when this store saves for the
 * first time, and once the journal has grown as long as state.json; so a stopped run's state.json
 * is complete on its own, and a crash at any moment leaves state.json plus whole journal lines.
 */
export class RunStateStore {
  readonly file: string;
  private readonly journalFile: string;
  private journal: JsonLinesJournal<StateChange> | undefined;
  private base: JournalBase | undefined;
  private seq = 0;
  private wholeBytes = 0;
  private saving: Promise<void> = Promise.resolve();

  constructor(runDir: string) {
    this.file = path.join(runDir, STATE_FILE);
    this.journalFile = path.join(runDir, JOURNAL_FILE);
  }

  /** Saves the run's state as of now; resolves once it is on disk. Saves are applied in call order. */
  save(snapshot: Saved): Promise<void> {
    const saved = this.saving.then(() => this.write(snapshot));
    this.saving = saved.catch(() => undefined);
    return saved;
  }

  private async write(snapshot: Saved): Promise<void> {
    const { phase } = snapshot.workflow;
    const stopped = phase === 'PAUSED' || TERMINAL_PHASES.includes(phase) || snapshot.interrupted !== undefined;
    const next = this.base && this.journal && !stopped ? changeOf(this.base, snapshot, this.seq + 1) : undefined;
    if (!next || !this.journal || this.journal.bytes >= Math.max(MIN_JOURNAL_BYTES, this.wholeBytes)) {
      await this.writeWhole(snapshot);
      return;
    }
    await this.journal.append(next.change);
    this.seq = next.change.seq;
    this.base = next.base;
  }

  /** state.json with everything (it names the last journal line it holds), then an empty journal. */
  private async writeWhole(snapshot: Saved): Promise<void> {
    if (!this.journal) {
      // Lines a previous process left are folded into this state.json: it must name them as held.
      const opened = await JsonLinesJournal.open(this.journalFile, StateChangeSchema);
      this.journal = opened.journal;
      this.seq = Math.max(this.seq, ...opened.entries.map((change) => change.seq));
    }
    const seq = this.seq;
    const text = `${JSON.stringify({ formatVersion: SNAPSHOT_FORMAT_VERSION, ...snapshot, journalSeq: seq }, null, 1)}\n`;
    await writeFileAtomic(this.file, text);
    await this.journal.reset();
    this.seq = seq;
    this.wholeBytes = text.length;
    this.base = baseOf(snapshot);
  }

  /**
   * The snapshot of the run in `runDir`, validated. Throws `not-found` when there is none and
   * `invalid-input` (one line) when it is not a snapshot this version can read.
   */
  static async load(runDir: string): Promise<RunSnapshot> {
    const file = path.join(runDir, STATE_FILE);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new OrchestraError(missing ? 'not-found' : 'io-failed', missing ? `No run state at ${file}.` : `Could not read ${file}: ${describeError(error)}`, { cause: error });
    }
    const changes = (await JsonLinesJournal.open(path.join(runDir, JOURNAL_FILE), StateChangeSchema)).entries;
    return parseSnapshot(text, file, changes);
  }
}

/**
 * Reads state.json text, with the journal lines written after it; the format version is checked
 * first, so an unknown one gets its own words. Lines state.json already holds are skipped.
 */
export function parseSnapshot(text: string, file: string, changes: readonly StateChange[] = []): RunSnapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new OrchestraError('invalid-input', `${file} is not valid JSON.`);
  }
  const version = z.object({ formatVersion: z.unknown() }).safeParse(raw);
  const found = version.success ? version.data.formatVersion : undefined;
  if (!READABLE_FORMAT_VERSIONS.includes(found as never)) {
    const which = found === undefined ? 'no format version (written before runs could be resumed)' : `format version ${JSON.stringify(found).slice(0, 20)}`;
    throw new OrchestraError('invalid-input', `${file} has ${which}; this kilo-orchestra reads versions ${READABLE_FORMAT_VERSIONS.join(' and ')}.`);
  }
  const folded = raw as Record<string, unknown>;
  const after = typeof folded.journalSeq === 'number' ? folded.journalSeq : 0;
  const later = changes.filter((change) => change.seq > after);
  for (const change of later) applyChange(folded, change);
  if (later.length > 0) {
    // What the journal does not hold is derived from the workflow, as the run derives it.
    const workflow = WorkflowStateSchema.safeParse(folded.workflow);
    if (workflow.success) {
      folded.todo = deriveTodoList(workflow.data);
      folded.grants = currentGrants(workflow.data);
    }
    folded.journalSeq = later.at(-1)!.seq;
  }
  const parsed = RunSnapshotSchema.safeParse(folded);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OrchestraError('invalid-input', `${file} is not a valid run state: ${issue ? `${issue.path.join('.') || 'state'}: ${issue.message}` : 'unknown problem'}.`);
  }
  return parsed.data;
}

/** The run folders of a workspace, newest saved first, with their phase (unreadable ones left out). */
export async function listRuns(workspace: string): Promise<Array<{ runId: string; runDir: string; phase: string; savedAt: string }>> {
  const root = path.join(workspace, STORE_DIR_NAME, 'runs');
  const names = await fs.readdir(root).catch(() => [] as string[]);
  const runs: Array<{ runId: string; runDir: string; phase: string; savedAt: string }> = [];
  for (const name of names) {
    const runDir = path.join(root, name);
    const head = await readHead(runDir).catch(() => undefined);
    if (head?.success) runs.push({ runId: name, runDir, phase: head.data.workflow.phase, savedAt: head.data.savedAt });
  }
  return runs.sort((a, b) => b.savedAt.localeCompare(a.savedAt) || b.runId.localeCompare(a.runId));
}

/** A run's phase and when it was saved, from state.json and the journal lines after it, without reading the whole snapshot through its schema. */
async function readHead(runDir: string) {
  const raw = JSON.parse(await fs.readFile(path.join(runDir, STATE_FILE), 'utf8')) as Record<string, unknown>;
  const after = typeof raw.journalSeq === 'number' ? raw.journalSeq : 0;
  const head = { savedAt: raw.savedAt, workflow: { phase: (raw.workflow as { phase?: unknown } | undefined)?.phase } };
  const journal = await fs.readFile(path.join(runDir, JOURNAL_FILE), 'utf8').catch(() => '');
  for (const line of journal.split('\n')) {
    const change = line === '' ? undefined : StateChangeHeadSchema.safeParse(safeJson(line));
    if (!change?.success || change.data.seq <= after) continue;
    head.savedAt = change.data.savedAt;
    if (change.data.workflow.set.phase !== undefined) head.workflow.phase = change.data.workflow.set.phase;
  }
  return z.object({ savedAt: z.string(), workflow: z.object({ phase: z.string() }) }).safeParse(head);
}

const StateChangeHeadSchema = z.object({ seq: z.number(), savedAt: z.string(), workflow: z.object({ set: z.object({ phase: z.string().optional() }) }) });

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined; // a half-written last line
  }
}

/** Who may write what at this moment: the grants of every work item in flight. */
export function currentGrants(workflow: WorkflowState): Record<string, string[]> {
  const grants: Record<string, string[]> = {};
  for (const work of Object.values(workflow.inFlight)) {
    const agentId = agentIdOf(work.role, work.instance);
    grants[agentId] = [...(grants[agentId] ?? []), ...work.grants];
  }
  return grants;
}

/** Work sent out and not yet answered: in flight, or held back while paused. */
export function unfinishedWorkIds(workflow: WorkflowState): string[] {
  const held = workflow.deferred.flatMap((effect) => (effect.type === 'dispatch' ? [effect.work.id] : []));
  return [...Object.keys(workflow.inFlight), ...held];
}
