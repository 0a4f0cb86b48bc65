import type { AgentRecord, AgentStatus } from '../../../extension/engine/agents/agentSchema';
import type { ArtifactSummary } from '../../../extension/engine/artifacts/artifactSchema';
import type { OrganiserSnapshot } from '../../../extension/engine/organiser/organiserContext';
import type { RoleDefinition } from '../../../extension/engine/roles/roleSchema';
import type { TodoItem, TodoStatus } from '../../../extension/engine/workflow/todoTypes';
import { initialWorkflowState } from '../../../extension/engine/workflow/workflowMachine';
import { type FileEntry, type FileStage, type Phase, type WorkflowState } from '../../../extension/engine/workflow/workflowTypes';

export function anArtifact(fields: Partial<ArtifactSummary> & Pick<ArtifactSummary, 'id'>): ArtifactSummary {
  return { type: 'code', producer: 'secondary-coder-1', status: 'completed', summary: `summary of ${fields.id}`, summaryTokens: 4, files: [], version: 1, ...fields };
}

export function anAgent(id: string, status: AgentStatus = 'idle', currentStep?: string): AgentRecord {
  const role = id.replace(/-\d+$/, '');
  return {
    id,
    role,
    instance: Number(/\d+$/.exec(id)?.[0] ?? 1),
    profileId: 'default',
    status,
    ...(currentStep ? { currentStep } : {}),
    turns: 0,
    tokens: { input: 0, output: 0 },
    costUsd: 0,
    lastHeartbeat: 0,
    createdAt: 0,
  };
}

export function aRole(id: string, description = `the ${id} role`): RoleDefinition {
  return {
    id,
    name: id.replace(/(^|-)(\w)/g, (_, dash: string, c: string) => `${dash ? ' ' : ''}${c.toUpperCase()}`),
    description,
    category: 'custom',
    required: false,
    builtin: false,
    capabilities: [],
    inputArtifacts: [],
    outputArtifacts: [],
    prompt: 'x',
    active: true,
    instances: 1,
  };
}

/** Builds Organiser snapshots: `aSnapshot().withFiles(200, { approved: 150 }).withArtifacts(600).build()`. */
export class SnapshotBuilder {
  private task = 'Build a CSV parser library with streaming support.';
  private phase: Phase = 'CODE_IMPLEMENTATION';
  private files: FileEntry[] = [];
  private artifacts: ArtifactSummary[] = [];
  private todo: TodoItem[] = [];
  private agents: AgentRecord[] = [anAgent('architect-1', 'done'), anAgent('secondary-coder-1', 'working', 'implementing src/a.ts')];
  private roles: RoleDefinition[] = [aRole('architect', 'Plans the work and the files.'), aRole('code-sceptic', 'Reviews plans and code.')];
  private skills: string[] = ['typescript', 'testing'];
  private workflow: Partial<WorkflowState> = {};

  withTask(task: string): this {
    this.task = task;
    return this;
  }

  withPhase(phase: Phase, extra: Partial<WorkflowState> = {}): this {
    this.phase = phase;
    this.workflow = { ...this.workflow, ...extra };
    return this;
  }

  /** `count` planned files spread over `folders` folders; the first `approved` are approved, the next `working` in review. */
  withFiles(count: number, options: { approved?: number; working?: number; folders?: number } = {}): this {
    const folders = options.folders ?? Math.max(1, Math.ceil(count / 40));
    const approved = options.approved ?? 0;
    const working = options.working ?? 0;
    this.files = Array.from({ length: count }, (_, index) => {
      const stage: FileStage = index < approved ? 'approved' : index < approved + working ? 'reviewing' : 'pending';
      return { path: `src/mod${index % folders}/file${index}.ts`, purpose: `file ${index}`, stage, fixes: 0 };
    });
    return this;
  }

  /** A plan, its review, then code versions and reviews spread over the planned files, in creation order. */
  withArtifacts(count: number, summary: (id: string, index: number) => string = (id) => `summary of ${id}`): this {
    const artifacts: ArtifactSummary[] = [];
    for (let index = 0; index < count; index++) {
      if (index === 0) artifacts.push(anArtifact({ id: 'plan-1', type: 'plan', producer: 'architect-1', summary: summary('plan-1', index) }));
      else if (index === 1) artifacts.push(anArtifact({ id: 'review-0', type: 'review', producer: 'code-sceptic-1', summary: summary('review-0', index) }));
      else if (this.files.length === 0) artifacts.push(anArtifact({ id: `plan-${index}`, type: 'plan', producer: 'architect-1', summary: summary(`plan-${index}`, index) }));
      else {
        const file = this.files[index % this.files.length]!;
        const isReview = index % 3 === 0;
        const id = `${isReview ? 'review' : 'code'}-${index}`;
        artifacts.push(anArtifact({ id, type: isReview ? 'review' : 'code', producer: isReview ? 'code-sceptic-1' : 'secondary-coder-1', summary: summary(id, index), files: [file.path] }));
        if (isReview) file.reviewArtifactId = id;
        else file.codeArtifactId = id;
      }
    }
    this.artifacts = artifacts;
    if (count > 1) this.workflow = { plan: { artifactId: 'plan-1', revisions: 1, approved: true, reviewArtifactId: 'review-0' }, ...this.workflow };
    return this;
  }

  withArtifactList(artifacts: ArtifactSummary[]): this {
    this.artifacts = artifacts;
    return this;
  }

  withTodo(counts: Partial<Record<TodoStatus, number>>): this {
    const statuses: TodoStatus[] = ['done', 'pending', 'blocked', 'in-progress'];
    this.todo = statuses.flatMap((status) =>
      Array.from({ length: counts[status] ?? 0 }, (_, index) => ({ id: `${status}-${index}`, title: `${status} item ${index}`, status, role: 'secondary-coder' })),
    );
    return this;
  }

  withAgents(agents: AgentRecord[]): this {
    this.agents = agents;
    return this;
  }

  withRoles(roles: RoleDefinition[]): this {
    this.roles = roles;
    return this;
  }

  withSkills(skills: string[]): this {
    this.skills = skills;
    return this;
  }

  build(): OrganiserSnapshot {
    const workflow: WorkflowState = {
      ...initialWorkflowState(),
      phase: this.phase,
      task: this.task,
      files: this.files.map((file) => ({ ...file })),
      ...this.workflow,
    };
    return { task: this.task, workflow, todo: [...this.todo], artifacts: [...this.artifacts], agents: [...this.agents], roles: [...this.roles], skills: [...this.skills] };
  }
}

export function aSnapshot(): SnapshotBuilder {
  return new SnapshotBuilder();
}
