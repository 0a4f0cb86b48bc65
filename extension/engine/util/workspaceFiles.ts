import fs from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { OrchestraError, isOrchestraError } from './errors';
import { toWorkspaceRelative } from './paths';

/**
 * Paths as the file system sees them. `toWorkspaceRelative` checks the words of a path; this module
 * checks what they lead to: a symlink anywhere on the way (the file or any folder above it) whose
 * real target leaves the workspace is refused, and so are the control files that change what agents
 * may do. The rule for links: one whose real path stays inside the workspace is followed, and the
 * file it leads to is checked by the same rules (so `src/x -> ../kilo.json` is a control file); one
 * that leaves the workspace, or whose target cannot be resolved (dangling), is refused, since a
 * write through a dangling link creates its target wherever it points.
 */

/** Which finding a refused path becomes: a subset of the recorder's finding kinds. */
export type PathProblemKind = 'symlink' | 'control-file' | 'unsafe-path';

/** An `unsafe-path` error that also says which kind of finding it is. */
export class RefusedPathError extends OrchestraError {
  constructor(
    readonly kind: PathProblemKind,
    message: string,
  ) {
    super('unsafe-path', message);
  }
}

/** The kind of finding for an error from this module (or `toWorkspaceRelative`), if it is a refusal. */
export function refusalKind(error: unknown): PathProblemKind | undefined {
  if (error instanceof RefusedPathError) return error.kind;
  return isOrchestraError(error, 'unsafe-path') ? 'unsafe-path' : undefined;
}

export interface ResolvedWorkspaceFile {
  /** The path as named, normalised (`src/a.ts`). */
  relative: string;
  /** Where it really is, relative to the workspace's real root (differs when a link inside was followed). */
  realRelative: string;
  /** The real absolute path: every existing component resolved, no link left in it. */
  absolute: string;
}

/**
 * Folders (at any depth) whose files configure agents, hold the run's records, or run code for the
 * user: git hooks, `.vscode/` (workspace settings of this extension, tasks, launch configs) and
 * `node_modules/` (the installed tools the run itself starts: the project's `tsc` for the diagnostics
 * gate, the binaries `npm test` runs).
 */
const CONTROL_FOLDERS = new Set(['.kilo', '.kilocode', '.opencode', '.kilo-orchestra', '.git', '.vscode', 'node_modules']);
/** File names (at any depth) Kilo reads its agent and permission settings from. */
const CONTROL_FILES = new Set(['kilo.json', 'kilo.jsonc', 'opencode.json', 'opencode.jsonc']);
/** Never grantable, whatever the user allows: the run's own store and the repository. */
const NEVER_ALLOWED = new Set(['.kilo-orchestra', '.git']);

/**
 * True for a file that changes agents' powers: `kilo.json`, `kilo.jsonc`, `opencode.json(c)` and
 * anything under `.kilo/`, `.kilocode/`, `.opencode/`, `.kilo-orchestra/`, `.git/`, `.vscode/` or `node_modules/`, at any depth
 * and in any letter case (a case-insensitive disk would read `KILO.JSON` as `kilo.json`).
 */
export function isControlFile(relative: string): boolean {
  const parts = relative.replace(/\\/g, '/').toLowerCase().split('/').filter(Boolean);
  if (parts.slice(0, -1).some((part) => CONTROL_FOLDERS.has(part))) return true;
  const last = parts.at(-1) ?? '';
  return CONTROL_FOLDERS.has(last) || CONTROL_FILES.has(last);
}

/** True when the user may allow the file by naming it: not the store or the repository itself. */
function isAllowable(relative: string): boolean {
  return !relative.toLowerCase().split('/').some((part) => NEVER_ALLOWED.has(part));
}

/** Glob characters: a plan names files, not patterns, and a grant must match exactly one file. */
export function hasWildcard(candidate: string): boolean {
  return /[*?[\]{}]/.test(candidate);
}

/**
 * Resolves a workspace-relative path to its real location, refusing any symlink on the way whose
 * real target is outside the workspace (or cannot be resolved). Components that do not exist yet
 * are fine: that is a new file. Throws `RefusedPathError` (reason `unsafe-path`) naming the link.
 */
