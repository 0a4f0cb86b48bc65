import { z } from 'zod';
import type { RunSnapshot } from './runSnapshot';

/*
 * The changes between two run snapshots, as one line of `state.journal.jsonl`. A run saves after
 * every transition; writing only what changed keeps each save as small as the change, however
 * long the plan. The line's values are checked loosely here and the snapshot they build is read
 * through RunSnapshotSchema as a whole, as state.json is.
 */

/** A list by position: its new length and the entries that are not the ones before. */
const ListPatchSchema = z.object({ length: z.number().int().nonnegative(), changed: z.record(z.string().regex(/^[0-9]+$/), z.unknown()) });
type ListPatch = z.infer<typeof ListPatchSchema>;

const KeyedPatchSchema = z.object({ set: z.record(z.string(), z.unknown()), unset: z.array(z.string()) });

export const StateChangeSchema = z.object({
  seq: z.number().int().positive(),
  savedAt: z.string(),
  /** Snapshot fields given whole (small ones: spending, budgets, the interruption). */
  set: z.record(z.string(), z.unknown()),
  agents: ListPatchSchema.optional(),
  /** Appended since the previous line. */
  transitions: z.array(z.unknown()),
  findings: z.array(z.unknown()),
  workflow: z.object({
    set: z.record(z.string(), z.unknown()),
    unset: z.array(z.string()),
    files: ListPatchSchema.optional(),
    inFlight: KeyedPatchSchema.optional(),
  }),
});
export type StateChange = z.infer<typeof StateChangeSchema>;

type Saved = Omit<RunSnapshot, 'formatVersion'>;
/** Derived from the workflow when read back, so never journalled. */
const DERIVED = new Set(['todo', 'grants']);
// journalSeq and formatVersion belong to the file, not the run: a loaded snapshot has them, a built one does not.
const OWN_FIELDS = new Set(['workflow', 'agents', 'transitions', 'findings', 'savedAt', 'journalSeq', 'formatVersion', ...DERIVED]);

/**
 * What the journal writer remembers of the last snapshot it wrote: references, so a field the run
 * did not replace costs one comparison (the workflow machine shares what a transition leaves alone).
 */
export interface JournalBase {
  snapshot: Saved;
  agentsJson: string[];
  transitions: number;
  findings: number;
  /** JSON of the small fields, to tell a rebuilt but equal value from a changed one. */
  fieldJson: Map<string, string>;
}

export function baseOf(snapshot: Saved): JournalBase {
  const fieldJson = new Map<string, string>();
  // Keys first: todo and grants may be computed on access (see snapshotOf), and are not needed here.
  for (const key of Object.keys(snapshot)) if (!OWN_FIELDS.has(key)) fieldJson.set(key, JSON.stringify((snapshot as Record<string, unknown>)[key]));
  return { snapshot, agentsJson: snapshot.agents.map((agent) => JSON.stringify(agent)), transitions: snapshot.transitions.length, findings: snapshot.findings.length, fieldJson };
}

/**
 * The change from `base` to `next`, and the base for the one after; undefined when it cannot be
 * said as a change (a list the run only appends to got shorter), so the caller writes it whole.
 */
export function changeOf(base: JournalBase, next: Saved, seq: number): { change: StateChange; base: JournalBase } | undefined {
  if (next.transitions.length < base.transitions || next.findings.length < base.findings) return undefined;
  const set: Record<string, unknown> = {};
  const fieldJson = new Map(base.fieldJson);
  for (const key of Object.keys(next)) {
    if (OWN_FIELDS.has(key)) continue;
    const value = (next as Record<string, unknown>)[key];
    if (value === (base.snapshot as Record<string, unknown>)[key]) continue;
    const json = JSON.stringify(value);
    if (json === base.fieldJson.get(key)) continue;
    set[key] = value;
    fieldJson.set(key, json);
  }
  for (const key of base.fieldJson.keys()) if (!(key in next)) return undefined; // a field went away (rare): write it whole
  const agentsJson = next.agents.map((agent) => JSON.stringify(agent));
  const agents = listPatch(base.agentsJson, agentsJson, (a, b) => a === b, next.agents);
  const change: StateChange = {
    seq,
    savedAt: next.savedAt,
    set,
    ...(agents ? { agents } : {}),
    transitions: next.transitions.slice(base.transitions),
    findings: next.findings.slice(base.findings),
    workflow: workflowChange(base.snapshot.workflow, next.workflow),
  };
  return { change, base: { snapshot: next, agentsJson, transitions: next.transitions.length, findings: next.findings.length, fieldJson } };
}

