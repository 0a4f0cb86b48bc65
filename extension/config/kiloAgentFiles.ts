import type { Profile, RoleDefinition } from '../engine/roles/roleSchema';

/**
 * Roles as Kilo agent files (`.kilo/agent/<name>.md`): YAML front matter with `description`,
 * `mode: subagent` and `model: provider/model`, and the prompt as the body. Pure: no file I/O.
 */

export interface AgentFile {
  /** `<role id>.md`. */
  fileName: string;
  content: string;
}

/** What a Kilo agent file says about a role. */
export interface ParsedAgentFile {
  roleId: string;
  description?: string;
  prompt: string;
  model?: { providerID: string; modelID: string };
}

export type AgentFileParse = { ok: true; agent: ParsedAgentFile } | { ok: false; problem: string };

/** Larger than any sane prompt; a bigger file is refused rather than read into a role. */
export const MAX_AGENT_FILE_BYTES = 200_000;
const ROLE_ID = /^[a-z][a-z0-9-]{1,39}$/;

export function roleToAgentFile(role: Pick<RoleDefinition, 'id' | 'description' | 'prompt'>, profile?: Pick<Profile, 'providerID' | 'modelID'>): AgentFile {
  const lines = ['---', `description: ${yamlString(role.description)}`, 'mode: subagent'];
  if (profile) lines.push(`model: ${yamlString(`${profile.providerID}/${profile.modelID}`)}`);
  lines.push('---', '', role.prompt.trimEnd(), '');
  return { fileName: `${role.id}.md`, content: lines.join('\n') };
}

/**
 * The role id a file name stands for, or a problem: only a plain `<role id>.md` name is accepted
 * (no folders, no `..`, no control characters), so an import can never be steered elsewhere.
 */
export function roleIdFromFileName(fileName: string): { ok: true; roleId: string } | { ok: false; problem: string } {
  if (/[\\/\0]/.test(fileName) || fileName.includes('..')) return { ok: false, problem: `"${printable(fileName)}" is not a plain file name.` };
  const match = /^(.*)\.md$/i.exec(fileName);
  if (!match) return { ok: false, problem: `${printable(fileName)} is not a markdown (.md) agent file.` };
  const roleId = match[1]!.toLowerCase();
  if (!ROLE_ID.test(roleId)) {
    return { ok: false, problem: `${printable(fileName)}: the file name must be a role id (2–40 lower-case letters, digits or dashes, starting with a letter) followed by .md.` };
  }
  return { ok: true, roleId };
}

/** Reads a Kilo agent file defensively; every problem is a one-line reason naming the file. */
export function parseAgentFile(fileName: string, text: string): AgentFileParse {
  const name = roleIdFromFileName(fileName);
  if (!name.ok) return name;
  const fail = (problem: string): AgentFileParse => ({ ok: false, problem: `${fileName}: ${problem}` });
  if (text.length > MAX_AGENT_FILE_BYTES) return fail(`the file is larger than ${MAX_AGENT_FILE_BYTES / 1000} kB.`);
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (!normalised.startsWith('---\n')) return fail('it does not start with front matter (a line "---").');
  const fence = /\n---[ \t]*(?:\n|$)/.exec(normalised.slice(3));
  if (!fence) return fail('its front matter is not closed by a line "---".');
  const end = 3 + fence.index;
  const body = normalised.slice(end + fence[0].length);
  const fields = new Map<string, string>();
  const header = normalised.slice(4, end).split('\n');
  for (const [index, line] of header.entries()) {
    // Nested blocks (tools:, permission:) and comments are Kilo's business, not a role's.
    if (line.trim() === '' || line.trimStart().startsWith('#') || /^\s/.test(line)) continue;
    const match = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (!match) return fail(`front matter line ${index + 2} is not "key: value".`);
    const value = parseScalar(match[2]!);
    if (value === undefined) return fail(`the value of "${match[1]}" on line ${index + 2} is not a valid string.`);
    fields.set(match[1]!, value);
  }
  const prompt = body.trim() || fields.get('prompt')?.trim() || '';
  if (prompt === '') return fail('it has no prompt (the text after the front matter is empty).');
  const agent: ParsedAgentFile = { roleId: name.roleId, prompt };
  const description = fields.get('description')?.trim();
  if (description) agent.description = description;
  const model = fields.get('model')?.trim();
  if (model) {
    const slash = model.indexOf('/');
    if (slash <= 0 || slash === model.length - 1) return fail(`model "${printable(model)}" is not "provider/model".`);
    agent.model = { providerID: model.slice(0, slash), modelID: model.slice(slash + 1) };
  }
  return { ok: true, agent };
}

/** A double-quoted YAML string (JSON escaping is valid YAML), so any description survives. */
function yamlString(value: string): string {
  return JSON.stringify(value);
}

/** A plain, single-quoted or double-quoted scalar; block scalars (`|`, `>`) count as empty here. */
function parseScalar(raw: string): string | undefined {
  const value = raw.trim();
  if (value.startsWith('"')) {
    const quoted = /^("(?:[^"\\]|\\.)*")\s*(?:#.*)?$/.exec(value);
    try {
      const parsed: unknown = quoted ? JSON.parse(quoted[1]!) : undefined;
      return typeof parsed === 'string' ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  if (value.startsWith("'")) {
    const quoted = /^'((?:[^']|'')*)'\s*(?:#.*)?$/.exec(value);
    return quoted ? quoted[1]!.replace(/''/g, "'") : undefined;
  }
  if (value === '|' || value === '>' || value === '|-' || value === '>-') return '';
  // A plain scalar ends at a comment.
  return value.replace(/\s+#.*$/, '');
}

function printable(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 80);
}
