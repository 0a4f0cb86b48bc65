import path from 'node:path';
import { PART_STATUSES, PART_TEXT_CHARS, boundedPatch, capTarget, capText, capValue, type CappedText, type PartStatus, type TranscriptPart } from '../protocol/transcriptPart';

/**
 * Kilo's message parts (`message.part.updated`) as transcript parts. Everything in a part is the
 * model's or its tools' output, so nothing here trusts a field's type and every text is capped.
 */

/** A text part streams: a version is passed on when it grew this much, and when it ends. */
const TEXT_STEP_CHARS = 2_000;
/** Most part versions one turn passes on; a runaway turn's later ones are dropped, noted once. */
export const MAX_PART_VERSIONS_PER_TURN = 2_000;

type Raw = Record<string, unknown>;

/** The transcript part for one raw Kilo part, or undefined for a kind the transcript does not show. */
export function kiloPart(raw: unknown, directory: string): TranscriptPart | undefined {
  if (!isRecord(raw)) return undefined;
  const id = idOf(raw);
  if (id === undefined) return undefined;
  switch (raw.type) {
    case 'text':
    case 'reasoning':
      return typeof raw.text === 'string' ? { id, kind: raw.type, text: capText(raw.text, PART_TEXT_CHARS) } : undefined;
    case 'tool':
      return toolPart(id, raw, directory);
    case 'step-finish':
      return stepPart(id, raw);
    case 'retry': {
      const error = isRecord(raw.error) ? raw.error : {};
      const data = isRecord(error.data) ? error.data : {};
      const message = str(data.message) ?? str(error.name) ?? 'retrying';
      return { id, kind: 'retry', text: capText(`attempt ${num(raw.attempt) ?? '?'}: ${message}`, PART_TEXT_CHARS) };
    }
    default:
      return undefined;
  }
}

function toolPart(id: string, raw: Raw, directory: string): TranscriptPart {
  const tool = (str(raw.tool) ?? 'tool').slice(0, 80);
  const state = isRecord(raw.state) ? raw.state : {};
  const status = PART_STATUSES.includes(state.status as PartStatus) ? (state.status as PartStatus) : 'pending';
  const input = isRecord(state.input) ? state.input : {};
  const metadata = isRecord(state.metadata) ? state.metadata : {};
  const target = targetOf(tool, input, directory);
  const inputText = capValue(state.input);
  const output = capValue(state.output);
  const error = str(state.error);
  const diff = status === 'completed' || status === 'running' ? diffOf(tool, target, input, metadata) : undefined;
  return {
    id,
    kind: 'tool',
    status,
    tool,
    ...(target !== '' ? { target: capTarget(target) } : {}),
    ...(inputText ? { input: inputText } : {}),
    ...(output ? { output } : {}),
    ...(error !== undefined ? { text: capText(error, PART_TEXT_CHARS) } : {}),
    ...(diff ? { diff } : {}),
  };
}

/**
 * The patch of a write or edit: Kilo's own (`metadata.diff`, or `metadata.filediff` with a patch or
 * before and after) when it sends one, else built from the call's input (the edit's old and new
 * strings, the write's content) so a diff shows whichever Kilo version runs.
 */
function diffOf(tool: string, target: string, input: Raw, metadata: Raw): CappedText | undefined {
  if (tool !== 'write' && tool !== 'edit') return undefined;
  const given = str(metadata.diff);
  if (given !== undefined && given.length > 0) return capText(given);
  const filediff = isRecord(metadata.filediff) ? metadata.filediff : {};
  const patch = str(filediff.patch);
  if (patch !== undefined && patch.length > 0) return capText(patch);
  const name = target || 'file';
  const before = str(filediff.before) ?? (tool === 'edit' ? str(input.oldString) : '');
  const after = str(filediff.after) ?? (tool === 'edit' ? str(input.newString) : str(input.content));
  if (before === undefined || after === undefined) return undefined;
  return capText(boundedPatch(name, before, after));
}

function stepPart(id: string, raw: Raw): TranscriptPart {
  const tokens = isRecord(raw.tokens) ? raw.tokens : {};
  const cost = num(raw.cost);
  return {
    id,
    kind: 'step',
    tokens: { input: Math.max(0, num(tokens.input) ?? 0), output: Math.max(0, (num(tokens.output) ?? 0) + (num(tokens.reasoning) ?? 0)) },
    ...(cost !== undefined && cost >= 0 ? { costUsd: cost } : {}),
  };
}

function targetOf(tool: string, input: Raw, directory: string): string {
  const file = str(input.filePath) ?? str(input.path);
  if (file !== undefined) return relativeTo(directory, file);
  if (tool === 'bash' && typeof input.command === 'string') return input.command;
  if (typeof input.pattern === 'string') return input.pattern;
  if (typeof input.url === 'string') return input.url;
  return '';
}

function relativeTo(directory: string, file: string): string {
  return (path.isAbsolute(file) ? path.relative(directory, file) : file).split(path.sep).join('/');
}

function idOf(raw: Raw): string | undefined {
  const id = str(raw.id) ?? str(raw.callID);
  return id !== undefined && id.length > 0 ? id.slice(0, 200) : undefined;
}

/**
 * Decides which versions of a turn's parts are worth passing on: every change of a running or
 * finished tool call's status, output or diff; a streaming text when it grew by TEXT_STEP_CHARS or ended; never the
 * same version twice, and at most MAX_PART_VERSIONS_PER_TURN in all.
 */
export class PartVersions {
  private readonly seen = new Map<string, { key: string; textSize: number }>();
  private passed = 0;
  /** Set once the cap was reached, so the caller notes it once. */
  capped = false;

  accept(part: TranscriptPart, ended: boolean): boolean {
    // Kilo announces each call as pending with no input just before it runs: nothing to show yet.
    if (part.kind === 'tool' && part.status === 'pending') return false;
    const before = this.seen.get(part.id);
    const textSize = part.text?.size ?? 0;
    const key = `${part.status ?? ''}:${textSize}:${part.output?.size ?? -1}:${part.diff?.size ?? -1}:${part.input?.size ?? -1}:${ended}`;
    if (before?.key === key) return false;
    const streaming = (part.kind === 'text' || part.kind === 'reasoning') && !ended;
    if (streaming && before !== undefined && textSize - before.textSize < TEXT_STEP_CHARS) return false;
    if (this.passed >= MAX_PART_VERSIONS_PER_TURN) {
      this.capped = true;
      return false;
    }
    this.passed += 1;
    this.seen.set(part.id, { key, textSize });
    return true;
  }
}

/** A text part has ended when Kilo stamped its end time (tools end with their status). */
export function partEnded(raw: unknown): boolean {
  if (!isRecord(raw)) return false;
  const time = isRecord(raw.time) ? raw.time : {};
  return typeof time.end === 'number';
}

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
