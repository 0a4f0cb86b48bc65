import { modelName as profileModelName } from '../engine/roles/kiloDefault';
import type { AgentRecord } from '../engine/agents/agentSchema';
import type { ArtifactRecord } from '../engine/artifacts/artifactSchema';
import type { Profile, RoleDefinition } from '../engine/roles/roleSchema';
import type { TodoItem } from '../engine/workflow/todoTypes';
import type { FileEntry, WorkflowState } from '../engine/workflow/workflowTypes';
import type { AgentView, ArtifactView, FileView, RunView, TodoView } from '../protocol/viewModel';

/** What the projections need to name roles and models: a `RoleResolution` or a run snapshot's pieces. */
export interface RoleDirectory {
  roles: readonly Pick<RoleDefinition, 'id' | 'name'>[];
  profiles: readonly Pick<Profile, 'id' | 'providerID' | 'modelID'>[];
}

/** Engine records → the plain view model the webview shows. Pure: no I/O, no clock. */
export function agentView(agent: AgentRecord, directory: RoleDirectory): AgentView {
  return {
    id: agent.id,
    role: agent.role,
    roleName: roleName(agent.role, directory),
    instance: agent.instance,
    model: modelName(agent.profileId, directory),
    status: agent.status,
    ...(agent.currentStep !== undefined ? { currentStep: agent.currentStep } : {}),
    turns: agent.turns,
    tokens: { input: agent.tokens.input, output: agent.tokens.output },
    costUsd: agent.costUsd,
    ...(agent.lastError !== undefined ? { lastError: agent.lastError } : {}),
  };
}

export function roleName(roleId: string, directory: RoleDirectory): string {
  return directory.roles.find((role) => role.id === roleId)?.name ?? roleId;
}

/** "provider/model" (or "Kilo default (provider/model)") of a profile id; the id itself when the profile is unknown (e.g. removed since). */
export function modelName(profileId: string, directory: RoleDirectory): string {
  const profile = directory.profiles.find((candidate) => candidate.id === profileId);
  return profile ? profileModelName(profile) : profileId;
}

export function artifactView(record: ArtifactRecord): ArtifactView {
  return {
    id: record.id,
    type: record.type,
    producer: record.producer,
    role: record.role,
    status: record.status,
    summary: record.summary,
    version: record.metadata.version,
    files: [...record.metadata.files],
    updatedAt: record.updatedAt,
  };
}

export function fileView(file: FileEntry, reviewer?: string): FileView {
  return {
    path: file.path,
    purpose: file.purpose,
    stage: file.stage,
    ...(file.coder !== undefined ? { coder: file.coder } : {}),
    fixes: file.fixes,
    ...(file.codeArtifactId !== undefined ? { codeArtifactId: file.codeArtifactId } : {}),
    ...(file.diagnostics !== undefined ? { diagnostics: file.diagnostics } : {}),
    ...(file.stage === 'reviewing' && reviewer !== undefined ? { reviewer } : {}),
  };
}

export function todoView(item: TodoItem): TodoView {
  return {
    id: item.id,
    title: item.title,
    status: item.status,
    ...(item.role !== undefined ? { role: item.role } : {}),
    ...(item.file !== undefined ? { file: item.file } : {}),
  };
}

/** When the run waits for a person and the machine offers no decision, these are the ways on. */
const DEFAULT_ATTENTION_OPTIONS = ['resume', 'cancel'];

/** Most "Reassign to …" choices the circuit breaker offers: a few buttons, not a profile manager. */
const MAX_REASSIGN_CHOICES = 3;

/**
 * The run's phase-related fields from the workflow state; identity fields come from the caller.
 * `directory` and `modelOf` (an agent's "provider/model") let a circuit breaker offer the user's
 * other profiles to reassign the work to.
 */
export function runPhaseFields(
  workflow: WorkflowState,
  directory?: RoleDirectory,
  modelOf?: (agentId: string) => string | undefined,
): Pick<RunView, 'phase' | 'pausedFrom' | 'attention' | 'outcome'> {
  const decision = workflow.attention?.decision;
  const reassignTo = decision?.options.includes('reassign_work') && decision.work && directory ? reassignChoices(directory, modelOf?.(`${decision.work.role}-${decision.work.instance}`)) : undefined;
  return {
    phase: workflow.phase,
    ...(workflow.pausedFrom !== undefined ? { pausedFrom: workflow.pausedFrom } : {}),
    ...(workflow.attention
      ? {
          attention: {
            reason: workflow.attention.reason,
            options: decision ? decision.options.filter((option) => option !== 'escalate') : DEFAULT_ATTENTION_OPTIONS,
            ...(reassignTo ? { reassignTo } : {}),
          },
        }
      : {}),
    ...(workflow.outcome ? { outcome: workflow.outcome.reason } : {}),
  };
}

/** The user's profiles other than the one the agent is on now, as the dashboard labels them. */
function reassignChoices(directory: RoleDirectory, currentModel: string | undefined): Array<{ id: string; label: string }> {
  return directory.profiles
    .map((profile) => ({ id: profile.id, label: profileModelName(profile) }))
    .filter((choice) => choice.label !== currentModel)
    .slice(0, MAX_REASSIGN_CHOICES);
}

const LANGUAGES: Record<string, string> = {
  ts: 'typescript',
  tsx: 'typescriptreact',
  mts: 'typescript',
  cts: 'typescript',
  js: 'javascript',
  jsx: 'javascriptreact',
  mjs: 'javascript',
  cjs: 'javascript',
  json: 'json',
  md: 'markdown',
  py: 'python',
  rs: 'rust',
  go: 'go',
  java: 'java',
  kt: 'kotlin',
  cs: 'csharp',
  c: 'c',
  h: 'c',
  cpp: 'cpp',
  hpp: 'cpp',
  rb: 'ruby',
  php: 'php',
  swift: 'swift',
  css: 'css',
  scss: 'scss',
  html: 'html',
  svelte: 'svelte',
  vue: 'vue',
  sh: 'shellscript',
  yml: 'yaml',
  yaml: 'yaml',
  sql: 'sql',
  toml: 'toml',
};

/** A language hint for an artifact: code and pseudocode by their file's extension, everything else markdown. */
export function artifactLanguage(record: Pick<ArtifactRecord, 'type' | 'metadata'>): string | undefined {
  if (record.type !== 'code' && record.type !== 'pseudocode') return 'markdown';
  const file = record.metadata.files[0];
  const extension = file?.includes('.') ? file.slice(file.lastIndexOf('.') + 1).toLowerCase() : undefined;
  return extension === undefined ? undefined : LANGUAGES[extension];
}
