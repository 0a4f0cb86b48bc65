import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../util/atomicWrite';
import { OrchestraError, describeError } from '../util/errors';
import { JsonLinesJournal } from '../util/jsonLinesJournal';
import { toWorkspaceRelative } from '../util/paths';
import { ApprovalStatusSchema, ArtifactRecordSchema, ArtifactStatusSchema, ArtifactTypeSchema, ContentRefSchema, WorkspacePathSchema } from './artifactSchema';
import type { ApprovalStatus, ArtifactRecord, ArtifactStatus, ArtifactSummary, ArtifactType, ContentRef } from './artifactSchema';
import { namedContent, sweepCrashLeftovers, withoutUnfinishedWork } from './crashLeftovers';
import { capSummary, deriveSummary, type CappedSummary } from './summarise';

/**
 * `artifacts.json`, the snapshot of the index. Format 1 (written by earlier versions, before the
 * journal) is the same shape without `journalSeq`; both read. Format 2 says a journal may follow it.
 */
const IndexSchema = z.object({
  format: z.union([z.literal(1), z.literal(2)]),
  /** The last journal entry folded into this snapshot; entries up to it are skipped on open. */
  journalSeq: z.number().int().nonnegative().default(0),
  /** Last number handed out per type, so ids are never reused even after a failed write. */
  counters: z.record(z.string(), z.number().int().nonnegative()).default({}),
  artifacts: z.array(ArtifactRecordSchema).default([]),
  /** Content of every version, by id; entry `n - 1` is version `n`. */
  history: z.record(z.string(), z.array(ContentRefSchema)).default({}),
});
type IndexData = z.infer<typeof IndexSchema>;

/**
 * One line of `artifacts.journal.jsonl`: an artifact's record as of one create or revise. Replaying
 * it is idempotent (the record replaces the one with its id, its content becomes version n of the
 * history), so a crash between a compaction's snapshot and its journal reset loses and doubles nothing.
 */
const IndexChangeSchema = z.object({
  seq: z.number().int().positive(),
  record: ArtifactRecordSchema,
  counters: z.record(z.string(), z.number().int().nonnegative()),
});
type IndexChange = z.infer<typeof IndexChangeSchema>;

const INDEX_FILE = 'artifacts.json';
const JOURNAL_FILE = 'artifacts.journal.jsonl';
/** The journal is folded into the snapshot once it has this many lines, or as many as there are artifacts (so rewrites stay O(1) per change). */
const MIN_LINES_BEFORE_COMPACTION = 512;
/** Content kept after a read, so the plan every file's work quotes is read and checked once, not once per file. */
const RECENT_CONTENT_BYTES = 16 * 1024 * 1024;

interface RecentContent {
  bytes: number;
  mtimeMs: number;
  text: Promise<string>;
}
const CONTENT_PATH = /^content\/[a-z0-9-]+\/v[0-9]+\.txt$/;
const FilesSchema = z.array(WorkspacePathSchema);

export interface ArtifactStoreOptions {
  /** Clock for `createdAt`/`updatedAt`; tests pass a fixed one. */
  now?: () => Date;
  /** Put before every new id (`run2-` gives `run2-plan-1`); lower-case letters, digits and dashes. */
  idPrefix?: string;
  /** Opening a run to resume it: crash leftovers (temp files, content no record names) are removed. */
  sweepLeftovers?: boolean;
  /** With `sweepLeftovers`: work in flight at the crash, whose first-version artifacts are dropped (see withoutUnfinishedWork). */
  unfinishedWork?: readonly string[];
}

export interface CreateArtifactInput {
  type: ArtifactType;
  producer: string;
  role: string;
  content: string;
  /** The agent's own summary; capped to 50 tokens. Derived from the content when absent. */
  summary?: string;
  /** Workspace-relative paths; a path outside the workspace is refused with `unsafe-path`. */
  files?: string[];
  /** Defaults to `completed`: an artifact is recorded once its producer has finished it. */
  status?: ArtifactStatus;
  correlationId?: string;
  subjectId?: string;
}

export interface ArtifactChange {
  content?: string;
  summary?: string;
  status?: ArtifactStatus;
  files?: string[];
  approvalStatus?: ApprovalStatus;
  /** Added to the artifact's reviewers. */
  reviewedBy?: string;
  correlationId?: string;
}

export interface ArtifactFilter {
  type?: ArtifactType;
  status?: ArtifactStatus;
  producer?: string;
  /** Artifacts that name this workspace-relative file. */
  file?: string;
}

