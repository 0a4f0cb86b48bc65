import { z } from 'zod';
import { FILE_STAGES } from '../../protocol/viewModel';
import type { Finding, PlannedFile, SpawnRequest, TestFailure } from '../backends/agentOutput';
import type { OptionalStep, UserChange } from './userChangeSchema';
import type { WorkflowRules } from './workflowRules';

export const PHASES = [
  'IDLE',
  'PLANNING',
  'PLAN_REVIEW',
  'PLAN_REVISION',
  'STRUCTURE_CREATION',
  'CODE_IMPLEMENTATION',
  'CODE_REVIEW',
  'CODE_FIXING',
  'DOCUMENTATION',
  'TESTING',
  'COMPLETED',
  'PAUSED',
  'CANCELLED',
  'FAILED',
] as const;
export type Phase = (typeof PHASES)[number];
export const TERMINAL_PHASES: readonly Phase[] = ['COMPLETED', 'CANCELLED', 'FAILED'];

/** The kinds of work the machine hands to role agents. */
export const WORK_KINDS = ['plan', 'review-plan', 'revise-plan', 'structure', 'implement', 'review-code', 'fix', 'document', 'test', 'consult', 'check', 'step'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

/** Which workflow role does which kind of work (custom roles also review code and take `step`s, as the rules say). */
export const ROLE_FOR_KIND: Record<Exclude<WorkKind, 'consult' | 'check' | 'step'>, string> = {
  plan: 'architect',
  'review-plan': 'code-sceptic',
  'revise-plan': 'architect',
  structure: 'primary-coder',
  implement: 'secondary-coder',
  'review-code': 'code-sceptic',
  fix: 'secondary-coder',
  document: 'documentation-writer',
  test: 'debugger',
};

/** `check` work is not an agent's: the run's diagnostics checker does it (see DiagnosticsChecker). */
export const CHECKER_ROLE = 'diagnostics';

/** A piece of work for one agent instance (`${role}-${instance}` is the agent id). */
export interface WorkItem {
  id: string;
  kind: WorkKind;
  role: string;
  instance: number;
  /** Files the agent may write. */
  grants: string[];
  /** Artifact ids the agent receives in full. */
  inputs: string[];
  /** For per-file work. */
  file?: string;
  /** For batched work (structure, document): the files of the batch. */
  files?: string[];
  /** 1 for the first try; rises on each retry after a failure. */
  attempt: number;
  /** Free text from the Organiser or the previous step (review findings, test failures, spawn reason). */
  note?: string;
}

export { FILE_STAGES };
export type FileStage = (typeof FILE_STAGES)[number];

export interface FileEntry {
  path: string;
  purpose: string;
  stage: FileStage;
  /** The secondary-coder instance that owns the file; fixes go back to it. */
  coder?: number;
  /** Fix rounds so far (review rejections and test failures). */
  fixes: number;
  /** Latest code artifact of the file. */
  codeArtifactId?: string;
  /** Pseudocode artifact from structure creation. */
  pseudocodeArtifactId?: string;
  /** A documentation batch has documented the file (documentation starts as files are approved). */
  documented?: boolean;
  /** Latest review artifact of the file. */
  reviewArtifactId?: string;
  /** Findings to hand to the fixer. */
  openFindings?: string;
  /** The user's instructions for this file, handed to every later piece of work on it. */
  instructions?: string;
  /** Index into the rules' reviewers of the one reviewing the file now (or who approved it last). */
  reviewStep?: number;
  /** Diagnostics-gate rounds that sent the file back to its coder (see workflowRules.diagnosticsRounds). */
  gateRounds?: number;
  /** Errors the gate's last check found in the file (0: clean). */
  diagnostics?: number;
}

export interface WorkflowConfig {
  /** Role id → number of agent instances; a role absent or 0 is inactive. */
  instances: Record<string, number>;
  maxPlanRevisions: number;
  maxFixRounds: number;
  maxTestCycles: number;
  /** How many times one work item is tried before the run needs the user. */
  maxWorkAttempts: number;
  /**
   * The most files in one structure or documentation work item. Small, so that the turn that writes
   * them (the model's own tool calls for every file, in its last request) stays the same size however
   * long the plan; the batches spread over the role's agents, which scale with the coders.
   */
  batchSize: number;
  /** Base of the exponential retry delay, in ms. */
  retryBaseMs: number;
  /** Most instances a spawn request may raise a role to. */
  maxInstancesPerRole: number;
  /** The workflow definition as rules (reviewers, steps, test schedule, gate); absent: the built-in workflow. */
  rules?: WorkflowRules;
}

export const DEFAULT_WORKFLOW_CONFIG: WorkflowConfig = {
  instances: {},
  maxPlanRevisions: 3,
  maxFixRounds: 3,
  maxTestCycles: 2,
  maxWorkAttempts: 3,
  batchSize: 5,
  retryBaseMs: 1000,
  maxInstancesPerRole: 4,
};

/** Decision points: where the Organiser chooses between more than one allowed action. */
export const TESTS_BESIDE_OUTCOMES = ['passed', 'failed', 'skipped'] as const;
export type TestsBesideOutcome = (typeof TESTS_BESIDE_OUTCOMES)[number];

export type DecisionPoint = 'plan-ready' | 'plan-reviewed' | 'file-reviewed' | 'tests-failed' | 'spawn-request' | 'loop-limit' | 'circuit-breaker';

export const ORGANISER_ACTION_TYPES = [
  'request_plan_review',
  'approve_plan',
  'revise_plan',
  'fix_file',
  'accept_file',
  'fix_test_failures',
  'complete',
  'grant_spawn',
  'refuse_spawn',
  'escalate',
  // Only at the circuit breaker, answered by a person: the work that failed every attempt.
  'retry_work',
  'reassign_work',
  'skip_work',
] as const;
export type OrganiserActionType = (typeof ORGANISER_ACTION_TYPES)[number];

/** The closed set of answers the Organiser agent may give; anything else is invalid. */
export const OrganiserActionSchema = z.object({
  action: z.enum(ORGANISER_ACTION_TYPES),
  /** One sentence: why. Shown in the timeline and handed to the next agent. */
  reason: z.string().max(500).default(''),
  /** For `reassign_work`: the user's profile the work moves to. */
  profileId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
});
export type OrganiserAction = z.infer<typeof OrganiserActionSchema>;

export interface DecisionRequest {
  id: string;
  point: DecisionPoint;
  options: OrganiserActionType[];
  /** What the built-in rule would do; used when the Organiser gives no valid answer. */
  recommended: OrganiserActionType;
  /** What the decision is about, in words, for the Organiser's context. */
  question: string;
  file?: string;
  spawn?: SpawnRequest & { requestedBy: string };
  /** At the circuit breaker: the work that failed every attempt (it waits in `deferred`). */
  work?: WorkItem;
}

/** Why the run stopped for the user (loop limit, repeated failure); cleared on resume. */
export interface Attention {
  reason: string;
  decision?: DecisionRequest;
}

/** The plan the run builds from, and where its review stands. */
export interface PlanState {
  artifactId: string;
  revisions: number;
  approved: boolean;
  reviewArtifactId?: string;
  openFindings?: string;
  /**
   * A first plan's review starts as the plan comes in, beside the Organiser's plan-ready decision,
   * so that a run does not wait one Organiser turn before the review. Set until the Organiser
   * answers: a review that ends first waits for that answer (see planning.ts).
   */
  reviewAhead?: boolean;
  /** The Sceptic whose review approved the plan while the Organiser's answer was still awaited. */
  approvedBy?: string;
}

export interface WorkflowState {
  phase: Phase;
  /** While PAUSED: the phase to return to. */
  pausedFrom?: Phase;
  task: string;
  config: WorkflowConfig;
  plan?: PlanState;
  /** Files in plan order. */
  files: FileEntry[];
  /** Structure / documentation batches not yet done (indexes into `files` ranges are not kept: paths are). */
  batchesLeft: number;
  inFlight: Record<string, WorkItem>;
  /** Effects held back while PAUSED, emitted on RESUME. */
  deferred: Effect[];
  decision?: DecisionRequest;
  /** Spawn requests waiting for their own decision. */
  spawnQueue: Array<SpawnRequest & { requestedBy: string }>;
  attention?: Attention;
  documented: boolean;
  testCycles: number;
  lastTestReportId?: string;
  /**
   * How the final test run that ran beside the documentation ended, kept until the documents are
   * done (see docsAndTests.ts); its failures are on the files already.
   */
  testsBeside?: TestsBesideOutcome;
  /** Deterministic id source for work items and decisions. */
  seq: number;
  /** Agent id → the profile it was moved to by the user (circuit breaker: reassign, or a chat change). */
  agentProfiles?: Record<string, string>;
  /** Optional steps the user left out of this run. */
  skippedSteps?: OptionalStep[];
  /** Files the user added before the plan was approved; they join the plan when it is. */
  pendingAdditions?: FileEntry[];
  /** Custom phase steps (role ids) that have run. */
  stepsDone?: string[];
  /** Milestone tests so far: approved files covered by the last one, and folders tested. */
  milestones?: { approvedAtLast: number; folders: string[] };
  outcome?: { reason: string };
}

/** A state to read: the draft of a transition shows its shared, grow-with-the-plan containers so (draft.ts). */
export type WorkflowStateView = Omit<WorkflowState, 'files' | 'inFlight'> & {
  files: readonly FileEntry[];
  inFlight: Readonly<Record<string, WorkItem>>;
};

/** The engine's digest of a finished piece of work, after its artifacts were stored. */
export interface WorkResult {
  /** Artifacts recorded for this work, in order (one per file for batches). */
  artifactIds: string[];
  /** For batches: file path → its artifact id. */
  fileArtifacts?: Record<string, string>;
  plannedFiles?: PlannedFile[];
  /** For plans: why planned paths were left out (wildcard, hostile, symlink out, control file); sent back to the Architect. */
  planProblems?: string[];
  approved?: boolean;
  findings?: Finding[];
  testFailures?: TestFailure[];
  spawnRequests?: SpawnRequest[];
  /** `check` work: the errors the checker found in the work's file (none: clean). */
  diagnostics?: Finding[];
}

export type WorkflowEvent =
  | { type: 'START'; task: string; config: WorkflowConfig }
  | { type: 'WORK_DONE'; workId: string; result: WorkResult }
  | { type: 'WORK_FAILED'; workId: string; message: string; retryable: boolean }
  | { type: 'WORK_ABORTED'; workId: string }
  | { type: 'DECIDE'; decisionId: string; action: OrganiserAction }
  /** `reason` (a budget that would be passed …) also stops the run for a person, shown as its attention. */
  | { type: 'PAUSE'; reason?: string }
  | { type: 'RESUME'; action?: OrganiserAction }
  | { type: 'CANCEL'; reason?: string }
  /** A person changes the run (see userChanges.ts); refused with the reason when the state does not allow it. */
  | { type: 'USER_CHANGE'; change: UserChange }
  | { type: 'FAIL'; reason: string };

export type Effect =
  | { type: 'dispatch'; work: WorkItem; delayMs?: number }
  | { type: 'abort'; workIds: string[] }
  | { type: 'decide'; request: DecisionRequest }
  | { type: 'spawn'; role: string; instance: number }
  | { type: 'attention'; attention: Attention }
  | { type: 'artifactStatus'; artifactId: string; status: 'approved' | 'needs-revision' | 'completed'; reviewedBy?: string; reviewArtifactId?: string }
  | { type: 'finish'; phase: 'COMPLETED' | 'CANCELLED' | 'FAILED'; reason?: string };

export interface TransitionResult {
  state: WorkflowState;
  effects: Effect[];
  /** Set when the event was not allowed in this state; the state is then unchanged. */
  rejected?: string;
}
