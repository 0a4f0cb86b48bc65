import fs from 'node:fs';
import path from 'node:path';
import { LIMITS, capText } from '../util/limits';
import { toWorkspaceRelative } from '../util/paths';
import { FileDiagnosticSchema, type FileDiagnostic } from './diagnosticsChecker';

/*
 * Reads what a project checker prints: tsc (`src/a.ts(3,7): error TS2322: …`, and its pretty
 * `src/a.ts:3:7 - error TS2322: …`), eslint (`--format unix` and `--format compact`) and the common
 * `file:line:col: error: message` of compilers and linters. The output is treated as hostile: it
 * may be huge, name paths outside the workspace, or carry terminal escapes and control characters,
 * so lines are cut, escapes stripped, odd paths dropped and every result checked by its schema.
 */

/** Diagnostics read from one output at most; the run keeps far fewer per file (LIMITS.findings). */
export const MAX_DIAGNOSTICS = 2_000;
/** A longer line is cut before it is matched (no real diagnostic line is this long). */
const MAX_LINE_CHARS = 8_000;
export const MAX_SOURCE_CHARS = 80;

/** Terminal escapes: CSI sequences (colours, cursor moves) and OSC sequences (titles, hyperlinks). */
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]/g;
/** C0/C1 controls (tab aside), zero-width and bidirectional-override characters, a BOM. */
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

interface RawDiagnostic {
  file: string;
  line: string;
  column?: string;
  severity: 'error' | 'warning';
  message: string;
  source?: string;
}

type LineReader = (line: string) => RawDiagnostic | undefined;

const TSC_PAREN = /^(.+?)\((\d{1,9}),(\d{1,9})\): (error|warning) (TS\d{1,6}): (.*)$/;
const TSC_PRETTY = /^(.+?):(\d{1,9}):(\d{1,9}) - (error|warning) (TS\d{1,6}): (.*)$/;
const ESLINT_UNIX = /^(.+?):(\d{1,9}):(\d{1,9}): (.*) \[(Error|Warning)(?:\/([^\]\s]+))?\]$/;
const ESLINT_COMPACT = /^(.+?): line (\d{1,9}), col (\d{1,9}), (Error|Warning) - (.*?)(?: \(([^()\s]+)\))?$/;
const GENERIC = /^(.+?):(\d{1,9})(?::(\d{1,9}))?: (?:fatal )?(error|warning)(?:\[([^\]\s]{1,60})\])?: (.*)$/;

const READERS: LineReader[] = [
  (line) => {
    const m = TSC_PAREN.exec(line) ?? TSC_PRETTY.exec(line);
    return m ? { file: m[1]!, line: m[2]!, column: m[3]!, severity: m[4] as 'error' | 'warning', source: m[5]!, message: m[6]! } : undefined;
  },
  (line) => {
    const m = ESLINT_UNIX.exec(line);
    return m ? { file: m[1]!, line: m[2]!, column: m[3]!, severity: m[5] === 'Error' ? 'error' : 'warning', message: m[4]!, ...(m[6] ? { source: `eslint(${m[6]})` } : {}) } : undefined;
  },
  (line) => {
    const m = ESLINT_COMPACT.exec(line);
    return m ? { file: m[1]!, line: m[2]!, column: m[3]!, severity: m[4] === 'Error' ? 'error' : 'warning', message: m[5]!, ...(m[6] ? { source: `eslint(${m[6]})` } : {}) } : undefined;
  },
  (line) => {
    const m = GENERIC.exec(line);
    return m ? { file: m[1]!, line: m[2]!, ...(m[3] ? { column: m[3] } : {}), severity: m[4] as 'error' | 'warning', message: m[6]!, ...(m[5] ? { source: m[5] } : {}) } : undefined;
  },
];

/**
 * The diagnostics in a checker's output, with paths made workspace-relative (`/`); lines that are
 * no diagnostic, and diagnostics of files outside the workspace, are left out. tsc's indented
 * continuation lines (the rest of a message chain) join the message before them.
 */