/**
 * The artifacts of a run: an index of records with short summaries, and the full content of every
 * version in its own file under `content/<id>/`, loaded only on demand.
 *
 * The index is a snapshot (`artifacts.json`) plus an append-only journal (`artifacts.journal.jsonl`,
 * one line per create or revise, fsynced in batches). A change costs one short line however many
 * artifacts there are; the journal is folded into a new snapshot once it holds as many lines as
 * there are artifacts, so the rewrites add up to a constant per change.
 *
 * Writes are optimistic: `revise` names the version it read, and loses with `stale-version` if
 * that is no longer current. Any number of callers in one process may write at once; their
 * journal lines share writes. One store instance owns its folder: two processes (or two instances)
 * writing the same folder would overwrite each other's index.
 *
 * A record becomes visible to `get`/`list` once its journal line is on disk.
 */
export class ArtifactStore {
  private readonly counters: Record<string, number>;
  private readonly positions = new Map<string, number>();
  /** Ids with a revise between its version check and its index write. */
  private readonly writing = new Set<string>();
  /** Commits whose journal line is being written; a compaction waits for them. */
  private readonly outstanding = new Set<Promise<void>>();
  private compacting: Promise<void> | undefined;
  /** Content read lately, by path, least recently used first; see loadContent. */
  private readonly recent = new Map<string, RecentContent>();
  private recentBytes = 0;
  /** What went wrong folding the journal into the snapshot (nothing is lost: the journal stays). */
  private readonly troubles: string[] = [];

  private constructor(
    /** The store folder. */
    readonly dir: string,
    private readonly journal: JsonLinesJournal<IndexChange>,
    private readonly data: IndexData,
    /** The last journal sequence number handed out. */
    private seq: number,
    private readonly now: () => Date,
    private readonly idPrefix: string,
    recovered: string[],
  ) {
    this.counters = { ...data.counters };
    this.troubles.push(...recovered);
    this.data.artifacts.forEach((record, position) => this.positions.set(record.id, position));
  }

  /** What opening repaired (a half-written last journal line) and any failed compaction, one line each. */
  get problems(): readonly string[] {
    return this.troubles;
  }

  /**
   * Opens (or starts) the store in `dir`. A damaged index throws `io-failed` and is left as it
   * is, so nothing recorded is lost.
   */
  static async open(dir: string, options: ArtifactStoreOptions = {}): Promise<ArtifactStore> {
    const idPrefix = options.idPrefix ?? '';
    if (!/^[a-z0-9-]*$/.test(idPrefix)) {
      throw new OrchestraError('invalid-input', `The artifact id prefix ${JSON.stringify(idPrefix)} may only hold lower-case letters, digits and dashes.`);
    }
    const indexPath = path.join(dir, INDEX_FILE);
    try {
      await fs.mkdir(dir, { recursive: true });
    } catch (error) {
      throw new OrchestraError('io-failed', `Could not create the artifact folder ${dir}: ${describeError(error)}`, { cause: error });
    }
    const loaded: IndexData = (await readJsonFile(indexPath, IndexSchema)) ?? { format: 2, journalSeq: 0, counters: {}, artifacts: [], history: {} };
    const seen = new Set<string>();
    for (const record of loaded.artifacts) {
      if (seen.has(record.id)) {
        throw new OrchestraError('io-failed', `${indexPath} lists artifact ${record.id} twice.`, { hint: 'The file was left as it is. Repair it, or move it aside to start afresh.' });
      }
      seen.add(record.id);
    }
    const { journal, entries, repairedTail } = await JsonLinesJournal.open(path.join(dir, JOURNAL_FILE), IndexChangeSchema);
    let seq = loaded.journalSeq;
    for (const change of entries) {
      if (change.seq <= loaded.journalSeq) continue; // already in the snapshot (a crash before the journal was emptied)
      applyChange(loaded, change.record, indexOf(loaded));
      for (const [type, value] of Object.entries(change.counters)) loaded.counters[type] = Math.max(loaded.counters[type] ?? 0, value);
      seq = Math.max(seq, change.seq);
    }
    const recovered = repairedTail ? [`${path.join(dir, JOURNAL_FILE)} ended in a half-written line (a crash mid-write); it was removed, and the change it held was never reported saved.`] : [];
    const { index, dropped } = options.sweepLeftovers ? withoutUnfinishedWork(loaded, options.unfinishedWork ?? []) : { index: loaded, dropped: [] };
    const store = new ArtifactStore(dir, journal, index, seq, options.now ?? (() => new Date()), idPrefix, recovered);
    // The index is written before the files it no longer names are removed, so it never names a missing one.
    if (dropped.length > 0) await store.compactNow();
    if (options.sweepLeftovers) await sweepCrashLeftovers(dir, namedContent(index));
    return store;
  }

