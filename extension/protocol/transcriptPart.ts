import { createTwoFilesPatch } from 'diff';
import { z } from 'zod';

/**
 * What an agent did in a turn, part by part (Kilo's message parts: text, tool calls, steps, errors).
 * One home for the shape: the backends emit it, the run folder stores it, the dashboard shows it.
 * Every field of a part comes from the model or its tools, so all of it is capped here.
 */

/** Longest tool input, output or diff kept of one part (the full size is noted next to it). */
export const PART_BODY_CHARS = 8_000;
/** Longest text of a text, reasoning or error part kept. */
export const PART_TEXT_CHARS = 16_000;
/** Longest preview of a body the dashboard gets with a part's summary; the rest is loaded on demand. */
export const PART_PREVIEW_CHARS = 160;
const TARGET_CHARS = 300;

/** A text cut to a cap; `size` is the length of the whole, so a reader can say what was left off. */
export const CappedTextSchema = z.object({
  text: z.string().max(PART_TEXT_CHARS),
  size: z.number().int().nonnegative(),
});
export type CappedText = z.infer<typeof CappedTextSchema>;

export const PART_KINDS = ['text', 'reasoning', 'tool', 'step', 'error', 'retry'] as const;
export const PART_STATUSES = ['pending', 'running', 'completed', 'error'] as const;
export type PartStatus = (typeof PART_STATUSES)[number];

const PartId = z.string().min(1).max(200);

export const TranscriptPartSchema = z.object({
  /** Kilo's part id (or the backend's own): a later version of the same part replaces the earlier one. */
  id: PartId,
  kind: z.enum(PART_KINDS),
  status: z.enum(PART_STATUSES).optional(),
  /** The tool's name (`read`, `write`, `edit`, `bash`, `glob`, `grep` …). */
  tool: z.string().max(80).optional(),
  /** What the tool call is about: a workspace-relative file, a command, a pattern. */
  target: z.string().max(TARGET_CHARS).optional(),
  /** A text or reasoning part's text, an error's or retry's message. */
  text: CappedTextSchema.optional(),
  input: CappedTextSchema.optional(),
  output: CappedTextSchema.optional(),
  /** A unified patch of the file a write or edit changed. */
  diff: CappedTextSchema.optional(),
  /** A step's tokens (Kilo's `step-finish`), summed per turn by the view. */
  tokens: z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }).optional(),
  costUsd: z.number().nonnegative().optional(),
});
export type TranscriptPart = z.infer<typeof TranscriptPartSchema>;

/** Cuts `text` to `max` characters, noting the full size. */
export function capText(text: string, max = PART_BODY_CHARS): CappedText {
  return { text: text.length > max ? text.slice(0, max) : text, size: text.length };
}

/** A value of unknown shape as capped text: strings as they are, anything else as JSON (never throws). */
export function capValue(value: unknown, max = PART_BODY_CHARS): CappedText | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return capText(value, max);
  try {
    const json = JSON.stringify(value, null, 1);
    return json === undefined ? undefined : capText(json, max);
  } catch {
    return capText('(not representable as JSON)', max);
  }
}

/** A part's one-line target, cut to its cap with control characters made visible as spaces. */
export function capTarget(target: string): string {
  // eslint-disable-next-line no-control-regex
  return target.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, TARGET_CHARS);
}

/** One line of `transcripts/<agentId>.jsonl` in a run folder: one version of one part of one turn. */
export const TranscriptLineSchema = z.object({
  v: z.literal(1),
  /** The work the part belongs to (a turn of the agent). */
  turn: z.string().min(1).max(200),
  /** The step of the work in words, as the agent's card shows it. */
  step: z.string().max(200).optional(),
  /** Milliseconds since the run started. */
  atMs: z.number().nonnegative(),
  part: TranscriptPartSchema,
});
export type TranscriptLine = z.infer<typeof TranscriptLineSchema>;

/** A part as the dashboard lists it: its summary, with a preview and the sizes of the bodies loaded on demand. */
export const TranscriptPartViewSchema = z.object({
  id: PartId,
  turn: z.string().max(200),
  step: z.string().max(200).optional(),
  atMs: z.number().nonnegative(),
  kind: z.enum(PART_KINDS),
  status: z.enum(PART_STATUSES).optional(),
  tool: z.string().max(80).optional(),
  target: z.string().max(TARGET_CHARS).optional(),
  /** The beginning of the text (or of the output, for a tool call). */
  preview: z.string().max(PART_PREVIEW_CHARS).optional(),
  sizes: z.object({ text: z.number().int().nonnegative().optional(), input: z.number().int().nonnegative().optional(), output: z.number().int().nonnegative().optional(), diff: z.number().int().nonnegative().optional() }),
  /** Lines a diff adds and removes, counted from the kept patch. */
  additions: z.number().int().nonnegative().optional(),
  deletions: z.number().int().nonnegative().optional(),
  tokens: z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }).optional(),
  costUsd: z.number().nonnegative().optional(),
});
export type TranscriptPartView = z.infer<typeof TranscriptPartViewSchema>;

/** The bodies of one part, as `transcript/loadPart` answers them. */
export const TranscriptPartBodySchema = z.object({
  text: CappedTextSchema.optional(),
  input: CappedTextSchema.optional(),
  output: CappedTextSchema.optional(),
  diff: CappedTextSchema.optional(),
});
export type TranscriptPartBody = z.infer<typeof TranscriptPartBodySchema>;

/** The summary of a stored part version. */
export function partView(line: TranscriptLine): TranscriptPartView {
  const { part } = line;
  const previewSource = part.kind === 'tool' ? (part.status === 'error' ? part.text : part.output) : part.text;
  const counts = part.diff ? countChanges(part.diff.text) : undefined;
  const sizes: TranscriptPartView['sizes'] = {};
  for (const key of ['text', 'input', 'output', 'diff'] as const) if (part[key]) sizes[key] = part[key].size;
  return {
    id: part.id,
    turn: line.turn,
    ...(line.step !== undefined ? { step: line.step } : {}),
    atMs: line.atMs,
    kind: part.kind,
    ...(part.status !== undefined ? { status: part.status } : {}),
    ...(part.tool !== undefined ? { tool: part.tool } : {}),
    ...(part.target !== undefined ? { target: part.target } : {}),
    ...(previewSource && previewSource.text.length > 0 ? { preview: previewSource.text.slice(0, PART_PREVIEW_CHARS) } : {}),
    sizes,
    ...(counts ? counts : {}),
    ...(part.tokens ? { tokens: { ...part.tokens } } : {}),
    ...(part.costUsd !== undefined ? { costUsd: part.costUsd } : {}),
  };
}

/** Added and removed lines of a unified patch (its `---`/`+++` headers not counted). */
export function countChanges(patch: string): { additions: number; deletions: number } {
  let additions = 0;
  let deletions = 0;
  for (const line of patch.split('\n')) {
    if (line.startsWith('+++') || line.startsWith('---')) continue;
    if (line.startsWith('+')) additions += 1;
    else if (line.startsWith('-')) deletions += 1;
  }
  return { additions, deletions };
}

/** A unified patch of two texts, each cut first: a diff of megabytes would cost more than it shows. */
export function boundedPatch(name: string, before: string, after: string, maxChars = 64_000): string {
  return createTwoFilesPatch(name, name, before.slice(0, maxChars), after.slice(0, maxChars), undefined, undefined, { context: 3 });
}
