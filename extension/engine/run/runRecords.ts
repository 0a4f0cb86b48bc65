import type { AgentRecord } from '../agents/agentSchema';
import type { ArtifactRecord } from '../artifacts/artifactSchema';
import type { RoleResolution } from '../roles/roleValidation';
import { deriveTodoList } from '../workflow/todoList';
import type { Phase, WorkflowState } from '../workflow/workflowTypes';
import { buildRunReport, type RunReport } from './runReport';
import type { RunSpending } from './runSpending';
import type { RunFork, RunInterruption } from './runSnapshot';
import { currentGrants, type PhaseTransition, type RunSnapshot } from './runStateStore';
import type { RecordedFinding } from './workRecorder';

/**
 * What a run has written down so far. Its state.json (after every transition) and its report (at
 * the end) are both built from these, so the two never disagree on what happened.
 */
export interface RunRecords {
  runId: string;
  runDir: string;
  task: string;
  workspace: string;
  backend: string;
  roles: Pick<RoleResolution, 'assignments' | 'profiles'>;
  /** When the run first started, in ms (a resumed run keeps its first start). */
  startedAt: number;
  now: number;
  workflow: WorkflowState;
  transitions: PhaseTransition[];
  findings: RecordedFinding[];
  spending: Pick<RunSpending, 'agents' | 'spent' | 'report' | 'guard'>;
  /** This process was stopped by a signal; the run is left resumable. */
  interrupted?: RunInterruption;
  forkedFrom?: RunFork;
}

/**
 * The run's state.json as of now (the store adds the format version). The to-do list and the
 * grants are derived from the workflow and cost as much as the plan is long, so they are worked out
 * only when read: a save that journals only what changed never reads them.
 */
export function snapshotOf(run: RunRecords): Omit<RunSnapshot, 'formatVersion'> {
  const snapshot = {
    runId: run.runId,
    task: run.task,
    workspace: run.workspace,
    backend: run.backend,
    startedAt: new Date(run.startedAt).toISOString(),
    savedAt: new Date(run.now).toISOString(),
    workflow: run.workflow,
    agents: run.spending.agents(),
    todo: [] as RunSnapshot['todo'],
    grants: {} as RunSnapshot['grants'],
    transitions: run.transitions,
    findings: run.findings,
    profiles: { ...run.roles.assignments },
    budgets: run.spending.guard.limits,
    spent: run.spending.spent(),
    ...(run.interrupted ? { interrupted: run.interrupted } : {}),
    ...(run.forkedFrom ? { forkedFrom: run.forkedFrom } : {}),
  };
  lazily(snapshot, 'todo', () => deriveTodoList(run.workflow));
  lazily(snapshot, 'grants', () => currentGrants(run.workflow));
  return snapshot;
}

/** Replaces a field with one worked out on first read (and kept); it stays enumerable, so JSON and spreads see it. */
function lazily<T extends object, K extends keyof T>(owner: T, key: K, compute: () => T[K]): void {
  let value: T[K] | undefined;
  Object.defineProperty(owner, key, {
    enumerable: true,
    configurable: true,
    get: () => (value ??= compute()),
    set: (given: T[K]) => void (value = given),
  });
}

/** How this process's part of the run ended, beyond what the records hold. */
export interface RunEnding {
  /** Terminal, or PAUSED by a budget. */
  status: Phase;
  reason?: string;
  /** Taken before the agents were terminated. */
  agents: AgentRecord[];
  artifacts: ArtifactRecord[];
  organiser: RunReport['organiser'];
  concurrency: RunReport['concurrency'];
}

/** The report the run resolves with and the CLI writes with `--report`. */
export function reportOf(run: RunRecords, ending: RunEnding): RunReport {
  return buildRunReport({
    runId: run.runId,
    status: ending.status,
    reason: ending.reason,
    backend: run.backend,
    task: run.task,
    workspace: run.workspace,
    transitions: run.transitions,
    agents: ending.agents,
    profiles: run.roles.profiles,
    artifacts: ending.artifacts,
    files: { planned: run.workflow.files.length, approved: run.workflow.files.filter((f) => f.stage === 'approved').length },
    organiser: ending.organiser,
    concurrency: ending.concurrency,
    findings: run.findings,
    budget: run.spending.report(),
    wallMs: run.now - run.startedAt,
    runDir: run.runDir,
    ...(run.interrupted ? { interrupted: run.interrupted } : {}),
  });
}
