import type { TranscriptLine } from '../../protocol/transcriptPart';
import type { AgentSession, Usage, WorkRequest } from '../backends/agentBackend';
import type { MessageRouter } from '../routing/messageRouter';
import type { RouterMessage } from '../routing/messageSchema';
import type { ErrorReason } from '../util/errors';
import type { TypedEmitter } from '../util/typedEvents';
import type { AgentRecord } from './agentSchema';
import type { ProviderScheduler } from './providerScheduler';

/** How one piece of work ended, as told to the requester. */
export interface WorkOutcome {
  workId: string;
  correlationId: string;
  result: 'done' | 'failed' | 'aborted';
  error?: { reason: ErrorReason; message: string; retryable: boolean };
}

export type PoolEvents = {
  'agent:created': (agent: AgentRecord) => void;
  'agent:statusChanged': (agent: AgentRecord) => void;
  'agent:usage': (agent: AgentRecord, delta: Usage) => void;
  'agent:workStarted': (agent: AgentRecord, work: WorkRequest) => void;
  'agent:workFinished': (agent: AgentRecord, outcome: WorkOutcome) => void;
  /** The backend saw no progress on the agent's work for `quietMs`; the work is still open. */
  'agent:stalled': (agent: AgentRecord, stall: { workId: string; quietMs: number; message: string }) => void;
  /** One version of one part of an agent's turn, as the run's transcripts keep it (see transcriptRecorder.ts). */
  'agent:part': (agentId: string, line: TranscriptLine) => void;
  /** A problem no requester can be told of (a reply that could not be sent, a session that would not close). */
  'pool:error': (error: unknown, context: { agentId?: string; workId?: string; during: string }) => void;
};

/** What a worker needs from its pool. */
export interface WorkerHost {
  router: MessageRouter;
  events: TypedEmitter<PoolEvents>;
  now(): number;
  isPaused(): boolean;
  /** Resolves when the pool resumes. */
  whenResumed(): Promise<void>;
  /** Runs `run` under the pool-wide cap; rejects with `aborted` without running it once `signal` has fired. */
  runLimited<T>(signal: AbortSignal, run: () => Promise<T>): Promise<T>;
  /** Model traffic per provider: every turn takes a slot first. */
  scheduler: ProviderScheduler;
}

/** Where the agent's model requests go, and how urgent its turns are (see ROLE_PRIORITY). */
export interface WorkerRoute {
  provider: string;
  priority: number;
}

/** A new session on another profile, taken up between two turns (the user reassigned the work). */
export interface ProfileSwitch {
  profileId: string;
  open(): Promise<{ session: AgentSession; route: WorkerRoute }>;
}

/**
 * 429s a turn waits out in the scheduler before its failure goes to the workflow (which counts it
 * as a failed attempt). A 30% storm reaches this many in a row about once in 150,000 turns.
 */
export const MAX_RATE_LIMIT_WAITS = 10;

/** The work id of a request: its work's own id, else the correlation id. */
export function workIdOf(message: RouterMessage): string {
  return message.messageType === 'request' ? message.payload.metadata.work.workId : message.correlationId;
}

/** A copy callers may keep or change without touching the pool's record. */
export function copyRecord(record: AgentRecord): AgentRecord {
  return { ...record, tokens: { ...record.tokens } };
}

/** The sum of two usages. */
export function addUsage(a: Usage, b: Usage): Usage {
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, costUsd: a.costUsd + b.costUsd };
}

/** The part of a run's total (the reply's usage) that its usage events did not already report. */
export function remainder(total: Usage, counted: Usage): Usage {
  return {
    inputTokens: Math.max(0, total.inputTokens - counted.inputTokens),
    outputTokens: Math.max(0, total.outputTokens - counted.outputTokens),
    costUsd: Math.max(0, total.costUsd - counted.costUsd),
  };
}
