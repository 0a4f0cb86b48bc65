import { OrchestraError } from '../util/errors';

/**
 * Role prompts carry a marker line so a scripted model can tell which role is asking, and so the
 * request log can prove which model served which role.
 */
const MARKER_PATTERN = /\[kilo-orchestra:role=([a-z][a-z0-9-]{1,39})\]/;

/** The marker line a role's prompt includes, e.g. `[kilo-orchestra:role=architect]`. */
export function roleMarker(roleId: string): string {
  if (!/^[a-z][a-z0-9-]{1,39}$/.test(roleId)) {
    throw new OrchestraError('invalid-input', `"${roleId}" is not a role id (2–40 lower-case letters, digits or dashes).`);
  }
  return `[kilo-orchestra:role=${roleId}]`;
}

/** The role id of the first marker in `text`, or undefined when it carries none. */
export function detectRole(text: string): string | undefined {
  return MARKER_PATTERN.exec(text)?.[1];
}

const WORK_PATTERN = /\[kilo-orchestra:work=([a-z-]+)(?: files=([^\]]*))?\]/;

/**
 * The line a work prompt ends with, naming the kind of work and its files, so the request log
 * (and a scripted model) can tell what each request was for: `[kilo-orchestra:work=implement files=src/a.ts]`.
 */
export function workMarker(kind: string, files: readonly string[]): string {
  return files.length > 0 ? `[kilo-orchestra:work=${kind} files=${files.join(',')}]` : `[kilo-orchestra:work=${kind}]`;
}

/** The kind and files of the first work marker in `text`. */
export function detectWork(text: string): { kind: string; files: string[] } | undefined {
  const match = WORK_PATTERN.exec(text);
  if (!match) return undefined;
  return { kind: match[1]!, files: match[2] ? match[2].split(',').filter(Boolean) : [] };
}
