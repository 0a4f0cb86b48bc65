import type { TranscriptPart } from '../../protocol/transcriptPart';
import type { Profile, RoleDefinition } from '../roles/roleSchema';
import type { AgentReply, Usage, WorkRequest } from './workMessages';

/**
 * The port every agent runtime implements: `kilo serve` sessions, the simulated backend, and any
 * later adapter. The engine never sees HTTP.
 */
export interface AgentBackend {
  readonly kind: 'simulated' | 'kilo';
  /** Opens one agent's session (on Kilo: the agent's first conversation; see ItemConversations). */
  startSession(spec: SessionSpec): Promise<AgentSession>;
  /** Closes every session and anything the backend started. */
  dispose(): Promise<void>;
  /**
   * The run is over for good (COMPLETED, FAILED or CANCELLED; not paused or interrupted, which may
   * resume): its sessions can be put away (Kilo archives them). Called before `dispose`; never throws.
   */
  endRun?(runId: string): Promise<void>;
}

export interface SessionSpec {
  agentId: string;
  role: RoleDefinition;
  profile: Profile;
  /** Absolute path of the workspace the agent works in. */
  workspace: string;
  /** The run the agent works for (Kilo titles the session with it). */
  runId?: string;
}

export interface AgentSession {
  readonly agentId: string;
  /** The backend's own id for the session (a Kilo session id), for logs. */
  readonly sessionId: string;
  /**
   * Does one piece of work. Resolves with the agent's raw answer (validated by the engine);
   * rejects with an `OrchestraError` (`aborted` when `signal` fires, `rate-limited`, `backend-failed` …).
   */
  run(request: WorkRequest, signal: AbortSignal, onEvent: (event: BackendEvent) => void): Promise<AgentReply>;
  close(): Promise<void>;
}

export { type AgentReply, type ArtifactInput, type DeniedCommand, type Usage, type WorkRequest } from './workMessages';

export type BackendEvent =
  | { type: 'status'; status: 'busy' | 'idle' }
  /**
   * The backend waits before trying the model again: `cause` tells a rate limit (429) from a
   * failing server (5xx) or a lost connection, so the user is not told "rate limit" for an outage.
   */
  | { type: 'retry'; attempt: number; nextAttemptAt: number; message: string; cause?: RetryCause; provider?: string }
  /** No sign of progress from the model for `quietMs`; the turn is still open. */
  | { type: 'stalled'; quietMs: number; message: string }
  | { type: 'progress'; message: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'file'; path: string }
  /**
   * One version of one part of the turn (text, a tool call with its input, output and diff, a step's
   * tokens, an error), already capped; a later version with the same `part.id` replaces it.
   */
  | { type: 'part'; part: TranscriptPart };

export type RetryCause = 'rate-limit' | 'server-error' | 'network';
