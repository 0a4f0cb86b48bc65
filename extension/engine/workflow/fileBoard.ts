import { matchesGlob } from '../../protocol/workflowDefinition';
import { ownEntry, type DecisionDraft, type Draft } from './draft';
import { excerpt, findingsNote } from './workNotes';
import { agentIdOf, isRoleActive } from './workflowRoles';
import { rulesOf } from './workflowRules';
import type { FileEntry, Phase, WorkItem, WorkResult } from './workflowTypes';

/**
 * The per-file board: structure batches, coder assignment, and each file's way through
 * pending → implementing → [checking] → reviewing → (fixing → [checking] → reviewing)* → approved.
 * `checking` is the diagnostics gate (diagnosticsGate.ts), when the run has one. `reviewing` walks the
 * rules' reviewers in order (the Code Sceptic, then custom reviewers that apply to the file); every one
 * must approve, and a rejection by any of them sends the file back and starts the walk again.
 *
 * A file whose review asked for changes stays at `reviewing` with `openFindings` set until the
 * Organiser answers; the machine keeps one decision open at a time and reads the next one from the
 * board (see `fileDecision`), so several rejected reviews simply wait their turn in plan order.
 */

const PRIMARY = 'primary-coder';
const SECONDARY = 'secondary-coder';

export const CODING_PHASES: readonly Phase[] = ['CODE_IMPLEMENTATION', 'CODE_REVIEW', 'CODE_FIXING'];

/**
 * Consecutive groups of at most `size` items, in order: as few groups as that takes, their sizes
 * within one of each other (16 files in batches of 5 are four batches of 4, not 5, 5, 5 and 1).
 */
export function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  const count = Math.ceil(items.length / size);
  for (let start = 0; batches.length < count; ) {
    const length = Math.ceil((items.length - start) / (count - batches.length));
    batches.push(items.slice(start, start + length));
    start += length;
  }
  return batches;
}

/**
 * Structure creation: the primary coders scaffold every file of the plan, every batch handed out at
 * once, round robin (the pool queues per agent).
 */
export function startStructure(draft: Draft): void {
  const { state } = draft;
  state.phase = 'STRUCTURE_CREATION';
  const batches = batchesOf(state.files.map((file) => file.path), state.config.batchSize);
  const instances = draft.instances(PRIMARY);
  state.batchesLeft = batches.length;
  batches.forEach((batch, index) => {
    draft.dispatch({ kind: 'structure', role: PRIMARY, instance: (index % instances) + 1, grants: batch, files: batch, inputs: [state.plan?.artifactId] });
  });
}

/**
 * Records each file's pseudocode, and the batch's files go to their coders at once: coding does not
 * wait for the other batches (the first coders start after one scaffolding turn, however long the
 * plan). Once the last batch is in, every file still pending is coded too.
 */
export function onStructured(draft: Draft, work: WorkItem, result: WorkResult): void {
  const batch = (work.files ?? []).flatMap((path, index) => {
    const file = draft.file(path);
    if (!file) return [];
    const artifactId = ownEntry(result.fileArtifacts, path) ?? result.artifactIds[index];
    if (artifactId !== undefined) file.pseudocodeArtifactId = artifactId;
    return [file];
  });
  draft.state.batchesLeft = Math.max(0, draft.state.batchesLeft - 1);
  if (draft.state.batchesLeft === 0) {
    startCoding(draft);
    return;
  }
  draft.state.phase = 'CODE_IMPLEMENTATION';
  for (const file of batch) if (file.stage === 'pending') implementFile(draft, file);
}

/** Dispatches `implement` for every pending file at once, each to its secondary coder. */
export function startCoding(draft: Draft): void {
  draft.state.phase = 'CODE_IMPLEMENTATION';
  draft.state.files.forEach((file) => {
    if (file.stage === 'pending') implementFile(draft, draft.file(file.path)!);
  });
}

/** Hands one pending file to its secondary coder (the least loaded one when it has none yet). */
export function implementFile(draft: Draft, file: FileEntry): void {
  file.coder ??= leastLoadedCoder(draft);
  file.stage = 'implementing';
  draft.dispatch({
    kind: 'implement',
    role: SECONDARY,
    instance: file.coder,
    grants: [file.path],
    file: file.path,
    inputs: [file.pseudocodeArtifactId, draft.state.plan?.artifactId],
    note: userInstructions(file),
  });
}

