import type { TestFailure } from '../backends/agentOutput';
import type { Draft } from './draft';
import { fixFile } from './fileBoard';
import { failuresNote } from './workNotes';
import { isRoleActive } from './workflowRoles';
import { rulesOf } from './workflowRules';
import type { FileEntry, WorkItem, WorkResult } from './workflowTypes';

/*
 * Tests after milestones (every N approved files, or a folder whose files are all approved), while
 * the rest of the plan is still being written. They run on the approved files so far; a failure goes
 * back to the coder of the file it names, as after the final test run, without stopping the board.
 * The final test run at the end stays: milestones catch breakage early, they do not replace it.
 */

const DEBUGGER = 'debugger';

/** A milestone test is a `test` item that names its files; the final run names none. */
export function isMilestoneTest(work: WorkItem): boolean {
  return work.kind === 'test' && work.files !== undefined;
}

/** Starts the next milestone's tests when one is due and none is running. */
export function scheduleMilestoneTests(draft: Draft, testsTakePart: boolean): void {
  const { state } = draft;
  const schedule = rulesOf(state).tests;
  if (schedule.when === 'end' || !testsTakePart || !isRoleActive(state.config, DEBUGGER)) return;
  if (draft.hasPendingWork((work) => work.kind === 'test')) return;
  const approved = state.files.filter(isGreen);
  if (approved.length === state.files.length) return; // the final run is next
  const milestones = state.milestones ?? { approvedAtLast: 0, folders: [] };
  if (schedule.when === 'every-files') {
    if (approved.length - milestones.approvedAtLast < schedule.files) return;
    state.milestones = { ...milestones, approvedAtLast: approved.length };
    dispatchMilestone(draft, approved, `${approved.length} files are approved`);
    return;
  }
  const folder = finishedFolder(state.files, milestones.folders);
  if (folder === undefined) return;
  state.milestones = { ...milestones, folders: [...milestones.folders, folder] };
  dispatchMilestone(draft, state.files.filter((file) => folderOf(file.path) === folder), `every file in ${folder === '' ? 'the top folder' : `${folder}/`} is approved`);
}

function isGreen(file: FileEntry): boolean {
  return file.stage === 'approved' && file.openFindings === undefined;
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** The first folder, in plan order, whose files are all approved and that has not been tested. */
function finishedFolder(files: readonly FileEntry[], tested: readonly string[]): string | undefined {
  const byFolder = new Map<string, FileEntry[]>();
  for (const file of files) byFolder.set(folderOf(file.path), [...(byFolder.get(folderOf(file.path)) ?? []), file]);
  for (const [folder, members] of byFolder) if (!tested.includes(folder) && members.every(isGreen)) return folder;
  return undefined;
}

function dispatchMilestone(draft: Draft, files: readonly FileEntry[], why: string): void {
  draft.dispatch({
    kind: 'test',
    role: DEBUGGER,
    instance: 1,
    grants: [],
    files: files.map((file) => file.path),
    inputs: [draft.state.plan?.artifactId],
    note: `Milestone: ${why}. Run the tests that cover these files: ${files.map((file) => file.path).join(', ')}.`,
  });
}

/** A milestone's report: each failing approved file goes back to its coder while it has fix rounds left. */
export function onMilestoneTested(draft: Draft, result: WorkResult): void {
  const reportId = result.artifactIds[0];
  const byFile = new Map<string, TestFailure[]>();
  for (const failure of result.testFailures ?? []) {
    if (failure.file === undefined) continue;
    byFile.set(failure.file, [...(byFile.get(failure.file) ?? []), failure]);
  }
  for (const [path, failures] of byFile) {
    const file = draft.file(path);
    if (!file || !isGreen(file) || file.fixes >= draft.state.config.maxFixRounds) continue;
    file.openFindings = failuresNote(failures);
    fixFile(draft, file, reportId);
  }
}