  /** Folds the journal into a fresh `artifacts.json` now (it otherwise happens on its own as the journal grows). */
  async compact(): Promise<void> {
    while (this.compacting) await this.compacting;
    this.compacting = this.compactNow().finally(() => (this.compacting = undefined));
    await this.compacting;
  }

  /** Records version 1 of a new artifact; its content is on disk before the index names it. */
  async create(input: CreateArtifactInput): Promise<ArtifactRecord> {
    const type = parseOrThrow(ArtifactTypeSchema, input.type, 'artifact type');
    const status = parseOrThrow(ArtifactStatusSchema, input.status ?? 'completed', 'artifact status');
    requireText(input.producer, 'producer');
    requireText(input.role, 'role');
    requireContent(input.content);
    const files = safeFiles(input.files ?? []);
    const { summary, tokens } = deriveSummary(type, input.content, input.summary, files);
    const id = this.allocateId(type);
    const content = await this.writeContent(id, 1, input.content);
    const at = this.now().toISOString();
    const record: ArtifactRecord = {
      id,
      type,
      producer: input.producer,
      role: input.role,
      status,
      summary,
      summaryTokens: tokens,
      content,
      metadata: {
        files,
        reviewedBy: [],
        approvalStatus: 'pending',
        version: 1,
        ...(input.correlationId !== undefined && { correlationId: input.correlationId }),
        ...(input.subjectId !== undefined && { subjectId: input.subjectId }),
      },
      createdAt: at,
      updatedAt: at,
    };
    await this.commit(record);
    return copyRecord(record);
  }

  /**
   * Writes version `expectedVersion + 1` of an artifact. Throws `stale-version` (and writes
   * nothing) when `expectedVersion` is not the current version or another revise of the same
   * artifact is under way. Content not given keeps the previous version's content file.
   */
  async revise(id: string, expectedVersion: number, change: ArtifactChange): Promise<ArtifactRecord> {
    const current = this.record(id);
    if (!current) throw new OrchestraError('not-found', `Artifact ${id} is not in the store.`);
    if (current.metadata.version !== expectedVersion || this.writing.has(id)) {
      const state = this.writing.has(id) ? `is being revised from version ${current.metadata.version}` : `is at version ${current.metadata.version}`;
      const hint = 'Read the artifact again and reapply the change to its current version.';
      throw new OrchestraError('stale-version', `Artifact ${id} ${state}; the change was based on version ${expectedVersion}.`, { hint });
    }
    const status = change.status === undefined ? current.status : parseOrThrow(ArtifactStatusSchema, change.status, 'artifact status');
    const approvalStatus = change.approvalStatus === undefined ? current.metadata.approvalStatus : parseOrThrow(ApprovalStatusSchema, change.approvalStatus, 'approval status');
    const files = change.files === undefined ? current.metadata.files : safeFiles(change.files);
    if (change.content !== undefined) requireContent(change.content);
    if (change.reviewedBy !== undefined) requireText(change.reviewedBy, 'reviewer');
    if (Object.values(change).every((value) => value === undefined)) {
      throw new OrchestraError('invalid-input', `The revision of artifact ${id} changes nothing.`);
    }

    this.writing.add(id);
    try {
      const version = expectedVersion + 1;
      const content = change.content === undefined ? current.content : await this.writeContent(id, version, change.content);
      const { summary, tokens } = reviseSummary(current, change, files);
      const reviewers = current.metadata.reviewedBy;
      const record: ArtifactRecord = {
        ...current,
        status,
        summary,
        summaryTokens: tokens,
        content,
        metadata: {
          ...current.metadata,
          files,
          approvalStatus,
          version,
          reviewedBy: change.reviewedBy === undefined || reviewers.includes(change.reviewedBy) ? reviewers : [...reviewers, change.reviewedBy],
          ...(change.correlationId !== undefined && { correlationId: change.correlationId }),
        },
        updatedAt: this.now().toISOString(),
      };
      await this.commit(record);
      return copyRecord(record);
    } finally {
      this.writing.delete(id);
    }
  }

  /** The current record of an artifact (a copy), or undefined. */
  get(id: string): ArtifactRecord | undefined {
    const record = this.record(id);
    return record && copyRecord(record);
  }

