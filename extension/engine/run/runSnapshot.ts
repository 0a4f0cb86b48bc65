import { z } from 'zod';
import { AgentRecordSchema } from '../agents/agentSchema';
import { PhaseSchema, WorkflowStateSchema } from '../workflow/workflowSchema';
import { BudgetsSchema } from './budget';
import { RecordedFindingSchema } from './findings';

/**
 * The run's state.json: everything needed to show, and later resume, a run after the process is
 * gone. Read back through these schemas, never cast; `formatVersion` changes whenever a reader of
 * the old shape would misread the new one.
 */
export const SNAPSHOT_FORMAT_VERSION = 2;
/**
 * Version 1 is state.json alone (written by earlier versions, after every transition); version 2
 * may be followed by `state.journal.jsonl`, which a version-1 reader would not know to read.
 */
export const READABLE_FORMAT_VERSIONS = [1, 2] as const;

export const PhaseTransitionSchema = z.object({
  from: PhaseSchema,
  to: PhaseSchema,
  /** ms since the run started. */
  atMs: z.number(),
});
export type PhaseTransition = z.infer<typeof PhaseTransitionSchema>;

export const TodoItemSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['pending', 'in-progress', 'done', 'blocked']),
  role: z.string().optional(),
  file: z.string().optional(),
});

/** When, and by which signal, a run's process was stopped; an optional field, so version 1 still reads. */
export const RunInterruptionSchema = z.object({ at: z.string(), signal: z.string().max(16) });
export type RunInterruption = z.infer<typeof RunInterruptionSchema>;

/** The recorded run a fork replayed up to `atTransition` before going on live; optional, so version 1 still reads. */
export const RunForkSchema = z.object({ runId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/), atTransition: z.number().int().positive() });
export type RunFork = z.infer<typeof RunForkSchema>;

export const RunSnapshotSchema = z.object({
  formatVersion: z.union([z.literal(1), z.literal(2)]),
  /** The last line of state.journal.jsonl this snapshot holds; absent in version 1. */
  journalSeq: z.number().int().nonnegative().optional(),
  runId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
  task: z.string(),
  workspace: z.string(),
  backend: z.string(),
  startedAt: z.string(),
  savedAt: z.string(),
  workflow: WorkflowStateSchema,
  /** Every agent so far, with its turns, tokens and cost (summed over earlier processes of the run). */
  agents: z.array(AgentRecordSchema),
  todo: z.array(TodoItemSchema),
  /** Agent id → files it may write right now. */
  grants: z.record(z.string(), z.array(z.string())),
  transitions: z.array(PhaseTransitionSchema),
  findings: z.array(RecordedFindingSchema),
  /** Role id → the profile id it ran on, so a resume can tell when the roles changed. */
  profiles: z.record(z.string(), z.string()),
  budgets: BudgetsSchema,
  /** What the run has cost, in total and per role, as the budget counted it. */
  spent: z.object({ totalUsd: z.number().nonnegative(), byRole: z.record(z.string(), z.number().nonnegative()) }),
  /** Set when the process was stopped by a signal (SIGINT, SIGTERM, SIGHUP); the run stays resumable. */
  interrupted: RunInterruptionSchema.optional(),
  /** Set on a fork (`replay --fork-at`): the run it was replayed from, and up to which transition. */
  forkedFrom: RunForkSchema.optional(),
});
export type RunSnapshot = z.infer<typeof RunSnapshotSchema>;
