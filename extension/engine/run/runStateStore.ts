import path from 'node:path';
import type { AgentRecord } from '../agents/agentSchema';
import { writeFileAtomic } from '../util/atomicWrite';
import type { TodoItem } from '../workflow/todoTypes';
import type { Phase, WorkflowState } from '../workflow/workflowTypes';

export interface PhaseTransition {
  from: Phase;
  to: Phase;
  /** ms since the run started. */
  atMs: number;
}

/** Everything needed to show, and later resume, a run after the process is gone. */
export interface RunSnapshot {
  runId: string;
  task: string;
  workspace: string;
  backend: string;
  startedAt: string;
  savedAt: string;
  workflow: WorkflowState;
  agents: AgentRecord[];
  todo: TodoItem[];
  /** Agent id → files it may write right now. */
  grants: Record<string, string[]>;
  transitions: PhaseTransition[];
}

/** Writes the run snapshot atomically (temp file + rename), so a crash leaves the previous one whole. */
export class RunStateStore {
  readonly file: string;

  constructor(runDir: string) {
    this.file = path.join(runDir, 'state.json');
  }

  async save(snapshot: RunSnapshot): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify(snapshot, null, 1)}\n`);
  }
}

/** Who may write what at this moment: the grants of every work item in flight. */
export function currentGrants(workflow: WorkflowState): Record<string, string[]> {
  const grants: Record<string, string[]> = {};
  for (const work of Object.values(workflow.inFlight)) {
    const agentId = `${work.role}-${work.instance}`;
    grants[agentId] = [...(grants[agentId] ?? []), ...work.grants];
  }
  return grants;
}
