/*
 * Where checkpoints live: a private bare repository, `.kilo-orchestra/checkpoints.git`, so the
 * user's `git log --all`, gitk and editor history graphs never see them (they walk every ref under
 * the user's `refs/`, and a ref namespace outside it would be fragile). When the workspace is in
 * a git repository, the store borrows its objects through `objects/info/alternates`, so a
 * snapshot writes only blobs the user's repository lacks; outside git it stands alone.
 * Git runs through execFile (or spawn, for stdin) with no shell.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { OrchestraError } from '../util/errors';
import { ensureStoreFolder } from '../util/storeFolder';

/** The ref namespace inside the private store (and where older versions kept them in the user's repository). */
export const REF_ROOT = 'refs/kilo-orchestra';
/** The private store's folder name inside `.kilo-orchestra/`. */
export const STORE_REPO_NAME = 'checkpoints.git';

export interface CheckpointRepo {
  /** The work tree git snapshots: the user's repository root, or the workspace outside git. */
  top: string;
  /** The workspace's path inside `top` (`app/` or `''`), with a trailing slash. */
  prefix: string;
  /** The private store. */
  gitDir: string;
  /** The user's repository's common git dir, when the workspace is in one. */
  userGitDir?: string;
}

/** Runs git with the environment of the checkpoint store, never the caller's GIT_* variables. */
export class GitRunner {
  constructor(private readonly executable = 'git') {}

  run(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<string> {
    const fullEnv = { ...cleanEnv(), ...env };
    if (input !== undefined) return this.withInput(cwd, args, fullEnv, input);
    return new Promise((resolve, reject) => {
      execFile(this.executable, args, { cwd, env: fullEnv, maxBuffer: 256 * 1024 * 1024, windowsHide: true, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error) reject(gitError(args, stderr, error));
        else resolve(stdout);
      });
    });
  }

  private withInput(cwd: string, args: string[], env: NodeJS.ProcessEnv, input: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.executable, args, { cwd, env, windowsHide: true, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', (error) => reject(gitError(args, '', error)));
      child.on('close', (code) => {
        const stderr = Buffer.concat(err).toString('utf8');
        if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
        else reject(gitError(args, stderr, new Error(`exit code ${code}`)));
      });
      child.stdin.end(input);
    });
  }
}

/**
 * Finds the work tree, creates the private store if it is missing (with the user's object format
 * and alternates), and moves checkpoints older versions left under the user's `refs/kilo-orchestra/`
 * into it, once.
 * @throws OrchestraError `invalid-config` when git cannot be run at all.
 */
export async function openCheckpointRepo(workspace: string, git: GitRunner): Promise<CheckpointRepo> {
  const user = await userRepository(workspace, git);
  const gitDir = path.join(await ensureStoreFolder(workspace), STORE_REPO_NAME);
  if (!fs.existsSync(path.join(gitDir, 'HEAD'))) {
    await git.run(workspace, ['init', '--bare', '-q', ...(user ? [`--object-format=${user.objectFormat}`] : []), gitDir]);
    // Plumbing only, never `gc --auto`: pruning is ours to run (see pruneCheckpointRepo).
    await git.run(workspace, ['config', 'gc.auto', '0'], { GIT_DIR: gitDir });
  }
  const alternates = path.join(gitDir, 'objects', 'info', 'alternates');
  const wanted = user ? `${path.join(user.gitDir, 'objects')}\n` : '';
  const current = fs.existsSync(alternates) ? fs.readFileSync(alternates, 'utf8') : '';
  // Rewritten when the repository moved; removed when the workspace left git.
  if (current !== wanted) {
    if (wanted) fs.writeFileSync(alternates, wanted);
    else fs.rmSync(alternates, { force: true });
  }
  // The user's own excludes (`.git/info/exclude`) apply to snapshots as they did when checkpoints lived in their repository.
  if (user) copyExcludes(path.join(user.gitDir, 'info', 'exclude'), path.join(gitDir, 'info', 'exclude'));
  const repo: CheckpointRepo = { top: user?.top ?? workspace, prefix: user?.prefix ?? '', gitDir, ...(user ? { userGitDir: user.gitDir } : {}) };
  // Housekeeping: a failure (another process moving them at the same moment) leaves them for next time.
  if (user) await adoptLegacyRefs(repo, git).catch(() => undefined);
  return repo;
}