export function parseCheckerOutput(output: string, workspace: string): FileDiagnostic[] {
  const roots = workspaceRoots(workspace);
  const found: FileDiagnostic[] = [];
  let last: { raw: RawDiagnostic; kept: boolean } | undefined;
  for (const rawLine of output.split(/\r?\n|\r/)) {
    if (found.length >= MAX_DIAGNOSTICS) break;
    const line = rawLine.slice(0, MAX_LINE_CHARS).replace(ESCAPES, '').trimEnd();
    if (last?.raw.source?.startsWith('TS') && /^\s{2,}\S/.test(line)) {
      last.raw.message += `\n${line.trim()}`;
      if (last.kept) found[found.length - 1] = finish(last.raw, found[found.length - 1]!.file) ?? found[found.length - 1]!;
      continue;
    }
    const raw = readLine(line);
    last = undefined;
    if (!raw) continue;
    const file = workspacePath(raw.file, roots);
    const diagnostic = file === undefined ? undefined : finish(raw, file);
    last = { raw, kept: diagnostic !== undefined };
    if (diagnostic) found.push(diagnostic);
  }
  return found;
}

function readLine(line: string): RawDiagnostic | undefined {
  if (line.trim() === '') return undefined;
  for (const read of READERS) {
    const raw = read(line);
    if (raw) return raw;
  }
  return undefined;
}

/** The diagnostic as the schema accepts it, or undefined when it cannot be (an empty message). */
function finish(raw: RawDiagnostic, file: string): FileDiagnostic | undefined {
  const message = capText(cleanDiagnosticText(raw.message), LIMITS.findingChars, true);
  const column = raw.column === undefined ? 0 : Number(raw.column);
  const candidate = {
    file,
    // eslint names a whole-file problem at line 0.
    line: Math.max(1, Number(raw.line)),
    ...(column > 0 ? { column } : {}),
    severity: raw.severity,
    message,
    ...(raw.source ? { source: capText(cleanDiagnosticText(raw.source), MAX_SOURCE_CHARS, true) } : {}),
  };
  const parsed = FileDiagnosticSchema.safeParse(candidate);
  return parsed.success ? parsed.data : undefined;
}

/** A message's text with control characters as spaces (the newlines of a message chain kept). */
export function cleanDiagnosticText(text: string): string {
  return text
    .split('\n')
    .map((part) => part.replace(/\t/g, ' ').replace(CONTROLS, ' ').replace(/ {2,}/g, ' ').trim())
    .filter((part) => part !== '')
    .join('\n');
}

/** The workspace as given and as the file system resolves it (a checker may print either). */
export function workspaceRoots(workspace: string): string[] {
  const given = path.resolve(workspace);
  let real = given;
  try {
    real = fs.realpathSync(given);
  } catch {
    // A workspace that cannot be resolved is still matched as given.
  }
  return real === given ? [given] : [given, real];
}

/**
 * A path as a checker printed it, as a workspace-relative `/` path: relative paths are taken from
 * the workspace (the checker's working directory), absolute ones must lie inside it. Undefined for
 * a path outside the workspace, one with control characters, or one the run never lets agents name
 * (`.git/`, the run store).
 */
export function workspacePath(printed: string, roots: readonly string[]): string | undefined {
  const text = printed.trim();
  if (text === '' || text.length > LIMITS.pathChars || HAS_CONTROL.test(text)) return undefined;
  const slashed = text.replace(/\\/g, '/');
  const absolute = slashed.startsWith('/') || /^[a-zA-Z]:\//.test(slashed);
  const candidates = absolute ? roots.map((root) => relativeInside(root, slashed)) : [path.posix.normalize(slashed)];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    try {
      return toWorkspaceRelative(candidate);
    } catch {
      // Outside the workspace or in a folder agents may not name: not a file of the run.
    }
  }
  return undefined;
}

function relativeInside(root: string, absolute: string): string | undefined {
  const native = process.platform === 'win32' ? absolute.replace(/\//g, '\\') : absolute;
  const relative = path.relative(root, native);
  if (relative === '' || path.isAbsolute(relative) || relative === '..' || relative.startsWith(`..${path.sep}`)) return undefined;
  return relative.split(path.sep).join('/');
}
