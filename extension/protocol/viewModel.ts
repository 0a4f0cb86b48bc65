import { z } from 'zod';
import { RolledBackViewSchema, RunSummaryViewSchema } from './runSummaryView';
import { TranscriptPartViewSchema } from './transcriptPart';

/**
 * What the dashboard shows, as plain data. The protocol stands alone (zod only) so the webview
 * bundle never pulls in engine code; `test/unit/protocol` checks these lists against the engine's.
 */
export const PHASE_NAMES = [
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
export const PhaseViewSchema = z.enum(PHASE_NAMES);
export type PhaseView = z.infer<typeof PhaseViewSchema>;

/** Traffic-light states of an agent (same words as the engine's AgentStatus). */
export const AGENT_STATUSES = ['idle', 'working', 'waiting-rate-limit', 'needs-attention', 'paused', 'done', 'terminated'] as const;
export const AgentStatusViewSchema = z.enum(AGENT_STATUSES);
export type AgentStatusView = z.infer<typeof AgentStatusViewSchema>;

export const ARTIFACT_TYPE_NAMES = ['plan', 'pseudocode', 'code', 'review', 'documentation', 'test-report'] as const;
export const ArtifactTypeViewSchema = z.enum(ARTIFACT_TYPE_NAMES);

/** How a run that did not finish stopped (the engine's UnfinishedKind). */
export const UNFINISHED_KINDS = ['paused', 'interrupted', 'stopped'] as const;

/** A file's way through the board; `checking` is the diagnostics gate before review. */
export const FILE_STAGES = ['pending', 'implementing', 'checking', 'reviewing', 'fixing', 'approved'] as const;

const Usd = z.number().nonnegative();
const Tokens = z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() });

export const AgentViewSchema = z.object({
  id: z.string(),
  role: z.string(),
  /** The role's display name ("Secondary Coder"). */
  roleName: z.string(),
  instance: z.number().int().positive(),
  /** "provider/model" the agent runs on. */
  model: z.string(),
  status: AgentStatusViewSchema,
  currentStep: z.string().optional(),
  turns: z.number().int().nonnegative(),
  tokens: Tokens,
  costUsd: Usd,
  lastError: z.string().optional(),
});
export type AgentView = z.infer<typeof AgentViewSchema>;

export const TimelineEntrySchema = z.object({
  /** Rises by one per entry within a run; the dashboard keeps entries in this order. */
  seq: z.number().int().nonnegative(),
  /** Milliseconds since the run started. */
  atMs: z.number().nonnegative(),
  kind: z.enum(['phase', 'decision', 'artifact', 'finding', 'attention', 'work', 'chat']),
  title: z.string(),
  detail: z.string().optional(),
  agentId: z.string().optional(),
  /** For phase entries: how long the phase lasted (absent while it is current). */
  durationMs: z.number().nonnegative().optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;

export const FileViewSchema = z.object({
  path: z.string(),
  purpose: z.string(),
  stage: z.enum(FILE_STAGES),
  /** The Secondary Coder instance that owns the file. */
  coder: z.number().int().positive().optional(),
  fixes: z.number().int().nonnegative(),
  codeArtifactId: z.string().optional(),
  /** Errors the diagnostics gate found at its last check (0: clean; absent: not checked). */
  diagnostics: z.number().int().nonnegative().optional(),
  /** While reviewing: the reviewer's role (the Code Sceptic, or a custom reviewer). */
  reviewer: z.string().optional(),
});
export type FileView = z.infer<typeof FileViewSchema>;

export const ArtifactViewSchema = z.object({
  id: z.string(),
  type: ArtifactTypeViewSchema,
  producer: z.string(),
  role: z.string(),
  status: z.enum(['in-progress', 'completed', 'needs-revision', 'approved']),
  summary: z.string(),
  version: z.number().int().positive(),
  files: z.array(z.string()),
  updatedAt: z.string(),
});
export type ArtifactView = z.infer<typeof ArtifactViewSchema>;

export const TodoViewSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['pending', 'in-progress', 'done', 'blocked']),
  role: z.string().optional(),
  file: z.string().optional(),
});
export type TodoView = z.infer<typeof TodoViewSchema>;

export const CostViewSchema = z.object({
  totalUsd: Usd,
  /** The user's budget for a run (setting `kiloOrchestra.budgetUsd`); absent when none is set. */
  budgetUsd: Usd.optional(),
  /** `budgetUsd`: the role's own limit (setting `kiloOrchestra.roleBudgetsUsd`), when it has one. */
  byRole: z.array(z.object({ role: z.string(), roleName: z.string(), usd: Usd, tokens: Tokens, budgetUsd: Usd.optional(), unpriced: z.boolean().optional() })),
  byAgent: z.array(z.object({ agentId: z.string(), usd: Usd })),
  /** Models agents ran on that have no price: their turns read $0, so the total is a lower bound and budgets miss them. */
  unpricedModels: z.array(z.string()).optional(),
});
export type CostView = z.infer<typeof CostViewSchema>;

