/*
 * Git checkpoints of the workspace that leave the user's repository as it was: the snapshot is
 * built in a temporary index (GIT_INDEX_FILE), written as a commit in the private store
 * `.kilo-orchestra/checkpoints.git` (see checkpointStore.ts) and kept alive by a ref there. The
 * user's HEAD, branches, index, stash and refs are never touched, and history views never show
 * a checkpoint. Works in a folder that is not a git repository too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { STORE_DIR_NAME } from '../util/paths';
import { GitRunner, REF_ROOT, openCheckpointRepo, pruneCheckpointRepo, type CheckpointRepo } from './checkpointStore';

/** How many runs keep their checkpoints: the newest ones, by their first checkpoint. */
export const KEEP_CHECKPOINT_RUNS = 20;

export interface Checkpoint {
  runId: string;
  /** 1, 2, 3 … in the order they were taken. */
  index: number;
  /** The ref that keeps the commit alive, `refs/kilo-orchestra/<runId>/<index>`. */
  ref: string;
  commit: string;
  /** Why it was taken ("before the run", "after writing the plan"). */
  label: string;
  /** When it was taken (ms since the epoch, to the second); known once `load` has read it back. */
  atMs?: number;
}

export interface RollBackResult {
  /** How many files were written back because they differed from the checkpoint (changed or deleted since). */
  restored: number;
  /** Those files, workspace-relative. */
  restoredFiles: string[];
  /** Workspace-relative files created since the checkpoint, now removed. */
  removed: string[];
}

export interface CheckpointsOptions {
  /** Absolute path of the workspace (the repository's root or a folder inside it). */
  workspace: string;
  runId: string;
  /** The git executable (default `git` on PATH). */
  git?: string;
}

/** A checkpoint commit needs an identity even where the user has configured none. */
const IDENTITY = { GIT_AUTHOR_NAME: 'Kilo Orchestra', GIT_AUTHOR_EMAIL: 'checkpoints@kilo-orchestra.invalid', GIT_COMMITTER_NAME: 'Kilo Orchestra', GIT_COMMITTER_EMAIL: 'checkpoints@kilo-orchestra.invalid' };

/** The checkpoints of one run; `create` and `rollBack` run one at a time. */
export class Checkpoints {
  private readonly taken: Checkpoint[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private repo?: CheckpointRepo;
  private readonly runner: GitRunner;

  constructor(private readonly options: CheckpointsOptions) {
    this.runner = new GitRunner(options.git);
  }

  /** Checkpoints taken so far, oldest first (including ones found by `load`). */
  list(): Checkpoint[] {
    return [...this.taken];
  }

  latest(): Checkpoint | undefined {
    return this.taken.at(-1);
  }

  /** Reads the run's checkpoints back from its refs (after a window reload, or in a later process). */
  load(): Promise<Checkpoint[]> {
    return this.serial(async () => {
      const found = (await this.readRefs(`${REF_ROOT}/${this.options.runId}/`)).filter((checkpoint) => checkpoint.runId === this.options.runId);
      this.taken.splice(0, this.taken.length, ...found);
      return this.list();
    });
  }

  /** Ids of the workspace's runs that have checkpoints, the newest first (by their first checkpoint). */
  runs(): Promise<string[]> {
    return this.serial(() => this.runIds());
  }

  /**
   * Keeps the checkpoints of the newest `keep` runs (this run always among them) and deletes the
   * rest with the objects only they used. Resolves with the ids of the runs whose checkpoints went.
   */
  prune(keep = KEEP_CHECKPOINT_RUNS, expire?: string): Promise<string[]> {
    return this.serial(async () => {
      const kept = new Set([this.options.runId, ...(await this.runIds()).slice(0, keep)]);
      return pruneCheckpointRepo(await this.repository(), this.runner, kept, expire);
    });
  }

  /** Workspace-relative files that differ between `from` (default: the checkpoint before) and `checkpoint`; for the first, every file it holds. */
  changedFiles(checkpoint: Checkpoint, from?: Checkpoint): Promise<string[]> {
    return this.serial(async () => {
      const { prefix } = await this.repository();
      const previous = from ?? this.taken.filter((other) => other.index < checkpoint.index).at(-1);
      const args = previous ? ['diff-tree', '-r', '-z', '--name-only', previous.commit, checkpoint.commit] : ['ls-tree', '-r', '-z', '--name-only', '--full-tree', checkpoint.commit];
      return splitZ(await this.store(args)).filter((file) => file.startsWith(prefix)).map((file) => file.slice(prefix.length));
    });
  }

  private async runIds(): Promise<string[]> {
    const first = new Map<string, number>();
    for (const checkpoint of await this.readRefs(`${REF_ROOT}/`)) first.set(checkpoint.runId, Math.min(first.get(checkpoint.runId) ?? Infinity, checkpoint.atMs ?? 0));
    return [...first].sort((a, b) => b[1] - a[1] || b[0].localeCompare(a[0])).map(([runId]) => runId);
  }

  private async readRefs(under: string): Promise<Checkpoint[]> {
    const out = await this.store(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(creatordate:unix)%00%(contents:subject)', under]);
    return out
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [ref = '', commit = '', seconds = '', subject = ''] = line.split('\0');
        const parts = ref.slice(REF_ROOT.length + 1).split('/');
        return { runId: parts.length === 2 ? parts[0]! : '', index: Number(parts.at(-1)), ref, commit, label: subject.replace(/^Kilo Orchestra checkpoint: /, ''), atMs: Number(seconds) * 1000 };
      })
      .filter((checkpoint) => checkpoint.runId !== '' && Number.isInteger(checkpoint.index))
      .sort((a, b) => a.index - b.index);
  }

