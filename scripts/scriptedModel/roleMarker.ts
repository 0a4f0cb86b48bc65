import { OrchestraError } from '../../extension/engine/util/errors';

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