export async function resolveWorkspaceFile(workspace: string, candidate: string): Promise<ResolvedWorkspaceFile> {
  const relative = toWorkspaceRelative(candidate);
  const root = await fs.realpath(workspace);
  const parts = relative.split('/');
  let current = root;
  for (let index = 0; index < parts.length; index++) {
    const next = path.join(current, parts[index]!);
    const stat = await lstatOrMissing(next);
    if (stat === undefined) {
      current = path.join(next, ...parts.slice(index + 1));
      break;
    }
    current = stat.isSymbolicLink() ? await followLink(root, next, parts.slice(0, index + 1).join('/')) : next;
  }
  const realRelative = path.relative(root, current).split(path.sep).join('/');
  if (realRelative !== relative) toWorkspaceRelative(realRelative === '' ? '.' : realRelative);
  return { relative, realRelative, absolute: current };
}

/**
 * `resolveWorkspaceFile` plus the control-file rule: a path that is (or, through a link inside,
 * leads to) a control file is refused unless the user named it in `allowControlFiles`.
 */
export async function resolveGrantableFile(workspace: string, candidate: string, allowControlFiles: readonly string[] = []): Promise<ResolvedWorkspaceFile> {
  const resolved = await resolveWorkspaceFile(workspace, candidate);
  for (const name of new Set([resolved.relative, resolved.realRelative])) {
    if (!isControlFile(name)) continue;
    if (isAllowable(name) && allowControlFiles.some((allowed) => safeRelative(allowed) === name)) continue;
    const via = name === resolved.relative ? '' : ` (through a link at ${resolved.relative})`;
    throw new RefusedPathError('control-file', `${name}${via} is a control file that changes what agents may do; it is not written unless you allow it by name.`);
  }
  return resolved;
}

/**
 * Reads a workspace file without ever following a link out of the workspace: the parents are
 * checked by `resolveWorkspaceFile`, and the last component is opened with O_NOFOLLOW, so a link
 * swapped in after the check fails the open instead of being read through.
 */
export async function readWorkspaceFileSafely(workspace: string, candidate: string): Promise<string> {
  const { absolute } = await resolveWorkspaceFile(workspace, candidate);
  const handle = await fs.open(absolute, fsConstants.O_RDONLY | NOFOLLOW);
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Writes a workspace file (creating its folders) under the same rules as `readWorkspaceFileSafely`. */
export async function writeWorkspaceFileSafely(workspace: string, candidate: string, content: string): Promise<ResolvedWorkspaceFile> {
  const resolved = await resolveWorkspaceFile(workspace, candidate);
  await fs.mkdir(path.dirname(resolved.absolute), { recursive: true });
  // Resolved again: a folder created above may have raced with a link; the open itself never follows one.
  const again = await resolveWorkspaceFile(workspace, candidate);
  const handle = await fs.open(again.absolute, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC | NOFOLLOW);
  try {
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
  return again;
}

/** Windows has no O_NOFOLLOW; there the component checks above are the guard. */
const NOFOLLOW = fsConstants.O_NOFOLLOW ?? 0;

async function lstatOrMissing(file: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await fs.lstat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: a component is a file used as a folder; the write will fail on its own.
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new OrchestraError('io-failed', `Could not inspect ${file}.`, { cause: error });
  }
}

/** The real path a link leads to, when it stays inside `root`; otherwise a refusal naming the link. */
async function followLink(root: string, link: string, linkRelative: string): Promise<string> {
  const target = await fs.readlink(link).catch(() => '?');
  let real: string;
  try {
    real = await fs.realpath(link);
  } catch {
    throw new RefusedPathError('symlink', `${linkRelative} is a symbolic link to ${target}, which does not exist; a write through it could land outside the workspace, so it is refused.`);
  }
  if (real !== root && !real.startsWith(root + path.sep)) {
    throw new RefusedPathError('symlink', `${linkRelative} is a symbolic link to ${target} (${real}), outside the workspace; nothing is read or written through it.`);
  }
  return real;
}

function safeRelative(candidate: string): string | undefined {
  try {
    return toWorkspaceRelative(candidate);
  } catch {
    return undefined;
  }
}
