import type { AgentRecord } from '../agents/agentSchema';
import type { ArtifactRecord } from '../artifacts/artifactSchema';
import { modelName } from '../roles/kiloDefault';
import type { Profile } from '../roles/roleSchema';
import type { Phase } from '../workflow/workflowTypes';
import type { BudgetReport } from './budget';
import type { RunInterruption } from './runSnapshot';
import type { PhaseTransition } from './runStateStore';
import type { RecordedFinding } from './workRecorder';
import type { RunSummary } from './runSummary';

/** The JSON report a run leaves behind; the CLI writes it with `--report`. */
export interface RunReport {
  runId: string;
  status: Phase;
  reason?: string;
  backend: string;
  task: string;
  workspace: string;
  /** Every phase entered, in order, starting at IDLE. */
  states: Phase[];
  transitions: PhaseTransition[];
  agents: Array<{ id: string; role: string; profile: string; turns: number; tokens: { input: number; output: number }; costUsd: number }>;
  artifacts: Array<{ id: string; type: string; producer: string; status: string; summary: string; summaryTokens: number; version: number }>;
  files: { planned: number; approved: number };
  organiser: { turns: number; maxContextTokens: number; meanContextTokens: number; ruleFallbacks: number; budgetTokens: number };
  concurrency: { maxActiveAgents: number; maxActiveLimit: number };
  findings: RecordedFinding[];
  /** Spent against the limits, per role; roles whose turns could not be priced in advance. */
  budget?: BudgetReport;
  /** Since the run first started (a resumed run includes the time it spent paused). */
  wallMs: number;
  /** Summed over every process of the run (a resumed run carries what it had cost). */
  costUsd: number;
  /**
   * Models the run used that have no price (Kilo reports none, the profile names none): their
   * turns count as $0 in `costUsd`, so the cost is a lower bound and budgets cannot hold them.
   */
  unpricedModels?: string[];
  /** Where the run's state, artifacts and event log are kept. */
  runDir: string;
  /** The process was stopped by this signal; the run (status PAUSED) continues with `resume`. */
  interrupted?: RunInterruption;
  /** The ending (what changed, tests, cost against the estimate, findings), added once the run's last checkpoint is written (see runSummary.ts). */
  summary?: RunSummary;
}

/** What the report is built from: the run's own records where the report keeps a digest of them. */
export type ReportInput = Omit<RunReport, 'states' | 'agents' | 'artifacts' | 'costUsd' | 'unpricedModels' | 'summary'> & {
  agents: AgentRecord[];
  profiles: Profile[];
  artifacts: ArtifactRecord[];
};

export function buildRunReport(input: ReportInput): RunReport {
  const profileName = (id: string): string => {
    const profile = input.profiles.find((p) => p.id === id);
    return profile ? modelName(profile) : id;
  };
  const unpriced = new Set<string>();
  for (const agent of input.agents) {
    const profile = input.profiles.find((p) => p.id === agent.profileId);
    if (profile && !profile.cost) unpriced.add(modelName(profile));
  }
  const agents = input.agents.map((agent) => ({
    id: agent.id,
    role: agent.role,
    profile: profileName(agent.profileId),
    turns: agent.turns,
    tokens: { ...agent.tokens },
    costUsd: round(agent.costUsd),
  }));
  return {
    runId: input.runId,
    status: input.status,
    ...(input.reason ? { reason: input.reason } : {}),
    backend: input.backend,
    task: input.task,
    workspace: input.workspace,
    states: ['IDLE', ...input.transitions.map((t) => t.to)],
    transitions: input.transitions,
    agents,
    artifacts: input.artifacts.map((a) => ({
      id: a.id,
      type: a.type,
      producer: a.producer,
      status: a.status,
      summary: a.summary,
      summaryTokens: a.summaryTokens,
      version: a.metadata.version,
    })),
    files: input.files,
    organiser: input.organiser,
    concurrency: input.concurrency,
    findings: input.findings,
    ...(input.budget ? { budget: input.budget } : {}),
    wallMs: input.wallMs,
    costUsd: round(agents.reduce((sum, agent) => sum + agent.costUsd, 0)),
    ...(unpriced.size > 0 ? { unpricedModels: [...unpriced].sort() } : {}),
    runDir: input.runDir,
    ...(input.interrupted ? { interrupted: input.interrupted } : {}),
  };
}

function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
