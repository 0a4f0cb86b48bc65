import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { AtomicJsonFile } from '../util/atomicJsonAdapter';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../util/atomicWrite';
import { OrchestraError, describeError } from '../util/errors';
import { toWorkspaceRelative } from '../util/paths';
import { ApprovalStatusSchema, ArtifactRecordSchema, ArtifactStatusSchema, ArtifactTypeSchema, ContentRefSchema, WorkspacePathSchema } from './artifactSchema';
import type { ApprovalStatus, ArtifactRecord, ArtifactStatus, ArtifactSummary, ArtifactType, ContentRef } from './artifactSchema';
import { namedContent, sweepCrashLeftovers, withoutUnfinishedWork } from './crashLeftovers';
import { capSummary, deriveSummary, type CappedSummary } from './summarise';

const IndexSchema = z.object({
  format: z.literal(1),
  /** Last number handed out per type, so ids are never reused even after a failed write. */
  counters: z.record(z.string(), z.number().int().nonnegative()).default({}),
  artifacts: z.array(ArtifactRecordSchema).default([]),
  /** Content of every version, by id; entry `n - 1` is version `n`. */
  history: z.record(z.string(), z.array(ContentRefSchema)).default({}),
});
type IndexData = z.infer<typeof IndexSchema>;

const INDEX_FILE = 'artifacts.json';
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

interface PendingCommit {
  apply: (next: IndexData) => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The artifacts of a run: a lowdb index (`artifacts.json`) of records with short summaries, and
 * the full content of every version in its own file under `content/<id>/`, loaded only on demand.
 *
 * Writes are optimistic: `revise` names the version it read, and loses with `stale-version` if
 * that is no longer current. Any number of callers in one process may write at once; index
 * writes go through one queue and are batched. One store instance owns its folder: two processes
 * (or two instances) writing the same folder would overwrite each other's index.
 *
 * A record becomes visible to `get`/`list` once its index write has succeeded.
 */
export class ArtifactStore {
  private readonly counters: Record<string, number>;
  private readonly positions = new Map<string, number>();
  /** Ids with a revise between its version check and its index write. */
  private readonly writing = new Set<string>();
  private pending: PendingCommit[] = [];
  private flushing = false;

  private constructor(
    /** The store folder. */
    readonly dir: string,
    private readonly db: Low<IndexData>,
    private data: IndexData,
    private readonly now: () => Date,
    private readonly idPrefix: string,
  ) {
    this.counters = { ...data.counters };
    this.reindex();
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
    const loaded = (await readJsonFile(indexPath, IndexSchema)) ?? { format: 1 as const, counters: {}, artifacts: [], history: {} };
    const seen = new Set<string>();
    for (const record of loaded.artifacts) {
      if (seen.has(record.id)) {
        throw new OrchestraError('io-failed', `${indexPath} lists artifact ${record.id} twice.`, { hint: 'The file was left as it is. Repair it, or move it aside to start afresh.' });
      }
      seen.add(record.id);
    }
    const { index, dropped } = options.sweepLeftovers ? withoutUnfinishedWork(loaded, options.unfinishedWork ?? []) : { index: loaded, dropped: [] };
    const db = new Low<IndexData>(new AtomicJsonFile<IndexData>(indexPath), index);
    // The index is written before the files it no longer names are removed, so it never names a missing one.
    if (dropped.length > 0) await db.write();
    if (options.sweepLeftovers) await sweepCrashLeftovers(dir, namedContent(index));
    return new ArtifactStore(dir, db, index, options.now ?? (() => new Date()), idPrefix);
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
    await this.commit((next) => {
      next.artifacts.push(record);
      next.history[id] = [content];
    });
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
      await this.commit((next) => {
        const position = this.positions.get(id);
        if (position !== undefined) next.artifacts[position] = record;
        next.history[id] = [...(next.history[id] ?? []), content];
      });
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

  /** Queues an index change; resolves once it is on disk. Changes queued together share a write. */
  private commit(apply: (next: IndexData) => void): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.pending.push({ apply, resolve, reject }));
    if (!this.flushing) void this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      const next: IndexData = { format: 1, counters: { ...this.counters }, artifacts: [...this.data.artifacts], history: { ...this.data.history } };
      try {
        for (const change of batch) change.apply(next);
        this.db.data = next;
        await this.db.write();
      } catch (error) {
        // The index on disk is still the previous one; keep memory in step with it.
        this.db.data = this.data;
        const failure = new OrchestraError('io-failed', `Could not write the artifact index in ${this.dir}: ${describeError(error)}`, { cause: error });
        for (const change of batch) change.reject(failure);
        continue;
      }
      this.data = next;
      this.reindex();
      for (const change of batch) change.resolve();
    }
    this.flushing = false;
  }

  private reindex(): void {
    this.data.artifacts.forEach((record, position) => this.positions.set(record.id, position));
  }
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
