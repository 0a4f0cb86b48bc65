/*
 * What a run changed, read from its checkpoints in the private store (see checkpointStore.ts):
 * the files that differ between two checkpoints with their line counts, and a file's content as
 * a checkpoint holds it (the left side of the editor's diff). Read-only: nothing is written.
 */
import { z } from 'zod';
import { OrchestraError } from '../util/errors';
import { GitRunner, openCheckpointRepo } from './checkpointStore';

export const FILE_CHANGE_KINDS = ['added', 'modified', 'deleted'] as const;

/** One file a run changed; `binary` files have no line counts (0/0). */
export const FileChangeSchema = z.object({
  path: z.string().min(1).max(1000),
  change: z.enum(FILE_CHANGE_KINDS),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  binary: z.boolean().optional(),
});
export type FileChange = z.infer<typeof FileChangeSchema>;

/** A checkpoint commit as the store names it (sha-1 or sha-256). */
const COMMIT = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

const KIND_OF_STATUS: Record<string, FileChange['change'] | undefined> = { A: 'added', M: 'modified', T: 'modified', D: 'deleted' };

/**
 * Workspace-relative files that differ between checkpoint commits `from` and `to`, sorted by path.
 * @throws OrchestraError `invalid-input` for a commit that is not one, `io-failed` when git fails.
 */
export async function changesBetween(workspace: string, from: string, to: string, git?: string): Promise<FileChange[]> {
  for (const commit of [from, to]) if (!COMMIT.test(commit)) throw new OrchestraError('invalid-input', `${JSON.stringify(commit)} is not a checkpoint commit.`);
  if (from === to) return [];
  const runner = new GitRunner(git);
  const repo = await openCheckpointRepo(workspace, runner);
  const store = (args: string[]) => runner.run(repo.top, args, { GIT_DIR: repo.gitDir });
  // Renames count as a deletion and an addition: a roll back undoes them that way too.
  const base = ['diff-tree', '-r', '-z', '--no-renames', from, to];
  const [statuses, counts] = await Promise.all([store([...base, '--name-status']), store([...base, '--numstat'])]);
  const lines = new Map<string, { additions: number; deletions: number; binary: boolean }>();
  // --numstat -z: "<added>\t<deleted>\t<path>\0", with "-" for both on a binary file.
  for (const entry of splitZ(counts)) {
    const [added = '', deleted = '', ...rest] = entry.split('\t');
    const binary = added === '-' && deleted === '-';
    lines.set(rest.join('\t'), { additions: binary ? 0 : Number(added) || 0, deletions: binary ? 0 : Number(deleted) || 0, binary });
  }
  const changes: FileChange[] = [];
  // --name-status -z: "<status>\0<path>\0" pairs.
  const fields = splitZ(statuses);
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const change = KIND_OF_STATUS[fields[i]!.charAt(0)];
    const file = fields[i + 1]!;
    if (!change || !file.startsWith(repo.prefix)) continue;
    const count = lines.get(file) ?? { additions: 0, deletions: 0, binary: false };
    changes.push({ path: file.slice(repo.prefix.length), change, additions: count.additions, deletions: count.deletions, ...(count.binary ? { binary: true } : {}) });
  }
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The content of workspace-relative `file` in checkpoint `commit`, or undefined when the checkpoint
 * does not hold it (a file the run added).
 * @throws OrchestraError `invalid-input` for a commit or path that is not one.
 */
export async function checkpointFileContent(workspace: string, commit: string, file: string, git?: string): Promise<string | undefined> {
  if (!COMMIT.test(commit)) throw new OrchestraError('invalid-input', `${JSON.stringify(commit)} is not a checkpoint commit.`);
  const parts = file.split('/');
  if (file === '' || file.startsWith('/') || parts.some((part) => part === '' || part === '.' || part === '..')) {
    throw new OrchestraError('invalid-input', `${JSON.stringify(file)} is not a workspace-relative file path.`);
  }
  const runner = new GitRunner(git);
  const repo = await openCheckpointRepo(workspace, runner);
  const env = { GIT_DIR: repo.gitDir };
  const object = `${commit}:${repo.prefix}${file}`;
  try {
    await runner.run(repo.top, ['cat-file', '-e', object], env);
  } catch {
    return undefined;
  }
  return runner.run(repo.top, ['cat-file', 'blob', object], env);
}

function splitZ(out: string): string[] {
  return out.split('\0').filter((entry) => entry !== '');
}