/** The user's instructions for a file, as (part of) the note of work on it. */
function userInstructions(file: FileEntry, before?: string): string | undefined {
  if (file.instructions === undefined) return before;
  const instructions = `The user's instructions for ${file.path}: ${file.instructions}`;
  return before === undefined || before === '' ? instructions : `${before}\n\n${instructions}`;
}

/** The secondary coder with the fewest files so far; ties go to the lowest instance. */
function leastLoadedCoder(draft: Draft): number {
  const coders = draft.instances(SECONDARY);
  const load = new Array<number>(coders).fill(0);
  for (const file of draft.state.files) {
    if (file.coder !== undefined && file.coder >= 1 && file.coder <= coders) load[file.coder - 1] = (load[file.coder - 1] ?? 0) + 1;
  }
  return load.indexOf(Math.min(...load)) + 1;
}

/**
 * Sends the file to the first reviewer from `from` on that takes part and applies to it; with none
 * left the file is done (approved by those before, or completed when nobody reviews).
 */
export function requestCodeReview(draft: Draft, file: FileEntry, from = 0, note?: string): void {
  delete file.openFindings;
  const step = reviewStepFrom(draft, file, from);
  const reviewer = step === undefined ? undefined : rulesOf(draft.state).reviewers[step];
  if (step === undefined || reviewer === undefined) {
    approve(draft, file);
    if (file.codeArtifactId !== undefined) draft.emit({ type: 'artifactStatus', artifactId: file.codeArtifactId, status: 'completed' });
    return;
  }
  file.stage = 'reviewing';
  file.reviewStep = step;
  const notes = [note, userInstructions(file)].filter((part): part is string => part !== undefined && part !== '');
  draft.dispatch({
    kind: 'review-code',
    role: reviewer.role,
    instance: leastBusyAgent(draft, reviewer.role),
    grants: [],
    file: file.path,
    inputs: [file.codeArtifactId],
    ...(notes.length > 0 ? { note: notes.join('\n\n') } : {}),
  });
}

/** The index of the first reviewer at or after `from` that is in the team and whose files include this one. */
function reviewStepFrom(draft: Draft, file: FileEntry, from: number): number | undefined {
  const { reviewers } = rulesOf(draft.state);
  for (let step = from; step < reviewers.length; step++) {
    const reviewer = reviewers[step]!;
    if (isRoleActive(draft.state.config, reviewer.role) && (reviewer.files === undefined || matchesGlob(file.path, reviewer.files))) return step;
  }
  return undefined;
}

/**
 * An approved file goes back to work: a documentation batch writing it stops (documents start as
 * files are approved, see docsAndTests.ts), so the writer and the coder never hold the same file.
 * The batch's other files are documented later, with the next batch.
 */
export function stopDocumenting(draft: Draft, path: string): void {
  draft.stopWork((work) => work.kind === 'document' && (work.files ?? []).includes(path));
}

/** Whether the file's reviewer now is the last one it will see (its approval approves the file). */
function isLastReview(draft: Draft, file: FileEntry): boolean {
  return reviewStepFrom(draft, file, (file.reviewStep ?? 0) + 1) === undefined;
}

/** The role of the reviewer the file is with (or was last approved by). */
export function reviewerOf(draft: Draft, file: FileEntry): string | undefined {
  return rulesOf(draft.state).reviewers[file.reviewStep ?? 0]?.role;
}

/**
 * Round robin over the role's agents, preferring the one with the least work waiting. The rotation
 * starts from the id counter, which keeps the choice deterministic without a field of its own.
 */
export function leastBusyAgent(draft: Draft, role: string): number {
  const agents = draft.instances(role);
  const waiting = new Array<number>(agents).fill(0);
  for (const work of draft.pendingWork()) {
    if (work.role === role && work.instance >= 1 && work.instance <= agents) waiting[work.instance - 1] = (waiting[work.instance - 1] ?? 0) + 1;
  }
  const start = draft.state.seq % agents;
  let best = start;
  for (let step = 1; step < agents; step++) {
    const candidate = (start + step) % agents;
    if ((waiting[candidate] ?? 0) < (waiting[best] ?? 0)) best = candidate;
  }
  return best + 1;
}

