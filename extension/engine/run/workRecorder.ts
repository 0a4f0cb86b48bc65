import fs from 'node:fs/promises';
import type { ArtifactStore } from '../artifacts/artifactStore';
import type { ArtifactRecord, ArtifactType } from '../artifacts/artifactSchema';
import { AgentOutputSchema, type AgentOutput, type Finding } from '../backends/agentOutput';
import type { AgentReply } from '../backends/agentBackend';
import { OrchestraError, isOrchestraError } from '../util/errors';
import { resolveInWorkspace, toWorkspaceRelative } from '../util/paths';
import type { WorkItem, WorkResult } from '../workflow/workflowTypes';

export interface RecorderOptions {
  store: ArtifactStore;
  workspace: string;
  /** Told of every problem that is reported rather than thrown (grant violations, hostile paths). */
  onFinding: (finding: RecordedFinding) => void;
}

/**
 * What kind of problem a finding is: a write outside the grant, a hostile or wildcard path, a path
 * through a symlink that leaves the workspace, a write to a control file (`.kilo/`, `kilo.json` …),
 * a plan the Architect must redo, a shell command the permissions refused, a turn that stalled, a
 * budget that stopped work, an agent whose work kept failing, or a problem with the event log.
 */
export const FINDING_KINDS = [
  'grant-violation',
  'unsafe-path',
  'symlink',
  'control-file',
  'plan-problem',
  'refused-command',
  'stalled',
  'budget',
  'circuit-breaker',
  'event-log',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** A problem reported rather than thrown: the run goes on, and the report lists it. */
export interface RecordedFinding {
  kind: FindingKind;
  message: string;
  workId?: string;
  agentId?: string;
}

/**
 * Turns an agent's reply into stored artifacts and the machine's `WorkResult`. Malformed output
 * throws `invalid-output` (the machine retries the work); problems that leave the run intact
 * (a write outside the grant, a hostile path in a plan) become findings, not crashes.
 */
export class WorkRecorder {
  constructor(private readonly options: RecorderOptions) {}

  async record(work: WorkItem, agentId: string, reply: AgentReply): Promise<WorkResult> {
    const parsed = AgentOutputSchema.safeParse(reply.output);
    if (!parsed.success) {
      throw new OrchestraError('invalid-output', `${agentId} returned a result that does not match the envelope: ${parsed.error.issues[0]?.message ?? 'unknown problem'}`, { retryable: true });
    }
    const output = parsed.data;
    this.checkGrants(work, agentId, reply.changedFiles);
    for (const file of reply.deniedWrites ?? []) {
      this.options.onFinding({ workId: work.id, agentId, kind: 'grant-violation', message: `${agentId} tried to write ${file}, which it was not granted; the write was refused.` });
    }
    const base = { producer: agentId, role: work.role, correlationId: work.id };
    const { store } = this.options;

    switch (work.kind) {
      case 'plan':
      case 'revise-plan': {
        const plannedFiles = this.safePlannedFiles(work, agentId, output);
        const content = renderPlan(output, plannedFiles.map((f) => f.path));
        const files = plannedFiles.map((f) => f.path);
        const previous = work.kind === 'revise-plan' ? this.inputOfType(work, 'plan') : undefined;
        const plan = previous
          ? await this.revise(previous.id, { content, summary: output.summary, files, status: 'completed', approvalStatus: 'pending', correlationId: work.id })
          : await store.create({ ...base, type: 'plan', content, summary: output.summary, files, status: 'completed' });
        return { artifactIds: [plan.id], plannedFiles, spawnRequests: output.spawnRequests };
      }
      case 'review-plan':
      case 'review-code': {
        if (output.approved === undefined) {
          throw new OrchestraError('invalid-output', `${agentId} returned a review without a verdict (\`approved\`).`, { retryable: true });
        }
        const subject = work.inputs[0];
        const review = await store.create({
          ...base,
          type: 'review',
          content: renderReview(output),
          summary: output.summary,
          files: work.file ? [work.file] : [],
          status: 'completed',
          subjectId: subject,
        });
        return { artifactIds: [review.id], approved: output.approved, findings: output.findings, spawnRequests: output.spawnRequests };
      }
      case 'structure':
      case 'implement':
      case 'fix': {
        const files = work.kind === 'structure' ? (work.files ?? []) : [work.file ?? ''];
        const fileArtifacts: Record<string, string> = {};
        for (const file of files) {
          const content = await this.readWorkspaceFile(file, agentId);
          const record = work.kind === 'fix' ? await this.reviseCode(work, file, content, output.summary) : undefined;
          const artifact =
            record ??
            (await store.create({ ...base, type: work.kind === 'structure' ? 'pseudocode' : 'code', content, summary: summaryFor(output, file, files.length), files: [file], status: 'completed' }));
          fileArtifacts[file] = artifact.id;
        }
        return { artifactIds: Object.values(fileArtifacts), fileArtifacts, spawnRequests: output.spawnRequests };
      }
      case 'document':
      case 'consult': {
        const files = reply.changedFiles.filter((f) => work.grants.includes(f));
        const doc = await store.create({ ...base, type: 'documentation', content: output.content || output.summary, summary: output.summary, files, status: 'completed' });
        return { artifactIds: [doc.id], spawnRequests: output.spawnRequests };
      }
      case 'test': {
        if (!output.tests) throw new OrchestraError('invalid-output', `${agentId} returned a test report without \`tests\`.`, { retryable: true });
        const testFailures = output.tests.failures.map((failure) => ({ ...failure, file: this.safeOptionalPath(failure.file) }));
        const report = await store.create({ ...base, type: 'test-report', content: renderTests(output), summary: output.summary, status: 'completed' });
        return { artifactIds: [report.id], testFailures, spawnRequests: output.spawnRequests };
      }
    }
  }

  /** Files the backend says changed but were never granted are reported; the run goes on. */
  private checkGrants(work: WorkItem, agentId: string, changed: string[]): void {
    for (const file of changed) {
      if (!work.grants.includes(file)) {
        this.options.onFinding({ workId: work.id, agentId, kind: 'grant-violation', message: `${agentId} changed ${file}, which it was not granted.` });
      }
    }
  }

  private safePlannedFiles(work: WorkItem, agentId: string, output: AgentOutput): Array<{ path: string; purpose: string }> {
    const safe: Array<{ path: string; purpose: string }> = [];
    for (const file of output.files) {
      try {
        safe.push({ path: toWorkspaceRelative(file.path), purpose: file.purpose });
      } catch (error) {
        this.options.onFinding({ workId: work.id, agentId, kind: 'unsafe-path', message: `The plan named a path that was left out: ${isOrchestraError(error) ? error.message : String(error)}` });
      }
    }
    return safe;
  }

  private safeOptionalPath(file: string | undefined): string | undefined {
    if (file === undefined) return undefined;
    try {
      return toWorkspaceRelative(file);
    } catch {
      return undefined;
    }
  }

  private async readWorkspaceFile(file: string, agentId: string): Promise<string> {
    try {
      return await fs.readFile(resolveInWorkspace(this.options.workspace, file), 'utf8');
    } catch (error) {
      if (isOrchestraError(error)) throw error;
      throw new OrchestraError('invalid-output', `${agentId} reported done but ${file} is not in the workspace.`, { retryable: true, cause: error });
    }
  }

  private inputOfType(work: WorkItem, type: ArtifactType): ArtifactRecord | undefined {
    return work.inputs.map((id) => this.options.store.get(id)).find((record) => record?.type === type);
  }

  private async reviseCode(work: WorkItem, file: string, content: string, summary: string): Promise<ArtifactRecord | undefined> {
    const previous = this.inputOfType(work, 'code');
    if (!previous) return undefined;
    return this.revise(previous.id, { content, summary: `Fixed ${file}: ${summary}`, status: 'completed', approvalStatus: 'pending', correlationId: work.id });
  }

  private async revise(id: string, change: Parameters<ArtifactStore['revise']>[2]): Promise<ArtifactRecord> {
    const current = this.options.store.get(id);
    if (!current) throw new OrchestraError('not-found', `Artifact ${id} is not in the store.`);
    return this.options.store.revise(id, current.metadata.version, change);
  }
}

function summaryFor(output: AgentOutput, file: string, batchSize: number): string {
  return batchSize > 1 ? `${file}: ${output.files.find((f) => f.path === file)?.purpose || output.summary}` : output.summary;
}

function renderPlan(output: AgentOutput, files: string[]): string {
  const list = files.map((file) => `- ${file}`).join('\n');
  return `${output.content || output.summary}\n\n## Files\n${list}\n`;
}

function renderFindings(findings: Finding[]): string {
  return findings.map((f) => `- [${f.severity}]${f.file ? ` ${f.file}:` : ''} ${f.message}`).join('\n');
}

function renderReview(output: AgentOutput): string {
  const verdict = output.approved ? 'Approved' : 'Changes requested';
  const findings = output.findings.length > 0 ? `\n\n## Findings\n${renderFindings(output.findings)}` : '';
  return `# ${verdict}\n\n${output.content || output.summary}${findings}\n`;
}

function renderTests(output: AgentOutput): string {
  const tests = output.tests!;
  const failures = tests.failures.map((f) => `- ${f.file ?? '(no file)'} ${f.test}: ${f.message}`).join('\n');
  return `# Test report\n\n${tests.passed} passed, ${tests.failed} failed\n\n${output.content}\n${failures ? `\n## Failures\n${failures}\n` : ''}`;
}
