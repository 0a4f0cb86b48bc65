import type { ArtifactStore } from '../artifacts/artifactStore';
import type { ArtifactRecord, ArtifactType } from '../artifacts/artifactSchema';
import { AgentOutputSchema, capAgentOutput, type AgentOutput, type Finding } from '../backends/agentOutput';
import type { AgentReply } from '../backends/agentBackend';
import { OrchestraError, isOrchestraError } from '../util/errors';
import { toWorkspaceRelative } from '../util/paths';
import { hasWildcard, readWorkspaceFileSafely, refusalKind, resolveGrantableFile } from '../util/workspaceFiles';
import type { WorkItem, WorkResult } from '../workflow/workflowTypes';
import type { FindingKind, RecordedFinding } from './findings';

export { FINDING_KINDS, type FindingKind, type RecordedFinding } from './findings';

const MAX_COMMAND_IN_FINDING = 200;
const MAX_REASON_IN_FINDING = 400;

export interface RecorderOptions {
  store: ArtifactStore;
  workspace: string;
  /** Told of every problem that is reported rather than thrown (grant violations, hostile paths). */
  onFinding: (finding: RecordedFinding) => void;
  /**
   * Control files (`kilo.json`, `.kilo/…`) the user allowed agents to write, by name; none by default.
   * `.git/` and the run's own store are never allowed.
   */
  allowControlFiles?: readonly string[];
  /** Files one plan may name (default LIMITS.plannedFiles); see OrchestrationRunOptions.maxPlannedFiles. */
  maxPlannedFiles?: number;
  /** The artifact type a custom role's `step` records (its first output type); default documentation. */
  stepOutputType?: (role: string) => ArtifactType | undefined;
}

/**
 * Turns an agent's reply into stored artifacts and the machine's `WorkResult`. Malformed output
 * throws `invalid-output` (the machine retries the work); problems that leave the run intact
 * (a write outside the grant, a hostile path in a plan) become findings, not crashes.
 */
export class WorkRecorder {
  /** `workId file` → why the file was refused at dispatch; its artifact says so without a second finding. */
  private readonly refusedAtDispatch = new Map<string, string>();

  constructor(private readonly options: RecorderOptions) {}

  async record(work: WorkItem, agentId: string, reply: AgentReply): Promise<WorkResult> {
    // Reported even when the output is unusable: the attempt happened either way.
    for (const denied of reply.deniedCommands ?? []) {
      const message =
        typeof denied === 'string'
          ? `${agentId} tried to run ${quoteCommand(denied)}, which is not an allowed command; it was refused.`
          : `${agentId} tried to run ${quoteCommand(denied.command)}; it was refused: ${denied.reason.slice(0, MAX_REASON_IN_FINDING)}`;
      this.options.onFinding({ workId: work.id, agentId, kind: 'refused-command', message });
    }
    try {
      return await this.recordReply(work, agentId, reply);
    } finally {
      for (const key of this.refusedAtDispatch.keys()) if (key.startsWith(`${work.id} `)) this.refusedAtDispatch.delete(key);
    }
  }