  /**
   * Snapshots every file of the workspace that git does not ignore (the run's own folder
   * excluded) into a new checkpoint.
   * @throws OrchestraError `invalid-config` when git cannot be run, `io-failed` when git fails.
   */
  create(label: string): Promise<Checkpoint> {
    return this.serial(async () => {
      const commit = await this.withTemporaryIndex(async (work) => {
        // The run writes its own folder while this runs, so git must never look at it: a glob
        // exclude keeps it out whether or not it is ignored (a plain exclude of an ignored
        // folder makes `add` fail, and adding then removing it races with the run's writes).
        await work(['add', '-A', '--', this.pathspec()[0]!, `:(exclude,glob)**/${STORE_DIR_NAME}/**`]);
        const tree = (await work(['write-tree'])).trim();
        const parent = this.latest()?.commit;
        const message = `Kilo Orchestra checkpoint: ${label}`;
        return (await work(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message], IDENTITY)).trim();
      });
      const index = (this.latest()?.index ?? 0) + 1;
      const ref = `${REF_ROOT}/${this.options.runId}/${index}`;
      await this.store(['update-ref', ref, commit]);
      const checkpoint: Checkpoint = { runId: this.options.runId, index, ref, commit, label, atMs: Date.now() };
      this.taken.push(checkpoint);
      return checkpoint;
    });
  }

  /**
   * Puts the workspace back as it was at `checkpoint`: files that differ from it (changed or
   * deleted alike) are written back, and only those, and files created since are removed.
   * Ignored files, `.git` and the run's own folder are left alone.
   */
  rollBack(checkpoint: Checkpoint): Promise<RollBackResult> {
    return this.serial(async () => {
      const { top, prefix } = await this.repository();
      return this.withTemporaryIndex(async (work) => {
        // With an empty index every file git does not ignore counts as "other": the current files.
        const now = splitZ(await work(['ls-files', '-z', '--others', '--exclude-standard', '--', ...this.pathspec()]));
        await work(['read-tree', checkpoint.commit]);
        const then = new Set(splitZ(await work(['ls-files', '-z', '--cached'])));
        const removed: string[] = [];
        for (const file of now) {
          // A nested repository shows as "dir/": it is not ours to remove.
          if (then.has(file) || file.endsWith('/') || !this.owned(file, prefix)) continue;
          fs.rmSync(path.join(top, file), { force: true });
          removeEmptyParents(top, path.dirname(file));
          removed.push(file.slice(prefix.length));
        }
        // Compared by content (refresh hashes what the stat data cannot vouch for), so a file
        // that is as it was is neither counted nor rewritten (its mtime stays).
        await work(['update-index', '-q', '--refresh']).catch(() => undefined);
        const differing = splitZ(await work(['diff-files', '-z', '--name-only'])).filter((file) => this.owned(file, prefix));
        if (differing.length > 0) await work(['checkout-index', '-f', '-z', '--stdin'], {}, differing.map((file) => `${file}\0`).join(''));
        const restoredFiles = differing.map((file) => file.slice(prefix.length));
        return { restored: restoredFiles.length, restoredFiles, removed };
      });
    });
  }

  private pathspec(): string[] {
    const prefix = this.repo?.prefix ?? '';
    return [prefix === '' ? '.' : prefix, `:(exclude)${prefix}${STORE_DIR_NAME}`];
  }

  /** Whether a top-relative path belongs to the workspace and is not one we must never touch. */
  private owned(file: string, prefix: string): boolean {
    if (!file.startsWith(prefix)) return false;
    const inside = file.slice(prefix.length);
    const first = inside.split('/')[0];
    return first !== STORE_DIR_NAME && first !== '.git';
  }

  private async repository(): Promise<CheckpointRepo> {
    this.repo ??= await openCheckpointRepo(this.options.workspace, this.runner);
    return this.repo;
  }

  /** Git on the private store alone (refs and objects, no work tree). */
  private async store(args: string[]): Promise<string> {
    const { top, gitDir } = await this.repository();
    return this.runner.run(top, args, { GIT_DIR: gitDir });
  }

  /** Runs `work` with git bound to the private store, the work tree and a fresh index of its own. */
  private async withTemporaryIndex<T>(work: (git: (args: string[], env?: NodeJS.ProcessEnv, input?: string) => Promise<string>) => Promise<T>): Promise<T> {
    const { top, gitDir } = await this.repository();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-orchestra-index-'));
    const bound = { GIT_DIR: gitDir, GIT_WORK_TREE: top, GIT_INDEX_FILE: path.join(dir, 'index') };
    try {
      return await work((args, env = {}, input) => this.runner.run(top, args, { ...bound, ...env }, input));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** One git operation at a time: two snapshots racing on refs or files would be wrong. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/** "1 file restored, 0 created files removed": the one wording of a roll back's outcome, for the CLI and the editor. */
export function rollBackCounts(result: RollBackResult): string {
  const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  return `${plural(result.restored, 'file', 'files')} restored, ${plural(result.removed.length, 'created file', 'created files')} removed`;
}

function splitZ(out: string): string[] {
  return out.split('\0').filter((entry) => entry !== '');
}

/** Removes folders the removal left empty, up to (never including) the repository root. */
function removeEmptyParents(top: string, relativeDir: string): void {
  for (let dir = relativeDir; dir !== '.' && dir !== '' && dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      fs.rmdirSync(path.join(top, dir));
    } catch {
      return; // not empty (or already gone): stop climbing
    }
  }
}