  /** Current records in creation order, narrowed by `filter`. */
  list(filter: ArtifactFilter = {}): ArtifactRecord[] {
    const file = filter.file === undefined ? undefined : toWorkspaceRelative(filter.file);
    return this.data.artifacts
      .filter(
        (record) =>
          (filter.type === undefined || record.type === filter.type) &&
          (filter.status === undefined || record.status === filter.status) &&
          (filter.producer === undefined || record.producer === filter.producer) &&
          (file === undefined || record.metadata.files.includes(file)),
      )
      .map(copyRecord);
  }

  /** What the Organiser sees: summaries from the index only, no content is read. */
  summaries(): ArtifactSummary[] {
    return this.data.artifacts.map((record) => ({
      id: record.id,
      type: record.type,
      producer: record.producer,
      status: record.status,
      summary: record.summary,
      summaryTokens: record.summaryTokens,
      files: [...record.metadata.files],
      version: record.metadata.version,
    }));
  }

  count(): number {
    return this.data.artifacts.length;
  }

  /**
   * The full content of an artifact at `version` (default: current). A content file that is
   * missing or does not match its recorded checksum throws `io-failed`.
   */
  async loadContent(id: string, version?: number): Promise<string> {
    const record = this.record(id);
    if (!record) throw new OrchestraError('not-found', `Artifact ${id} is not in the store.`);
    const wanted = version ?? record.metadata.version;
    const ref = wanted === record.metadata.version ? record.content : this.data.history[id]?.[wanted - 1];
    if (!ref) throw new OrchestraError('not-found', `Artifact ${id} has no version ${wanted} (current: ${record.metadata.version}).`);
    if (!CONTENT_PATH.test(ref.path)) {
      throw new OrchestraError('io-failed', `The index names ${JSON.stringify(ref.path)} as the content of ${id} v${wanted}, which is not a content file path.`);
    }
    const file = path.join(this.dir, ref.path);
    // A version's file is written once; one read lately is reused while the file's size and time are
    // unchanged (an edit changes them and is read and checked again). Loads at the same time share one read.
    let stat: { size: number; mtimeMs: number };
    try {
      stat = await fs.stat(file);
    } catch (error) {
      throw new OrchestraError('io-failed', `Could not read the content of ${id} v${wanted} from ${file}: ${describeError(error)}`, { cause: error });
    }
    const key = `${ref.path} ${ref.sha256}`;
    const known = this.recent.get(key);
    if (known && known.bytes === stat.size && known.mtimeMs === stat.mtimeMs) {
      this.recent.delete(key);
      this.recent.set(key, known);
      return known.text;
    }
    const text = this.readChecked(file, ref, id, wanted);
    this.remember(key, { bytes: stat.size, mtimeMs: stat.mtimeMs, text });
    return text;
  }

  private async readChecked(file: string, ref: ContentRef, id: string, wanted: number): Promise<string> {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch (error) {
      throw new OrchestraError('io-failed', `Could not read the content of ${id} v${wanted} from ${file}: ${describeError(error)}`, { cause: error });
    }
    if (bytes.length !== ref.bytes || sha256(bytes) !== ref.sha256) {
      throw new OrchestraError('io-failed', `The content of ${id} v${wanted} in ${file} has changed since it was recorded (checksum mismatch).`, {
        hint: 'The file was edited or damaged outside the store; restore it or record the artifact again.',
      });
    }
    return bytes.toString('utf8');
  }

  private remember(key: string, entry: RecentContent): void {
    if (entry.bytes > RECENT_CONTENT_BYTES / 4) return;
    const earlier = this.recent.get(key);
    if (earlier) this.recentBytes -= earlier.bytes;
    this.recent.delete(key);
    this.recent.set(key, entry);
    this.recentBytes += entry.bytes;
    // A failed read is not kept: the next load tries again and reports what it finds.
    entry.text.catch(() => {
      if (this.recent.get(key) !== entry) return;
      this.recent.delete(key);
      this.recentBytes -= entry.bytes;
    });
    for (const [oldest, value] of this.recent) {
      if (this.recentBytes <= RECENT_CONTENT_BYTES) break;
      this.recent.delete(oldest);
      this.recentBytes -= value.bytes;
    }
  }

  private record(id: string): ArtifactRecord | undefined {
    const position = this.positions.get(id);
    return position === undefined ? undefined : this.data.artifacts[position];
  }

  private allocateId(type: ArtifactType): string {
    let id: string;
    do {
      const number = (this.counters[type] ?? 0) + 1;
      this.counters[type] = number;
      id = `${this.idPrefix}${type}-${number}`;
    } while (this.positions.has(id));
    return id;
  }