  private async recordReply(work: WorkItem, agentId: string, reply: AgentReply): Promise<WorkResult> {
    const parsed = AgentOutputSchema.safeParse(reply.output);
    if (!parsed.success) {
      throw new OrchestraError('invalid-output', `${agentId} returned a result that does not match the envelope: ${parsed.error.issues[0]?.message ?? 'unknown problem'}`, { retryable: true });
    }
    // Oversized fields are cut here, before anything is stored or quoted in another agent's prompt.
    const { output, cuts } = capAgentOutput(parsed.data, this.options.maxPlannedFiles);
    if (cuts.length > 0) this.options.onFinding({ workId: work.id, agentId, kind: 'oversized-output', message: `${agentId}'s result was over the size limits and was cut: ${cuts.slice(0, 5).join('; ')}${cuts.length > 5 ? ` and ${cuts.length - 5} more` : ''}.` });
    await this.checkChangedFiles(work, agentId, reply.changedFiles);
    for (const file of reply.deniedWrites ?? []) {
      this.options.onFinding({ workId: work.id, agentId, kind: 'grant-violation', message: `${agentId} tried to write ${file}, which it was not granted; the write was refused.` });
    }
    const base = { producer: agentId, role: work.role, correlationId: work.id };
    const { store } = this.options;

    switch (work.kind) {
      case 'plan':
      case 'revise-plan': {
        const { plannedFiles, planProblems } = await this.safePlannedFiles(work, agentId, output);
        const content = renderPlan(output, plannedFiles.map((f) => f.path));
        const files = plannedFiles.map((f) => f.path);
        const previous = work.kind === 'revise-plan' ? this.inputOfType(work, 'plan') : undefined;
        const plan = previous
          ? await this.revise(previous.id, { content, summary: output.summary, files, status: 'completed', approvalStatus: 'pending', correlationId: work.id })
          : await store.create({ ...base, type: 'plan', content, summary: output.summary, files, status: 'completed' });
        return { artifactIds: [plan.id], plannedFiles, ...(planProblems.length > 0 ? { planProblems } : {}), spawnRequests: output.spawnRequests };
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
          const content = await this.readWorkspaceFile(work, file, agentId);
          const record = work.kind === 'fix' ? await this.reviseCode(work, file, content, output.summary) : undefined;
          const artifact =
            record ??
            (await store.create({ ...base, type: work.kind === 'structure' ? 'pseudocode' : 'code', content, summary: summaryFor(output, file, files.length), files: [file], status: 'completed' }));
          fileArtifacts[file] = artifact.id;
        }
        return { artifactIds: Object.values(fileArtifacts), fileArtifacts, spawnRequests: output.spawnRequests };
      }
      case 'document':
      case 'consult':
      case 'step': {
        const files = reply.changedFiles.filter((f) => work.grants.includes(f));
        // A custom step's artifact has its role's output type (a changelog is documentation, an audit a review).
        const type = work.kind === 'step' ? (this.options.stepOutputType?.(work.role) ?? 'documentation') : 'documentation';
        const doc = await store.create({ ...base, type, content: output.content || output.summary, summary: output.summary, files, status: 'completed' });
        return { artifactIds: [doc.id], spawnRequests: output.spawnRequests };
      }
      case 'check':
        throw new OrchestraError('invalid-input', `${agentId} was handed a diagnostics check; checks are the run's, not an agent's.`);
      case 'test': {
        if (!output.tests) throw new OrchestraError('invalid-output', `${agentId} returned a test report without \`tests\`.`, { retryable: true });
        const testFailures = output.tests.failures.map((failure) => ({ ...failure, file: this.safeOptionalPath(failure.file) }));
        const report = await store.create({ ...base, type: 'test-report', content: renderTests(output), summary: output.summary, status: 'completed' });
        if (reply.testsNotRun) this.options.onFinding({ workId: work.id, agentId, kind: 'tests-not-run', message: `Tests were not run: ${reply.testsNotRun}.` });
        return { artifactIds: [report.id], testFailures, spawnRequests: output.spawnRequests };
      }
    }
  }

  /**
   * The grants of `work` that may be handed to an agent now: each resolved on disk, so a link made
   * since planning (a file or a folder pointing outside, or at a control file) is taken out and
   * reported. Called just before dispatch.
   */
  async grantable(work: WorkItem, agentId: string): Promise<string[]> {
    const safe: string[] = [];
    for (const grant of work.grants) {
      const problem = await this.pathProblem(grant);
      if (!problem) {
        safe.push(grant);
        continue;
      }
      this.refusedAtDispatch.set(`${work.id} ${grant}`, problem.message);
      this.refuse(work, agentId, problem.kind, `${agentId} was not granted ${grant}: ${problem.message}`);
    }
    return safe;
  }

  /**
   * For per-file work whose file was refused at dispatch: the turn is not run, and the file's
   * artifact says why, so the machine moves on instead of retrying a write that must never happen.
   */
  async recordRefused(work: WorkItem, agentId: string, refused: string[]): Promise<WorkResult> {
    return this.record(work, agentId, { output: { summary: `Not written: ${refused.join(', ')} was refused (see the findings).` }, changedFiles: [], usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } });
  }

  /** After every turn: a changed file must be granted and must really be inside the workspace. */
  private async checkChangedFiles(work: WorkItem, agentId: string, changed: string[]): Promise<void> {
    for (const file of changed) {
      if (!work.grants.includes(file)) {
        this.options.onFinding({ workId: work.id, agentId, kind: 'grant-violation', message: `${agentId} changed ${file}, which it was not granted.` });
      }
      const problem = await this.pathProblem(file);
      if (problem) this.refuse(work, agentId, problem.kind, `${agentId} changed ${file}: ${problem.message}`);
    }
  }

  /**
   * The plan's files that can be granted; every other path is left out with a finding, and its
   * reason goes back to the Architect (`planProblems`) so a revised plan can name real files.
   */
  private async safePlannedFiles(work: WorkItem, agentId: string, output: AgentOutput): Promise<{ plannedFiles: Array<{ path: string; purpose: string }>; planProblems: string[] }> {
    const plannedFiles: Array<{ path: string; purpose: string }> = [];
    const planProblems: string[] = [];
    for (const file of output.files) {
      const named = JSON.stringify(file.path);
      const problem = hasWildcard(file.path)
        ? { kind: 'plan-problem' as const, message: `${named} is a pattern, not a file: name each file to create or change.` }
        : await this.pathProblem(file.path);
      if (problem) {
        planProblems.push(`${named}: ${problem.message}`);
        this.refuse(work, agentId, problem.kind, `The plan named a path that was left out: ${problem.message}`);
      } else {
        plannedFiles.push({ path: toWorkspaceRelative(file.path), purpose: file.purpose });
      }
    }
    if (plannedFiles.length === 0) this.refuse(work, agentId, 'plan-problem', `The plan by ${agentId} lists no file that can be written${planProblems.length > 0 ? ` (${planProblems.length} left out)` : ''}.`);
    return { plannedFiles, planProblems };
  }

  /** Why `file` may not be read or granted, or undefined when it may. */
  private async pathProblem(file: string): Promise<{ kind: FindingKind; message: string } | undefined> {
    try {
      await resolveGrantableFile(this.options.workspace, file, this.options.allowControlFiles);
      return undefined;
    } catch (error) {
      const kind = refusalKind(error);
      if (kind === undefined) throw error;
      return { kind, message: isOrchestraError(error) ? error.message : String(error) };
    }
  }

  private refuse(work: WorkItem, agentId: string, kind: FindingKind, message: string): void {
    this.options.onFinding({ workId: work.id, agentId, kind, message });
  }

  private safeOptionalPath(file: string | undefined): string | undefined {
    if (file === undefined) return undefined;
    try {
      return toWorkspaceRelative(file);
    } catch {
      return undefined;
    }
  }

  /**
   * The file as the agent left it. A file reached through a link out of the workspace (or a control
   * file) is never read: its artifact says so instead, with a finding, so outside content never
   * reaches another agent's model.
   */
  private async readWorkspaceFile(work: WorkItem, file: string, agentId: string): Promise<string> {
    const refused = this.refusedAtDispatch.get(`${work.id} ${file}`);
    if (refused !== undefined) return `(not written: ${refused})\n`;
    const problem = await this.pathProblem(file);
    if (problem) {
      this.refuse(work, agentId, problem.kind, `${file} was not read after ${agentId}'s turn: ${problem.message}`);
      return `(not read: ${problem.message})\n`;
    }
    try {
      return await readWorkspaceFileSafely(this.options.workspace, file);
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

/** A model's command for a finding: one line, at most ~200 characters, quoted. */
function quoteCommand(command: string): string {
  const line = command.replace(/\s+/g, ' ').trim();
  return JSON.stringify(line.length > MAX_COMMAND_IN_FINDING ? `${line.slice(0, MAX_COMMAND_IN_FINDING)}…` : line);
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