/** One action of an Organiser answer as the chat shows it. */
export const ChatActionViewSchema = z.object({
  said: z.string().max(2000),
  status: z.enum(['applied', 'refused', 'proposed', 'dismissed']),
  /** Why it was refused, or an agent's answer to a message passed on. */
  detail: z.string().max(4000).optional(),
  /** For a proposal: the id Apply and Dismiss name. */
  proposalId: z.string().regex(/^p\d{1,6}$/).optional(),
});
export type ChatActionView = z.infer<typeof ChatActionViewSchema>;

export const ChatMessageSchema = z.object({
  id: z.string(),
  /** 'user', 'organiser' or an agent id. */
  from: z.string(),
  text: z.string(),
  atMs: z.number().nonnegative(),
  /** Set while the answer is still being worked out, and on a failed answer. */
  pending: z.boolean().optional(),
  error: z.string().optional(),
  /** What the Organiser did for this message: applied, refused (with why), or proposed for Apply / Dismiss. */
  actions: z.array(ChatActionViewSchema).max(10).optional(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** A transcript line of one agent: the work it was given, what it answered, messages with the user. */
export const TranscriptEntrySchema = z.object({
  atMs: z.number().nonnegative(),
  direction: z.enum(['to-agent', 'from-agent']),
  /** 'organiser' or 'user' on the other side. */
  counterpart: z.string(),
  text: z.string(),
});
export type TranscriptEntry = z.infer<typeof TranscriptEntrySchema>;

export const RunViewSchema = z.object({
  runId: z.string(),
  task: z.string(),
  phase: PhaseViewSchema,
  pausedFrom: PhaseViewSchema.optional(),
  backend: z.string(),
  /** Epoch ms. */
  startedAt: z.number(),
  finishedAt: z.number().optional(),
  /** Why the run stopped for the user, and what the user may choose. */
  attention: z
    .object({
      reason: z.string(),
      options: z.array(z.string()),
      /** For `reassign_work` (circuit breaker): the user's other profiles the work may move to, a few at most. */
      reassignTo: z.array(z.object({ id: z.string(), label: z.string() })).max(3).optional(),
    })
    .optional(),
  /** How a finished run ended (the reason of a failure or cancel). */
  outcome: z.string().optional(),
  /** A checkpoint of the workspace exists to roll back to. */
  canRollBack: z.boolean(),
  /** The run is this window's live run (not one read back from disk after a reload). */
  live: z.boolean(),
  /**
   * A run read back from disk that did not finish and that no live process holds: it can be resumed
   * here or discarded. `paused` by a person or a budget, `interrupted` by a signal, `stopped` by a crash.
   */
  unfinished: z.object({ kind: z.enum(UNFINISHED_KINDS) }).optional(),
  /** The run's ending (files changed, tests, cost against the estimate, findings), once it has one. */
  summary: RunSummaryViewSchema.optional(),
  /** The workspace was rolled back to one of the run's checkpoints: the dashboard says so instead of the phase. */
  rolledBack: RolledBackViewSchema.optional(),
});
export type RunView = z.infer<typeof RunViewSchema>;

/** Everything the dashboard shows of one run. */
export const DashboardStateSchema = z.object({
  run: RunViewSchema.optional(),
  agents: z.array(AgentViewSchema),
  timeline: z.array(TimelineEntrySchema),
  files: z.array(FileViewSchema),
  artifacts: z.array(ArtifactViewSchema),
  todo: z.array(TodoViewSchema),
  cost: CostViewSchema,
  /** The user's conversation with the Organiser. */
  chat: z.array(ChatMessageSchema),
  /** Agent id → its transcript (most recent entries; older ones stay in the run's event log). */
  transcripts: z.record(z.string(), z.array(TranscriptEntrySchema)),
  /** Agent id → what it did, part by part (summaries; bodies are loaded with `transcript/loadPart`). */
  parts: z.record(z.string(), z.array(TranscriptPartViewSchema)).optional(),
});
export type DashboardState = z.infer<typeof DashboardStateSchema>;

export function emptyDashboardState(): DashboardState {
  return { agents: [], timeline: [], files: [], artifacts: [], todo: [], cost: { totalUsd: 0, byRole: [], byAgent: [] }, chat: [], transcripts: {} };
}