function workflowChange(before: Saved['workflow'], after: Saved['workflow']): StateChange['workflow'] {
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  const was = before as Record<string, unknown>;
  const now = after as Record<string, unknown>;
  for (const key of Object.keys(was)) if (!(key in now)) unset.push(key);
  let files: ListPatch | undefined;
  let inFlight: StateChange['workflow']['inFlight'];
  for (const [key, value] of Object.entries(now)) {
    if (value === was[key]) continue;
    if (key === 'files') files = listPatch(before.files, after.files, (a, b) => a === b, after.files);
    else if (key === 'inFlight') inFlight = keyedPatch(before.inFlight, after.inFlight);
    else if (!sameShallow(was[key], value)) set[key] = value;
  }
  return { set, unset, ...(files ? { files } : {}), ...(inFlight ? { inFlight } : {}) };
}

function listPatch<T, V>(before: readonly T[], after: readonly T[], same: (a: T, b: T) => boolean, values: readonly V[]): ListPatch | undefined {
  const changed: Record<string, unknown> = {};
  let any = before.length !== after.length;
  after.forEach((item, index) => {
    if (index < before.length && same(before[index]!, item)) return;
    changed[index] = values[index];
    any = true;
  });
  return any ? { length: after.length, changed } : undefined;
}

function keyedPatch<T>(before: Record<string, T>, after: Record<string, T>): StateChange['workflow']['inFlight'] {
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  // Plain loops: this runs on every save, over every work item in flight, and entries() allocates a pair per item.
  for (const key of Object.keys(after)) if (before[key] !== after[key]) set[key] = after[key];
  for (const key of Object.keys(before)) if (after[key] === undefined) unset.push(key);
  return Object.keys(set).length + unset.length > 0 ? { set, unset } : undefined;
}

/** Arrays with the same entries and objects with the same values are the same (the machine copies its queues on every transition). */
function sameShallow(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => item === b[index]);
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
  }
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies one journal line to a snapshot read from disk (plain JSON, changed in place). The result
 * is validated as a whole by the caller, so a line that does not fit is caught there.
 */
export function applyChange(snapshot: Record<string, unknown>, change: StateChange): void {
  Object.assign(snapshot, change.set);
  snapshot.savedAt = change.savedAt;
  if (change.agents) applyList(listOf(snapshot, 'agents'), change.agents);
  listOf(snapshot, 'transitions').push(...change.transitions);
  listOf(snapshot, 'findings').push(...change.findings);
  const workflow = (snapshot.workflow ??= {}) as Record<string, unknown>;
  Object.assign(workflow, change.workflow.set);
  for (const key of change.workflow.unset) delete workflow[key];
  if (change.workflow.files) applyList(listOf(workflow, 'files'), change.workflow.files);
  if (change.workflow.inFlight) {
    const inFlight = (isPlainObject(workflow.inFlight) ? workflow.inFlight : (workflow.inFlight = {})) as Record<string, unknown>;
    Object.assign(inFlight, change.workflow.inFlight.set);
    for (const key of change.workflow.inFlight.unset) delete inFlight[key];
  }
}

function listOf(owner: Record<string, unknown>, key: string): unknown[] {
  const value = owner[key];
  if (Array.isArray(value)) return value;
  const list: unknown[] = [];
  owner[key] = list;
  return list;
}

function applyList(list: unknown[], patch: ListPatch): void {
  list.length = Math.min(list.length, patch.length);
  for (const [index, value] of Object.entries(patch.changed)) list[Number(index)] = value;
  // Gaps (only in a damaged journal) stay holes and fail validation.
  list.length = patch.length;
}
