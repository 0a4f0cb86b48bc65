/*
 * Git checkpoints of the workspace that leave the user's repository as it was: the snapshot is
 * built in a temporary index (GIT_INDEX_FILE), written as a commit that no branch points to and
 * kept alive by a ref under refs/kilo-orchestra/. HEAD, branches, the user's index and stash are
 * never touched. Git runs through execFile with no shell.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OrchestraError, describeError } from '../util/errors';
import { STORE_DIR_NAME } from '../util/paths';

export interface Checkpoint {
  runId: string;
  /** 1, 2, 3 … in the order they were taken. */
  index: number;
  /** The ref that keeps the commit alive, `refs/kilo-orchestra/<runId>/<index>`. */
  ref: string;
  commit: string;
  /** Why it was taken ("before the run", "after PLANNING"). */
  label: string;
  /** When it was taken (ms since the epoch, to the second); known once `load` has read it back. */
  atMs?: number;
}

export interface RollBackResult {
  /** Workspace-relative files written back from the checkpoint. */
  restored: number;
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

const REF_ROOT = 'refs/kilo-orchestra';
/** A checkpoint commit needs an identity even where the user has configured none. */
const IDENTITY = { GIT_AUTHOR_NAME: 'Kilo Orchestra', GIT_AUTHOR_EMAIL: 'checkpoints@kilo-orchestra.invalid', GIT_COMMITTER_NAME: 'Kilo Orchestra', GIT_COMMITTER_EMAIL: 'checkpoints@kilo-orchestra.invalid' };

/** The checkpoints of one run; `create` and `rollBack` run one at a time. */
export class Checkpoints {
  private readonly taken: Checkpoint[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private repo?: { top: string; prefix: string };

  constructor(private readonly options: CheckpointsOptions) {}

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
    return this.serial(async () => {
      const first = new Map<string, number>();
      for (const checkpoint of await this.readRefs(`${REF_ROOT}/`)) first.set(checkpoint.runId, Math.min(first.get(checkpoint.runId) ?? Infinity, checkpoint.atMs ?? 0));
      return [...first].sort((a, b) => b[1] - a[1] || b[0].localeCompare(a[0])).map(([runId]) => runId);
    });
  }

  /** Workspace-relative files that differ between `from` (default: the checkpoint before) and `checkpoint`; for the first, every file it holds. */
  changedFiles(checkpoint: Checkpoint, from?: Checkpoint): Promise<string[]> {
    return this.serial(async () => {
      const { top, prefix } = await this.repository();
      const previous = from ?? this.taken.filter((other) => other.index < checkpoint.index).at(-1);
      const args = previous ? ['diff-tree', '-r', '-z', '--name-only', previous.commit, checkpoint.commit] : ['ls-tree', '-r', '-z', '--name-only', '--full-tree', checkpoint.commit];
      return splitZ(await this.git(top, args)).filter((file) => file.startsWith(prefix)).map((file) => file.slice(prefix.length));
    });
  }

  private async readRefs(under: string): Promise<Checkpoint[]> {
    const { top } = await this.repository();
    const out = await this.git(top, ['for-each-ref', '--format=%(refname)%00%(objectname)%00%(creatordate:unix)%00%(contents:subject)', under]);
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
   * @throws OrchestraError `invalid-config` when the workspace is not in a git repository, `io-failed` when git fails.
   */
  create(label: string): Promise<Checkpoint> {
    return this.serial(async () => {
      const { top } = await this.repository();
      const commit = await this.withTemporaryIndex(async (env) => {
        // The run writes its own folder while this runs, so git must never look at it: a glob
        // exclude keeps it out whether or not it is ignored (a plain exclude of an ignored
        // folder makes `add` fail, and adding then removing it races with the run's writes).
        await this.git(top, ['add', '-A', '--', this.pathspec()[0]!, `:(exclude,glob)**/${STORE_DIR_NAME}/**`], env);
        const tree = (await this.git(top, ['write-tree'], env)).trim();
        const parent = this.latest()?.commit;
        const message = `Kilo Orchestra checkpoint: ${label}`;
        return (await this.git(top, ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message], { ...env, ...IDENTITY })).trim();
      });
      const index = (this.latest()?.index ?? 0) + 1;
      const ref = `${REF_ROOT}/${this.options.runId}/${index}`;
      await this.git(top, ['update-ref', ref, commit]);
      const checkpoint: Checkpoint = { runId: this.options.runId, index, ref, commit, label, atMs: Date.now() };
      this.taken.push(checkpoint);
      return checkpoint;
    });
  }

  /**
   * Puts the workspace back as it was at `checkpoint`: files it had are written back (changed or
   * deleted ones alike) and files created since are removed. Ignored files, `.git` and the run's
   * own folder are left alone.
   */
  rollBack(checkpoint: Checkpoint): Promise<RollBackResult> {
    return this.serial(async () => {
      const { top, prefix } = await this.repository();
      return this.withTemporaryIndex(async (env) => {
        // With an empty index every file git does not ignore counts as "other": the current files.
        const now = splitZ(await this.git(top, ['ls-files', '-z', '--others', '--exclude-standard', '--', ...this.pathspec()], env));
        await this.git(top, ['read-tree', checkpoint.commit], env);
        const then = new Set(splitZ(await this.git(top, ['ls-files', '-z', '--cached'], env)));
        const removed: string[] = [];
        for (const file of now) {
          // A nested repository shows as "dir/": it is not ours to remove.
          if (then.has(file) || file.endsWith('/') || !this.owned(file, prefix)) continue;
          fs.rmSync(path.join(top, file), { force: true });
          removeEmptyParents(top, path.dirname(file));
          removed.push(prefix ? file.slice(prefix.length) : file);
        }
        await this.git(top, ['checkout-index', '-a', '-f'], env);
        return { restored: then.size, removed };
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

  private async repository(): Promise<{ top: string; prefix: string }> {
    if (this.repo) return this.repo;
    let out: string;
    try {
      out = await this.git(this.options.workspace, ['rev-parse', '--show-toplevel', '--show-prefix']);
    } catch (error) {
      throw new OrchestraError('invalid-config', `Checkpoints need the workspace to be in a git repository: ${describeError(error)}`, {
        hint: `Run "git init" in ${this.options.workspace} to enable checkpoints and roll back.`,
        cause: error,
      });
    }
    const [top = '', prefix = ''] = out.split('\n');
    this.repo = { top, prefix };
    return this.repo;
  }

  private async withTemporaryIndex<T>(work: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-orchestra-index-'));
    try {
      return await work({ GIT_INDEX_FILE: path.join(dir, 'index') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  private git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.options.git ?? 'git', args, { cwd, env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024, windowsHide: true, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error) reject(new OrchestraError('io-failed', `git ${args[0]} failed: ${(stderr || error.message).trim()}`, { cause: error }));
        else resolve(stdout);
      });
    });
  }

  /** One git operation at a time: two snapshots racing on refs or files would be wrong. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }
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
