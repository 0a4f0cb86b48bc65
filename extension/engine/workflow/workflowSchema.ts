import { z } from 'zod';
import { FindingSchema, PlannedFileSchema, SpawnRequestSchema, TestFailureSchema } from '../backends/agentOutput';
import { TestScheduleSchema } from '../../protocol/workflowDefinition';
import { OPTIONAL_STEPS } from './userChangeSchema';
import type { WorkflowRules } from './workflowRules';
import {
  FILE_STAGES,
  ORGANISER_ACTION_TYPES,
  PHASES,
  TESTS_BESIDE_OUTCOMES,
  WORK_KINDS,
  type Attention,
  type DecisionRequest,
  type Effect,
  type FileEntry,
  type WorkItem,
  type WorkResult,
  type WorkflowConfig,
  type WorkflowState,
} from './workflowTypes';

/**
 * The workflow state as it is read back from disk (a run's state.json). It mirrors the interfaces
 * in workflowTypes.ts field for field; the checks at the end of this file stop the two drifting
 * apart, so a saved state is validated on read instead of cast.
 */
export const PhaseSchema = z.enum(PHASES);

const ActionTypeSchema = z.enum(ORGANISER_ACTION_TYPES);

export const WorkItemSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(WORK_KINDS),
  role: z.string().min(1),
  instance: z.number().int().positive(),
  grants: z.array(z.string()),
  inputs: z.array(z.string()),
  file: z.string().optional(),
  files: z.array(z.string()).optional(),
  attempt: z.number().int().positive(),
  note: z.string().optional(),
});

export const FileEntrySchema = z.object({
  path: z.string().min(1),
  purpose: z.string(),
  stage: z.enum(FILE_STAGES),
  coder: z.number().int().positive().optional(),
  fixes: z.number().int().nonnegative(),
  codeArtifactId: z.string().optional(),
  pseudocodeArtifactId: z.string().optional(),
  documented: z.boolean().optional(),
  reviewArtifactId: z.string().optional(),
  openFindings: z.string().optional(),
  instructions: z.string().optional(),
  reviewStep: z.number().int().nonnegative().optional(),
  gateRounds: z.number().int().nonnegative().optional(),
  diagnostics: z.number().int().nonnegative().optional(),
});

const JoinableGlob = z.string().min(1).max(200);
export const WorkflowRulesSchema = z.object({
  documentation: z.boolean(),
  testing: z.boolean(),
  reviewers: z.array(z.object({ role: z.string().min(1), files: JoinableGlob.optional() })),
  phaseSteps: z.array(z.object({ role: z.string().min(1), phase: z.enum(['DOCUMENTATION', 'TESTING']), files: JoinableGlob.optional(), writes: z.array(z.string()).optional() })),
  tests: TestScheduleSchema,
  diagnosticsRounds: z.number().int().positive().optional(),
});

export const WorkflowConfigSchema = z.object({
  instances: z.record(z.string(), z.number().int().nonnegative()),
  maxPlanRevisions: z.number().int().nonnegative(),
  maxFixRounds: z.number().int().nonnegative(),
  maxTestCycles: z.number().int().nonnegative(),
  maxWorkAttempts: z.number().int().positive(),
  batchSize: z.number().int().positive(),
  retryBaseMs: z.number().nonnegative(),
  maxInstancesPerRole: z.number().int().positive(),
  rules: WorkflowRulesSchema.optional(),
});

const QueuedSpawnSchema = SpawnRequestSchema.extend({ requestedBy: z.string() });

export const DecisionRequestSchema = z.object({
  id: z.string().min(1),
  point: z.enum(['plan-ready', 'plan-reviewed', 'file-reviewed', 'tests-failed', 'spawn-request', 'loop-limit', 'circuit-breaker']),
  options: z.array(ActionTypeSchema),
  recommended: ActionTypeSchema,
  question: z.string(),
  file: z.string().optional(),
  spawn: QueuedSpawnSchema.optional(),
  work: WorkItemSchema.optional(),
});

export const AttentionSchema = z.object({
  reason: z.string(),
  decision: DecisionRequestSchema.optional(),
});

