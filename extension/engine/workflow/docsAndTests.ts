import type { TestFailure } from '../backends/agentOutput';
import type { DecisionDraft, Draft } from './draft';
import { batchesOf, fixFile, leastBusyAgent } from './fileBoard';
import { nextPhaseStep, onPhaseStepDone, startPhaseStep } from './phaseSteps';
import { excerpt, failuresNote } from './workNotes';
import { agentIdOf, isRoleActive } from './workflowRoles';
import { rulesOf } from './workflowRules';
import type { OptionalStep } from './userChangeSchema';
import type { FileEntry, WorkItem, WorkResult, WorkflowStateView } from './workflowTypes';

const WRITER = 'documentation-writer';
const DEBUGGER = 'debugger';

/** The documentation overview; only the run's first documentation batch may write it. */
export const OVERVIEW_FILE = 'docs/OVERVIEW.md';

/**
 * Every file is approved: document once (when a writer takes part), then the custom steps that join
 * documentation, test (when a debugger takes part, and again after every round of test fixes), then
 * the custom steps that join testing, then finish.
 *
 * The tests read the code, not its documents, so the first test run goes beside the documentation
 * when nothing between the two could change the code (no custom step joins documentation): the
 * Debugger and the Documentation Writer work at once, and the run does not wait for one model turn
 * after the other. Its outcome waits in `testsBeside` until the documents are done; the phase then
 * moves to TESTING as before, and a failure is decided there.
 */
export function afterCoding(draft: Draft): void {
  const { state } = draft;
  const docStep = nextPhaseStep(draft, 'DOCUMENTATION');
  if (stepTakesPart(state, 'documentation') && !state.documented) startDocumentation(draft);
  else if (docStep) startPhaseStep(draft, docStep);
  else if (stepTakesPart(state, 'testing')) startTesting(draft);
  else afterTests(draft, `All ${state.files.length} files are approved.`);
}

/** The tests passed (or do not run): the custom steps that join testing, then the end. */
function afterTests(draft: Draft, outcome: string): void {
  const step = nextPhaseStep(draft, 'TESTING');
  if (step) startPhaseStep(draft, step);
  else draft.finish('COMPLETED', outcome);
}

/** A custom phase step is done: on with the phase it joined. */
export function onStepDone(draft: Draft, work: WorkItem): void {
  onPhaseStepDone(draft, work);
  if (draft.phase !== 'TESTING') {
    afterCoding(draft);
    return;
  }
  const tested = stepTakesPart(draft.state, 'testing') ? ' and the tests pass' : '';
  afterTests(draft, `All ${draft.state.files.length} files are approved${tested}.`);
}

/** The role that does each optional step. */
export const STEP_ROLE: Record<OptionalStep, string> = { documentation: WRITER, testing: DEBUGGER };

/** A step runs when its role is in the team, the workflow has it and the user has not left it out. */
export function stepTakesPart(state: WorkflowStateView, step: OptionalStep): boolean {
  return isRoleActive(state.config, STEP_ROLE[step]) && rulesOf(state)[step] && !(state.skippedSteps ?? []).includes(step);
}

/**
 * Documentation starts as files are approved, not once the last one is: while the coders go on
 * with the rest, every batch's worth of approved files goes to a writer (called after an event of
 * the coding phases that approved a file). A file that goes back to work meanwhile stops its batch (fileBoard.ts's
 * stopDocumenting). What is left when every file is approved goes out in DOCUMENTATION.
 */
export function documentApproved(draft: Draft): void {
  if (!stepTakesPart(draft.state, 'documentation') || draft.state.documented) return;
  const waiting = undocumented(draft);
  const { batchSize } = draft.state.config;
  for (let start = 0; waiting.length - start >= batchSize; start += batchSize) dispatchDocuments(draft, waiting.slice(start, start + batchSize));
}

/** Every file is approved: the files not yet documented go out in batches, and the tests beside them. */
function startDocumentation(draft: Draft): void {
  draft.state.phase = 'DOCUMENTATION';
  for (const batch of batchesOf(undocumented(draft), draft.state.config.batchSize)) dispatchDocuments(draft, batch);
  if (stepTakesPart(draft.state, 'testing') && !nextPhaseStep(draft, 'DOCUMENTATION')) dispatchTests(draft);
  // Every file was documented while the others were being coded.
  if (!draft.hasPendingWork(isDocument)) finishDocumentation(draft);
}

/** A batch is documented (or skipped, which counts as written); the last one ends the phase. */
export function onDocumented(draft: Draft, work: WorkItem): void {
  for (const path of work.files ?? []) {
    const file = draft.file(path);
    if (file) file.documented = true;
  }
  if (draft.phase === 'DOCUMENTATION' && !draft.hasPendingWork(isDocument)) finishDocumentation(draft);
}

function finishDocumentation(draft: Draft): void {
  draft.state.documented = true;
  afterCoding(draft);
}

function isDocument(work: WorkItem): boolean {
  return work.kind === 'document';
}

/** Approved files that are neither documented nor in a batch being documented, in plan order. */
function undocumented(draft: Draft): string[] {
  const taken = new Set(draft.pendingWork().flatMap((work) => (isDocument(work) ? (work.files ?? []) : [])));
  return draft.state.files.filter((file) => file.stage === 'approved' && file.documented !== true && !taken.has(file.path)).map((file) => file.path);
}

