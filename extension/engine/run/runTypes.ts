import type { TranscriptLine } from '../../protocol/transcriptPart';
import type { AgentRecord } from '../agents/agentSchema';
import type { ArtifactRecord } from '../artifacts/artifactSchema';
import type { ProviderLimits } from '../agents/providerScheduler';
import type { AgentBackend } from '../backends/agentBackend';
import type { DiagnosticsChecker } from '../diagnostics/diagnosticsChecker';
import type { OrganiserDecision } from '../organiser/organiser';
import type { RoleResolution } from '../roles/roleValidation';
import type { Attention, DecisionRequest, WorkflowConfig, WorkflowState } from '../workflow/workflowTypes';
import type { Budgets } from './budget';
import type { RunReport } from './runReport';
import type { PhaseTransition, RunSnapshot } from './runStateStore';
import type { RunFork } from './runSnapshot';
import type { RecordedFinding } from './workRecorder';

/** What an orchestrated run is built from, and the events it reports (see OrchestrationRun). */
export interface OrchestrationRunOptions {
  /** Absolute path of the workspace the agents work in. */
  workspace: string;
  task: string;
  roles: RoleResolution;
  backend: AgentBackend;
  /** Most agents working at once. */
  maxActive?: number;
  workflow?: Partial<Omit<WorkflowConfig, 'instances'>>;
  organiserBudgetTokens?: number;
  /** Skills the agents can use (e.g. Kilo's skills), listed in the Organiser's context. */
  skills?: string[];
  /**
   * Headless runs fail when the run needs a person, except a budget stop, which ends the run PAUSED
   * so that it can be resumed; the extension waits for a person.
   */
  onAttention?: 'wait' | 'fail';
  runId?: string;
  clock?: () => number;
  /** Caps on model traffic per provider (`kiloOrchestra.providerLimits`); see providerScheduler.ts. */
  providerLimits?: ProviderLimits;
  /** Spending limits: the run pauses before a turn whose estimate would pass one (see budget.ts). */
  budgets?: Budgets;
  /**
   * Control files (`kilo.json`, `.kilo/…`) the user allows agents to write when the plan names them;
   * none by default. `.git/` and the run's own folder are never allowed.
   */
  allowControlFiles?: readonly string[];
  /** Files one plan may name before the rest are cut (default LIMITS.plannedFiles, 500); the engine-growth benchmark raises it to measure larger plans. */
  maxPlannedFiles?: number;
  /**
   * The diagnostics gate's checker (VS Code's language features, or the project's checker headless);
   * without one the gate is off whatever the workflow definition says.
   */
  diagnostics?: DiagnosticsChecker;
  /** Continue this saved run (same runId, folder, artifacts and event log) instead of starting afresh. */
  restoreFrom?: RunSnapshot;
  /** A fork: the recorded run it replays the start of (kept in state.json, and by a resume of it). */
  forkedFrom?: RunFork;
}

export type RunEvents = {
  'workflow:transitioned': (transition: PhaseTransition, state: WorkflowState) => void;
  /** After every event the machine accepted, whether or not the phase changed. */
  'workflow:changed': (state: WorkflowState) => void;
  'agent:statusChanged': (agent: AgentRecord) => void;
  'artifact:recorded': (artifact: ArtifactRecord) => void;
  /** An artifact's review status changed (approved, needs revision, completed). */
  'artifact:statusChanged': (artifact: ArtifactRecord) => void;
  'decision:made': (request: DecisionRequest, decision: OrganiserDecision) => void;
  'run:attention': (attention: Attention) => void;
  'run:finding': (finding: RecordedFinding) => void;
  /** The diagnostics gate checked a coder's file (errors 0: clean). */
  'file:checked': (checked: FileChecked) => void;
  'run:finished': (report: RunReport) => void;
  /** Every message the router accepted (work, replies, questions), for transcripts. `atMs` is since the run started. */
  'agent:message': (message: AgentMessageEvent) => void;
  /** One version of one part of an agent's turn (text, a tool call, a step), kept in `transcripts/<agentId>.jsonl`. */
  'agent:part': (agentId: string, line: TranscriptLine) => void;
};

export interface FileChecked {
  workId: string;
  file: string;
  errors: number;
  /** The first errors, as the coder receives them. */
  first: string[];
}

export interface AgentMessageEvent {
  from: string;
  to: string;
  messageType: string;
  content: string;
  correlationId?: string;
  atMs: number;
}

/** The options with their defaults filled in (see OrchestrationRun.create). */
export type ResolvedRunOptions = Required<Pick<OrchestrationRunOptions, 'workspace' | 'task' | 'roles' | 'backend' | 'maxActive' | 'onAttention' | 'clock'>> & OrchestrationRunOptions;
