import type { ArtifactType } from '../artifacts/artifactSchema';
import type { Profile, RoleDefinition } from '../roles/roleSchema';
import type { WorkKind } from '../workflow/workflowTypes';

/**
 * The port every agent runtime implements: `kilo serve` sessions, the simulated backend, and any
 * later adapter. The engine never sees HTTP.
 */
export interface AgentBackend {
  readonly kind: 'simulated' | 'kilo';
  /** Opens one agent's session (one Kilo session per agent). */
  startSession(spec: SessionSpec): Promise<AgentSession>;
  /** Closes every session and anything the backend started. */
  dispose(): Promise<void>;
}

export interface SessionSpec {
  agentId: string;
  role: RoleDefinition;
  profile: Profile;
  /** Absolute path of the workspace the agent works in. */
  workspace: string;
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

/** An artifact handed to an agent in full (the Organiser never gets these). */
export interface ArtifactInput {
  id: string;
  type: ArtifactType;
  summary: string;
  files: string[];
  content: string;
}

export interface WorkRequest {
  workId: string;
  kind: WorkKind | 'decide' | 'chat';
  /** The instruction text for this piece of work. */
  prompt: string;
  /** Workspace-relative files the agent may create or change; everything else is read-only. */
  grants: string[];
  inputs: ArtifactInput[];
  /** For `decide`: the JSON Schema the answer must follow. */
  responseSchema?: Record<string, unknown>;
  /** Structured detail for backends that script their answers (file path, attempt …). */
  detail: Record<string, unknown>;
  /**
   * The answer must come from this prompt alone: a backend whose sessions remember earlier turns
   * starts a new conversation for it. The Organiser asks this way, so it never builds up history.
   */
  freshConversation?: boolean;
}

export interface AgentReply {
  /** The parsed JSON answer (an AgentOutput for role work, an action for `decide`), not yet validated. */
  output: unknown;
  /** Workspace-relative files the session actually changed (from the backend, never the agent's claim). */
  changedFiles: string[];
  usage: Usage;
  /** Workspace-relative files the backend refused to let the agent write (outside its grant). */
  deniedWrites?: string[];
  /**
   * Shell commands the backend refused to run: a bare command was not allowed (not the project's
   * test command, nor allowed by the user); one with a `reason` was refused for that reason.
   */
  deniedCommands?: DeniedCommand[];
  /** Set on a test turn the agent could not run tests in: why (the project has no test command). */
  testsNotRun?: string;
}

export type DeniedCommand = string | { command: string; reason: string };

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

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
  | { type: 'file'; path: string };

export type RetryCause = 'rate-limit' | 'server-error' | 'network';