  private async writeContent(id: string, version: number, content: string): Promise<ContentRef> {
    const bytes = Buffer.from(content, 'utf8');
    const relative = `content/${id}/v${version}.txt`;
    await writeFileAtomic(path.join(this.dir, relative), bytes);
    return { path: relative, bytes: bytes.length, sha256: sha256(bytes) };
  }

  /**
   * Writes the record's journal line; resolves once it is on disk, and only then shows the record.
   * Lines written at the same time share one write. A failed write leaves memory as the disk has it.
   */
  private async commit(record: ArtifactRecord): Promise<void> {
    while (this.compacting) await this.compacting;
    const change: IndexChange = { seq: ++this.seq, record, counters: { ...this.counters } };
    const done = this.journal.append(change).then(() => applyChange(this.data, record, this.positions));
    this.outstanding.add(done);
    try {
      await done;
    } catch (error) {
      throw new OrchestraError('io-failed', `Could not write the artifact index in ${this.dir}: ${describeError(error)}`, { cause: error });
    } finally {
      this.outstanding.delete(done);
    }
    if (!this.compacting && this.journal.lines >= Math.max(MIN_LINES_BEFORE_COMPACTION, this.data.artifacts.length)) {
      this.compacting = this.compactNow()
        .catch((error: unknown) => void this.troubles.push(`Could not fold the artifact journal into ${INDEX_FILE} (it is kept and read on open): ${describeError(error)}`))
        .finally(() => (this.compacting = undefined));
      await this.compacting;
    }
  }

  /**
   * Writes the whole index as the new snapshot, then empties the journal. Commits wait while it
   * runs; the snapshot names the last journal line it holds, so a crash in between repeats nothing.
   */
  private async compactNow(): Promise<void> {
    while (this.outstanding.size > 0) await Promise.allSettled([...this.outstanding]);
    const snapshot: IndexData = { ...this.data, format: 2, journalSeq: this.seq, counters: { ...this.counters } };
    await writeFileAtomic(path.join(this.dir, INDEX_FILE), JSON.stringify(snapshot));
    await this.journal.reset();
  }
}

/** Puts a record into the index in place: it replaces the one with its id, and its content becomes its version's history entry. */
function applyChange(index: IndexData, record: ArtifactRecord, positions: Map<string, number>): void {
  const position = positions.get(record.id);
  if (position === undefined) {
    positions.set(record.id, index.artifacts.length);
    index.artifacts.push(record);
  } else {
    index.artifacts[position] = record;
  }
  const versions = (index.history[record.id] ??= []);
  versions.length = Math.min(versions.length, record.metadata.version - 1);
  while (versions.length < record.metadata.version - 1) versions.push(record.content); // only a damaged journal skips a version
  versions.push(record.content);
}

/** Positions by id, for replaying a journal onto a snapshot read from disk. */
const positionsOf = new WeakMap<IndexData, Map<string, number>>();
function indexOf(index: IndexData): Map<string, number> {
  let positions = positionsOf.get(index);
  if (!positions) {
    positions = new Map(index.artifacts.map((record, position) => [record.id, position]));
    positionsOf.set(index, positions);
  }
  return positions;
}

/** New content gets a fresh summary; a blank summary on its own keeps the current one. */
function reviseSummary(current: ArtifactRecord, change: ArtifactChange, files: string[]): CappedSummary {
  if (change.content !== undefined) return deriveSummary(current.type, change.content, change.summary, files);
  if (change.summary !== undefined && change.summary.trim() !== '') return capSummary(change.summary);
  return { summary: current.summary, tokens: current.summaryTokens };
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new OrchestraError('invalid-input', `${JSON.stringify(value)} is not a valid ${what}.`);
  return parsed.data;
}

function requireText(value: unknown, what: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw new OrchestraError('invalid-input', `An artifact needs a ${what}.`);
}

function requireContent(value: unknown): void {
  if (typeof value !== 'string') throw new OrchestraError('invalid-input', 'Artifact content must be text.');
}

function safeFiles(files: string[]): string[] {
  const parsed = FilesSchema.safeParse(files);
  if (!parsed.success) {
    throw new OrchestraError('unsafe-path', parsed.error.issues[0]?.message ?? 'An artifact names a file outside the workspace.', {
      hint: 'Artifacts may only name files inside the workspace, outside .kilo-orchestra and .git.',
    });
  }
  return [...new Set(parsed.data)];
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function copyRecord(record: ArtifactRecord): ArtifactRecord {
  return {
    ...record,
    content: { ...record.content },
    metadata: { ...record.metadata, files: [...record.metadata.files], reviewedBy: [...record.metadata.reviewedBy] },
  };
}