/** One batch to the writer with the least waiting; the run's first batch writes the overview too. */
function dispatchDocuments(draft: Draft, batch: string[]): void {
  const { state } = draft;
  const first = !draft.hasPendingWork(isDocument) && !state.files.some((file) => file.documented === true);
  draft.dispatch({
    kind: 'document',
    role: WRITER,
    instance: leastBusyAgent(draft, WRITER),
    grants: first ? [...batch, OVERVIEW_FILE] : batch,
    files: batch,
    inputs: [state.plan?.artifactId],
  });
}

function startTesting(draft: Draft): void {
  const { state } = draft;
  state.phase = 'TESTING';
  const beside = state.testsBeside;
  delete state.testsBeside;
  // Still running beside the documents: its report comes in this phase.
  if (draft.hasPendingWork(isFinalTest)) return;
  if (beside === 'passed') afterTests(draft, `All ${state.files.length} files are approved and the tests pass.`);
  else if (beside === 'skipped') onTestsSkipped(draft, agentIdOf(DEBUGGER, 1));
  // 'failed': the failures are on their files and wait for the Organiser (testsDecision).
  else if (beside === undefined) dispatchTests(draft);
}

function dispatchTests(draft: Draft): void {
  draft.dispatch({ kind: 'test', role: DEBUGGER, instance: 1, grants: [], inputs: [draft.state.plan?.artifactId] });
}

/** The final test run, as opposed to a milestone's (which names its files). */
function isFinalTest(work: WorkItem): boolean {
  return work.kind === 'test' && work.files === undefined;
}

/**
 * The final tests could not run and the user skipped them (circuit breaker): the run is done, or
 * done once the documents beside them are.
 */
export function onTestsSkipped(draft: Draft, agent: string): void {
  if (draft.phase === 'DOCUMENTATION') {
    draft.state.testsBeside = 'skipped';
    return;
  }
  draft.finish('COMPLETED', `All ${draft.state.files.length} files are approved; testing was skipped by the user after ${agent} failed every attempt.`);
}

/**
 * A test report. Passing tests finish the run. Failures are written onto the files they name (as
 * `openFindings` of an approved file) and wait for the Organiser; failures naming no file of the
 * plan only count towards the cycle.
 */
export function onTested(draft: Draft, result: WorkResult): void {
  const { state } = draft;
  const reportId = result.artifactIds[0];
  if (reportId !== undefined) state.lastTestReportId = reportId;
  const failures = result.testFailures ?? [];
  const beside = draft.phase === 'DOCUMENTATION';
  if (failures.length === 0) {
    if (beside) state.testsBeside = 'passed';
    else afterTests(draft, `All ${state.files.length} files are approved and the tests pass.`);
    return;
  }
  if (beside) state.testsBeside = 'failed';
  state.testCycles += 1;
  const byFile = new Map<string, TestFailure[]>();
  for (const failure of failures) {
    if (failure.file === undefined || !draft.file(failure.file)) continue;
    byFile.set(failure.file, [...(byFile.get(failure.file) ?? []), failure]);
  }
  for (const [path, fileFailures] of byFile) {
    const file = draft.file(path);
    if (file) file.openFindings = failuresNote(fileFailures);
  }
}

function failingFiles(files: readonly FileEntry[]): FileEntry[] {
  return files.filter((file) => file.stage === 'approved' && file.openFindings !== undefined);
}

/** Sends every file a failure named back to its coder, with the failures as the note. */
export function fixTestFailures(draft: Draft): void {
  const failing = failingFiles(draft.state.files);
  draft.state.phase = 'CODE_FIXING';
  for (const file of failing) fixFile(draft, draft.file(file.path)!, draft.state.lastTestReportId);
}

/** The decision after a failed test run, if the run is waiting for one. */
export function testsDecision(draft: Draft): DecisionDraft | undefined {
  if (draft.phase !== 'TESTING' || draft.hasPendingWork((work) => work.kind === 'test' || work.kind === 'step')) return undefined;
  const { testCycles, config, files } = draft.state;
  const failing = failingFiles(files);
  const named = failing.map((file) => `${file.path}: ${file.openFindings ?? ''}`).join(' ');
  const report = draft.state.lastTestReportId ? ` (report ${draft.state.lastTestReportId})` : '';
  if (testCycles > config.maxTestCycles) {
    return {
      point: 'loop-limit',
      options: ['complete', 'escalate'],
      recommended: 'escalate',
      question: `The tests failed again${report} after ${config.maxTestCycles} rounds of fixes, the most allowed. ${excerpt(named)}`.trim(),
    };
  }
  if (failing.length === 0) {
    // Nothing to route to a coder: a person should look at the report.
    return {
      point: 'tests-failed',
      options: ['complete', 'escalate'],
      recommended: 'escalate',
      question: `The tests failed${report}, but no failure names a file of the plan.`,
    };
  }
  return {
    point: 'tests-failed',
    options: ['fix_test_failures', 'complete', 'escalate'],
    recommended: 'fix_test_failures',
    question: `The tests failed${report} in cycle ${testCycles} of at most ${config.maxTestCycles}, in ${failing.length} files: ${excerpt(named)}`,
  };
}
