import { UserChangeSchema } from '../workflow/userChangeSchema';
import { z } from 'zod';
import { AgentRecordSchema } from '../agents/agentSchema';
import { PhaseSchema } from '../workflow/workflowSchema';
import { RecordedFindingSchema } from './findings';

/*
 * One schema per kind of event-log entry: what the run writes (`RunJournal.note`) and what every
 * reader (the dashboard's rebuild-from-folder, replay) reads back. Objects are loose so that an
 * entry written by a newer run with an extra field still reads; a missing or mistyped field does not.
 */

/** A phase change of the workflow machine, with the event that caused it. */
export const TransitionDataSchema = z.looseObject({
  from: PhaseSchema,
  to: PhaseSchema,
  /** Since the run started. */
  atMs: z.number().nonnegative(),
  event: z.string().optional(),
});

/** A router message; the content is cut to its first 200 characters. */
export const MessageDataSchema = z.looseObject({
  id: z.string(),
  from: z.string(),
  to: z.string(),
  messageType: z.string(),
  content: z.string(),
});

/** An agent's status change. */
export const AgentEventDataSchema = z.looseObject({
  status: AgentRecordSchema.shape.status,
  step: z.string().optional(),
});

/** An Organiser log line (`organiser:decided`, `organiser:context` …); see `OrganiserVerdictSchema` for a verdict's data. */
export const DecisionDataSchema = z.looseObject({
  event: z.string().min(1),
  data: z.unknown(),
});

/** The data of an `organiser:decided` or `organiser:fallback` decision entry. */
export const OrganiserVerdictSchema = z.looseObject({
  decision: z.string(),
  point: z.string(),
  action: z.string(),
  reason: z.string().optional(),
});

/** An artifact version a turn stored. */
export const ArtifactEventDataSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  version: z.number().int().positive(),
  summary: z.string(),
});

/** A finding, an event the machine refused, a decision that failed, a fatal error, or a result that could not be recorded. */
export const ErrorDataSchema = z.union([
  RecordedFindingSchema.loose(),
  z.looseObject({ rejectedEvent: z.string(), why: z.string() }),
  z.looseObject({ decision: z.string(), error: z.string() }),
  z.looseObject({ fatal: z.string() }),
  z.looseObject({ error: z.string() }),
]);

/** The run's own milestones, told apart by `event`. */
export const RunEventDataSchema = z.discriminatedUnion('event', [
  z.looseObject({ event: z.literal('started'), task: z.string(), backend: z.string(), config: z.unknown() }),
  z.looseObject({ event: z.literal('resumed'), from: PhaseSchema.optional(), budgets: z.unknown(), spentUsd: z.number() }),
  z.looseObject({ event: z.literal('attention'), reason: z.string() }),
  /** A person's change to the running workflow (USER_CHANGE), as the machine accepted it. */
  z.looseObject({ event: z.literal('changed'), change: UserChangeSchema }),
  /** One agent paused or resumed by the user while the rest of the team went on. */
  z.looseObject({ event: z.literal('agent-paused'), agentId: z.string() }),
  z.looseObject({ event: z.literal('agent-resumed'), agentId: z.string() }),
  z.looseObject({ event: z.literal('finished'), status: z.string(), reason: z.string().optional() }),
  /** The diagnostics gate checked a coder's file: how many errors, and the first of them. */
  z.looseObject({ event: z.literal('checked'), workId: z.string(), file: z.string(), errors: z.number().int().nonnegative(), first: z.array(z.string()) }),
  z.looseObject({
    event: z.literal('budget'),
    scope: z.enum(['run', 'role']),
    role: z.string(),
    limitUsd: z.number(),
    spentUsd: z.number(),
    reservedUsd: z.number(),
    estimateUsd: z.number().optional(),
    reason: z.string(),
  }),
]);

/** Fields every entry has besides its kind and data; the log adds `seq` and `ts`. */
const common = {
  runId: z.string().min(1),
  agentId: z.string().optional(),
  role: z.string().optional(),
  correlationId: z.string().optional(),
};

/** What a caller appends: one variant per kind, each with its own `data`. */
export const EventLogInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('transition'), ...common, data: TransitionDataSchema }),
  z.object({ kind: z.literal('message'), ...common, data: MessageDataSchema }),
  z.object({ kind: z.literal('agent'), ...common, data: AgentEventDataSchema }),
  z.object({ kind: z.literal('decision'), ...common, data: DecisionDataSchema }),
  z.object({ kind: z.literal('artifact'), ...common, data: ArtifactEventDataSchema }),
  z.object({ kind: z.literal('error'), ...common, data: ErrorDataSchema }),
  z.object({ kind: z.literal('run'), ...common, data: RunEventDataSchema }),
]);
export type EventLogInput = z.infer<typeof EventLogInputSchema>;
export type EventKind = EventLogInput['kind'];
/** What the run notes: an input without its run id (which the journal adds), still one variant per kind. */
export type EventNote = EventLogInput extends infer Entry ? (Entry extends unknown ? Omit<Entry, 'runId'> : never) : never;
export const EVENT_KINDS: readonly EventKind[] = EventLogInputSchema.options.map((option) => option.shape.kind.value);

/** Line bookkeeping the log adds to every entry. */
export const EntryStampSchema = z.object({
  /** 1, 2, 3 … in the order of `append` calls, continued across reopenings. */
  seq: z.number().int().positive(),
  ts: z.string(),
});

/** One line of the log. */
export const EventLogEntrySchema = z.intersection(EntryStampSchema, EventLogInputSchema);
export type EventLogEntry = z.infer<typeof EventLogEntrySchema>;
/** The entry of one kind, with its `data` typed. */
export type EventLogEntryOf<K extends EventKind> = Extract<EventLogEntry, { kind: K }>;