/** A reviewer's verdict on one file: the next reviewer, the file approved, or findings for the Organiser. */
export function onCodeReviewed(draft: Draft, work: WorkItem, result: WorkResult): void {
  const file = draft.file(work.file);
  if (!file) return;
  const reviewArtifactId = result.artifactIds[0];
  if (reviewArtifactId !== undefined) file.reviewArtifactId = reviewArtifactId;
  if (result.approved !== true) {
    file.openFindings = findingsNote(result.findings);
    return;
  }
  if (!isLastReview(draft, file)) {
    requestCodeReview(draft, file, (file.reviewStep ?? 0) + 1);
    return;
  }
  approve(draft, file);
  if (file.codeArtifactId === undefined) return;
  draft.emit({
    type: 'artifactStatus',
    artifactId: file.codeArtifactId,
    status: 'approved',
    reviewedBy: agentIdOf(work.role, work.instance),
    ...(reviewArtifactId !== undefined ? { reviewArtifactId } : {}),
  });
}

/**
 * Sends a file back to the coder who wrote it, with the findings (or test failures) as the note.
 * The gate's send-backs have their own bound and do not count as fix rounds (`round: false`).
 */
export function fixFile(draft: Draft, file: FileEntry, evidenceArtifactId: string | undefined, round = true): void {
  if (file.stage === 'approved') stopDocumenting(draft, file.path);
  const note = file.openFindings;
  delete file.openFindings;
  file.stage = 'fixing';
  if (round) file.fixes += 1;
  file.coder ??= leastLoadedCoder(draft);
  if (file.codeArtifactId !== undefined) {
    draft.emit({
      type: 'artifactStatus',
      artifactId: file.codeArtifactId,
      status: 'needs-revision',
      ...(evidenceArtifactId !== undefined ? { reviewArtifactId: evidenceArtifactId } : {}),
    });
  }
  draft.dispatch({
    kind: 'fix',
    role: SECONDARY,
    instance: file.coder,
    grants: [file.path],
    file: file.path,
    inputs: [file.codeArtifactId, evidenceArtifactId],
    note: userInstructions(file, note),
  });
}

function approve(draft: Draft, file: FileEntry): void {
  file.stage = 'approved';
  draft.approvedFiles = true;
}

/** The Organiser takes the file as it is, despite the review. */
export function acceptFile(draft: Draft, file: FileEntry): void {
  delete file.openFindings;
  approve(draft, file);
  if (file.codeArtifactId !== undefined) draft.emit({ type: 'artifactStatus', artifactId: file.codeArtifactId, status: 'approved' });
}

/** A rejected review waiting for the Organiser. */
export function awaitsReviewDecision(file: FileEntry): boolean {
  return file.stage === 'reviewing' && file.openFindings !== undefined;
}

/** The coding phase the board is in: any fixing wins over any reviewing, which wins over implementing. */
export function boardPhase(files: readonly FileEntry[]): Phase {
  if (files.some((file) => file.stage === 'fixing')) return 'CODE_FIXING';
  if (files.some((file) => file.stage === 'reviewing')) return 'CODE_REVIEW';
  return 'CODE_IMPLEMENTATION';
}

/** The first rejected review in plan order, as a decision. */
export function fileDecision(draft: Draft): DecisionDraft | undefined {
  if (!CODING_PHASES.includes(draft.phase)) return undefined;
  const file = draft.state.files.find(awaitsReviewDecision);
  if (!file) return undefined;
  const { maxFixRounds } = draft.state.config;
  const findings = excerpt(file.openFindings);
  const reviewer = reviewerOf(draft, file);
  const by = reviewer !== undefined && reviewer !== 'code-sceptic' ? ` by ${reviewer}` : '';
  if (file.fixes < maxFixRounds) {
    return {
      point: 'file-reviewed',
      file: file.path,
      options: ['fix_file', 'accept_file', 'escalate'],
      recommended: 'fix_file',
      question: `The review of ${file.path}${by} asked for changes (fix round ${file.fixes} of at most ${maxFixRounds}): ${findings}`,
    };
  }
  return {
    point: 'loop-limit',
    file: file.path,
    options: ['accept_file', 'escalate'],
    recommended: 'escalate',
    question: `${file.path} was fixed ${file.fixes} times, the most allowed, and the review still asks for changes: ${findings}`,
  };
}
