import path from 'node:path';
import { OrchestraError } from './errors';

/**
 * Normalises a path an agent or artifact names into a workspace-relative POSIX path, or throws
 * `unsafe-path`. Absolute paths, `..` escapes, NUL bytes, drive letters and the store's own folder
 * are refused: an agent must never be able to name a file outside the workspace.
 */
export function toWorkspaceRelative(candidate: string): string {
  if (typeof candidate !== 'string' || candidate.trim() === '') {
    throw new OrchestraError('unsafe-path', 'An empty file path was given.');
  }
  if (candidate.includes('\0')) throw new OrchestraError('unsafe-path', `The path ${JSON.stringify(candidate)} contains a NUL byte.`);
  const slashed = candidate.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[a-zA-Z]:/.test(slashed)) {
    throw new OrchestraError('unsafe-path', `The path ${JSON.stringify(candidate)} is absolute; only paths inside the workspace are allowed.`);
  }
  const normalised = path.posix.normalize(slashed).replace(/^(\.\/)+/, '');
  if (normalised === '.' || normalised === '..' || normalised.startsWith('../')) {
    throw new OrchestraError('unsafe-path', `The path ${JSON.stringify(candidate)} leaves the workspace.`);
  }
  if (normalised === STORE_DIR_NAME || normalised.startsWith(`${STORE_DIR_NAME}/`) || normalised === '.git' || normalised.startsWith('.git/')) {
    throw new OrchestraError('unsafe-path', `The path ${JSON.stringify(candidate)} points into a folder agents may not touch.`);
  }
  return normalised.replace(/\/$/, '');
}

/**
 * Absolute path of a workspace-relative path, after the same checks. Lexical only: symlinks are not
 * followed, so anything that reads or writes the file goes through `workspaceFiles.ts` instead.
 */
export function resolveInWorkspace(workspace: string, candidate: string): string {
  const relative = toWorkspaceRelative(candidate);
  const absolute = path.resolve(workspace, relative);
  const root = path.resolve(workspace);
  if (absolute !== root && !absolute.startsWith(root + path.sep)) {
    throw new OrchestraError('unsafe-path', `The path ${JSON.stringify(candidate)} leaves the workspace.`);
  }
  return absolute;
}

/** The folder inside a workspace where runs, artifacts and logs are kept. */
export const STORE_DIR_NAME = '.kilo-orchestra';
