import type { WorkKind } from '../workflow/workflowTypes';

/**
 * The plan as one piece of work reads it. The plan grows with every file it names, and every coder,
 * writer and tester used to receive all of it, so their prompts grew with the plan (at 200 files,
 * an implementation prompt was 2.5× a 4-file one). Work on some files now gets an excerpt: the head
 * of the plan (its approach), the sections and lines that mention those files, their entries, and a
 * few paths beside them. Every part has a fixed cap, so the excerpt's size does not depend on the
 * plan's length. Only the work that judges or rewrites the plan as a whole reads it all: its revision,
 * and its review when the plan is short enough to be reviewed in one part (planning.ts).
 */

/** Work that reads the whole plan: it judges or rewrites it, or advises on any part of it. */
const WHOLE_PLAN: ReadonlySet<WorkKind> = new Set<WorkKind>(['plan', 'review-plan', 'revise-plan', 'consult']);

export const PLAN_EXCERPT = {
  /** The start of the plan kept as it is: its approach and the interfaces it opens with. */
  headChars: 2_000,
  /** Everything taken from the architect's text, head included. */
  textChars: 6_000,
  /** The work's own files listed with their purposes (a batch has at most the run's batch size). */
  ownFiles: 30,
  /** Other planned paths in the same folders, for imports. */
  neighbours: 20,
} as const;

export interface PlanEntry {
  path: string;
  purpose: string;
}

/** Whether the work reads the whole plan; a review of one part of a long plan (it names its files) reads that part. */
export function readsWholePlan(work: { kind: WorkKind; files?: readonly string[] }): boolean {
  return WHOLE_PLAN.has(work.kind) && !(work.kind === 'review-plan' && work.files !== undefined);
}

/**
 * The excerpt of `content` (a plan artifact: the architect's markdown, then the `## Files` list the
 * recorder appends) for work on `own`; `plan` is the plan's files as the run holds them.
 */
export function planExcerpt(content: string, plan: readonly PlanEntry[], own: readonly string[]): string {
  const text = architectText(content);
  const ownSet = new Set(own);
  const mine = plan.filter((entry) => ownSet.has(entry.path));
  const parts = [`Excerpt of the plan for this work: ${own.length > 0 ? 'its approach and what it says about your files' : 'its approach'}. The plan names ${plan.length} files in all.`, '', relevantText(text, own)];
  if (mine.length > 0) {
    parts.push('', '## Your files', ...mine.slice(0, PLAN_EXCERPT.ownFiles).map((entry) => `- ${entry.path}: ${entry.purpose}`));
    if (mine.length > PLAN_EXCERPT.ownFiles) parts.push(`- … and ${mine.length - PLAN_EXCERPT.ownFiles} more (named in the instruction)`);
  }
  const near = neighbours(plan, ownSet);
  if (near.length > 0) parts.push('', '## Other planned files beside them', ...near.map((path) => `- ${path}`));
  return parts.join('\n');
}

/**
 * One part of a long plan as its review reads it (planning.ts): the plan as a whole review reads it,
 * cut to the part's files — the architect's text about them (its head, their sections and lines)
 * and their paths. No purposes or neighbours, which the whole plan does not carry either, so a part
 * of 25 files costs about what a whole plan of 25 files does, and a review prompt stays flat.
 */
export function planReviewPart(content: string, plan: readonly PlanEntry[], own: readonly string[]): string {
  const ownSet = new Set(own);
  const paths = plan.filter((entry) => ownSet.has(entry.path)).map((entry) => `- ${entry.path}`);
  return [`Part of the plan for this review: its approach and what it says about ${own.length} of its ${plan.length} files.`, '', relevantText(architectText(content), own), '', '## Files of this part', ...paths].join('\n');
}

/** The architect's text without the file list the recorder appended (see workRecorder's renderPlan). */
function architectText(content: string): string {
  const at = content.lastIndexOf('\n\n## Files\n');
  return (at >= 0 ? content.slice(0, at) : content).trim();
}

/**
 * The head of `text`, then the sections whose heading names one of the files and the lines that
 * do, in their order, with "…" where something was left out; at most `textChars` characters.
 */
function relevantText(text: string, own: readonly string[]): string {
  const lines = text.split('\n');
  const names = mentionsOf(own);
  const keep = new Array<boolean>(lines.length).fill(false);
  let used = 0;
  const take = (index: number): boolean => {
    const cost = lines[index]!.length + 1;
    if (used + cost > PLAN_EXCERPT.textChars) return false;
    keep[index] = true;
    used += cost;
    return true;
  };
  // The head, line by line while it fits.
  let index = 0;
  for (; index < lines.length && used + lines[index]!.length + 1 <= PLAN_EXCERPT.headChars; index++) take(index);
  // A whole section under a heading that names a file; a single line that does, with its heading.
  let heading = -1;
  let inOwnSection = false;
  for (; index < lines.length; index++) {
    const line = lines[index]!;
    if (/^#{1,6}\s/.test(line)) {
      heading = index;
      inOwnSection = mentions(line, names);
      if (inOwnSection && !take(index)) break;
      continue;
    }
    if (!inOwnSection && !mentions(line, names)) continue;
    if (heading >= 0 && !keep[heading] && !take(heading)) break;
    if (!take(index)) break;
  }
  const out: string[] = [];
  keep.forEach((kept, at) => {
    if (kept) out.push(lines[at]!);
    else if (out.at(-1) !== '…') out.push('…');
  });
  return out.join('\n');
}

/** What counts as naming a file: its path, or its file name when that is distinctive enough. */
function mentionsOf(own: readonly string[]): string[] {
  const names = new Set<string>();
  for (const path of own) {
    names.add(path);
    const base = path.slice(path.lastIndexOf('/') + 1);
    // "index.ts" or "a.js" would match too much of a plan about other files.
    if (base.length >= 6 && !/^index\./.test(base)) names.add(base);
  }
  return [...names];
}

function mentions(line: string, names: readonly string[]): boolean {
  return names.some((name) => line.includes(name));
}

/** Planned paths in the folders of `own`, not `own` itself, in plan order, at most `neighbours`. */
function neighbours(plan: readonly PlanEntry[], own: ReadonlySet<string>): string[] {
  const folders = new Set([...own].map(folderOf));
  const near: string[] = [];
  for (const entry of plan) {
    if (near.length >= PLAN_EXCERPT.neighbours) break;
    if (!own.has(entry.path) && folders.has(folderOf(entry.path))) near.push(entry.path);
  }
  return near;
}

function folderOf(path: string): string {
  return path.slice(0, Math.max(0, path.lastIndexOf('/')));
}