/**
 * Deletes the checkpoints of every run but `keep`, then the objects only they used. Only loose
 * objects of the private store are pruned (never packs, never the user's objects), and only ones
 * older than `expire`, so a checkpoint being written right now by another process is safe.
 */
export async function pruneCheckpointRepo(repo: CheckpointRepo, git: GitRunner, keep: ReadonlySet<string>, expire = '1.hour.ago'): Promise<string[]> {
  const env = { GIT_DIR: repo.gitDir };
  const refs = (await git.run(repo.top, ['for-each-ref', '--format=%(refname)', `${REF_ROOT}/`], env)).split('\n').filter((ref) => ref !== '');
  const drop = refs.filter((ref) => !keep.has(ref.slice(REF_ROOT.length + 1).split('/')[0] ?? ''));
  if (drop.length === 0) return [];
  await git.run(repo.top, ['update-ref', '--stdin'], env, drop.map((ref) => `delete ${ref}\n`).join(''));
  await git.run(repo.top, ['prune', `--expire=${expire}`], env);
  return [...new Set(drop.map((ref) => ref.slice(REF_ROOT.length + 1).split('/')[0]!))];
}

/** The repository the workspace is in, or undefined outside git. */
async function userRepository(workspace: string, git: GitRunner): Promise<{ top: string; prefix: string; gitDir: string; objectFormat: string } | undefined> {
  let out: string;
  try {
    out = await git.run(workspace, ['rev-parse', '--show-toplevel', '--show-prefix', '--git-common-dir', '--show-object-format']);
  } catch (error) {
    if (isMissingExecutable(error)) {
      throw new OrchestraError('invalid-config', 'Checkpoints need git, which could not be run.', { hint: 'Install git (or put it on PATH) to have checkpoints and roll back.', cause: error });
    }
    return undefined; // not a repository: the private store stands alone
  }
  const [top = '', prefix = '', gitDir = '', objectFormat = 'sha1'] = out.split('\n');
  return { top, prefix, gitDir: path.resolve(workspace, gitDir), objectFormat };
}

/**
 * Moves checkpoints older versions kept in the user's repository into the private store: the
 * objects only they reach are packed into the store, the refs recreated there and deleted from
 * the user's repository. A failure leaves them where they were (and they are tried again next time).
 */
async function adoptLegacyRefs(repo: CheckpointRepo, git: GitRunner): Promise<void> {
  const lines = (await git.run(repo.top, ['for-each-ref', '--format=%(refname) %(objectname)', `${REF_ROOT}/`])).split('\n').filter((line) => line !== '');
  if (lines.length === 0) return;
  const legacy = lines.map((line) => line.split(' ') as [string, string]);
  const objects = await git.run(repo.top, ['rev-list', '--objects', ...new Set(legacy.map(([, commit]) => commit)), '--not', `--exclude=${REF_ROOT}/*`, '--all']);
  if (objects.trim() !== '') await git.run(repo.top, ['pack-objects', '-q', path.join(repo.gitDir, 'objects', 'pack', 'pack')], {}, objects);
  await git.run(repo.top, ['update-ref', '--stdin'], { GIT_DIR: repo.gitDir }, legacy.map(([ref, commit]) => `update ${ref} ${commit}\n`).join(''));
  await git.run(repo.top, ['update-ref', '--stdin'], {}, legacy.map(([ref, commit]) => `delete ${ref} ${commit}\n`).join(''));
}

function copyExcludes(from: string, to: string): void {
  const text = fs.existsSync(from) ? fs.readFileSync(from, 'utf8') : '';
  if ((fs.existsSync(to) ? fs.readFileSync(to, 'utf8') : undefined) === text) return;
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.writeFileSync(to, text);
}

/** The caller's environment without the GIT_* variables that would point git at another repository. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_PREFIX']) delete env[name];
  return env;
}

function isMissingExecutable(error: unknown): boolean {
  const cause = error instanceof OrchestraError ? error.cause : error;
  return (cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function gitError(args: string[], stderr: string, error: Error): OrchestraError {
  return new OrchestraError('io-failed', `git ${args[0]} failed: ${(stderr || error.message).trim()}`, { cause: error });
}