export const EffectSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('dispatch'), work: WorkItemSchema, delayMs: z.number().nonnegative().optional() }),
  z.object({ type: z.literal('abort'), workIds: z.array(z.string()) }),
  z.object({ type: z.literal('decide'), request: DecisionRequestSchema }),
  z.object({ type: z.literal('spawn'), role: z.string().min(1), instance: z.number().int().positive() }),
  z.object({ type: z.literal('attention'), attention: AttentionSchema }),
  z.object({
    type: z.literal('artifactStatus'),
    artifactId: z.string(),
    status: z.enum(['approved', 'needs-revision', 'completed']),
    reviewedBy: z.string().optional(),
    reviewArtifactId: z.string().optional(),
  }),
  z.object({ type: z.literal('finish'), phase: z.enum(['COMPLETED', 'CANCELLED', 'FAILED']), reason: z.string().optional() }),
]);

export const WorkflowStateSchema = z.object({
  phase: PhaseSchema,
  pausedFrom: PhaseSchema.optional(),
  task: z.string(),
  config: WorkflowConfigSchema,
  plan: z
    .object({
      artifactId: z.string(),
      revisions: z.number().int().nonnegative(),
      approved: z.boolean(),
      reviewArtifactId: z.string().optional(),
      openFindings: z.string().optional(),
      reviewAhead: z.boolean().optional(),
      approvedBy: z.string().optional(),
    })
    .optional(),
  files: z.array(FileEntrySchema),
  batchesLeft: z.number().int().nonnegative(),
  inFlight: z.record(z.string(), WorkItemSchema),
  deferred: z.array(EffectSchema),
  decision: DecisionRequestSchema.optional(),
  spawnQueue: z.array(QueuedSpawnSchema),
  attention: AttentionSchema.optional(),
  documented: z.boolean(),
  testCycles: z.number().int().nonnegative(),
  lastTestReportId: z.string().optional(),
  testsBeside: z.enum(TESTS_BESIDE_OUTCOMES).optional(),
  seq: z.number().int().nonnegative(),
  agentProfiles: z.record(z.string(), z.string()).optional(),
  skippedSteps: z.array(z.enum(OPTIONAL_STEPS)).optional(),
  pendingAdditions: z.array(FileEntrySchema).optional(),
  stepsDone: z.array(z.string()).optional(),
  milestones: z.object({ approvedAtLast: z.number().int().nonnegative(), folders: z.array(z.string()) }).optional(),
  outcome: z.object({ reason: z.string() }).optional(),
});

/** Not stored today, but part of the mirror so the event log can validate WORK_DONE later. */
export const WorkResultSchema = z.object({
  artifactIds: z.array(z.string()),
  fileArtifacts: z.record(z.string(), z.string()).optional(),
  plannedFiles: z.array(PlannedFileSchema).optional(),
  planProblems: z.array(z.string()).optional(),
  approved: z.boolean().optional(),
  findings: z.array(FindingSchema).optional(),
  testFailures: z.array(TestFailureSchema).optional(),
  spawnRequests: z.array(SpawnRequestSchema).optional(),
  diagnostics: z.array(FindingSchema).optional(),
});

/** True only when A and B are the same type with the same keys; a field added to one side alone fails to compile. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false) : false) : false;
const mirrors: [
  Same<z.infer<typeof WorkItemSchema>, WorkItem>,
  Same<z.infer<typeof FileEntrySchema>, FileEntry>,
  Same<z.infer<typeof WorkflowConfigSchema>, WorkflowConfig>,
  Same<z.infer<typeof DecisionRequestSchema>, DecisionRequest>,
  Same<z.infer<typeof AttentionSchema>, Attention>,
  Same<z.infer<typeof EffectSchema>, Effect>,
  Same<z.infer<typeof WorkResultSchema>, WorkResult>,
  Same<z.infer<typeof WorkflowStateSchema>, WorkflowState>,
  Same<z.infer<typeof WorkflowRulesSchema>, WorkflowRules>,
] = [true, true, true, true, true, true, true, true, true];
void mirrors;
