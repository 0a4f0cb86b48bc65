import { replayKey, type RecordedReply } from '../run/replayRecorder';
import { OrchestraError, type ErrorReason } from '../util/errors';
import { writeWorkspaceFileSafely } from '../util/workspaceFiles';
import type { AgentBackend, AgentReply, AgentSession, BackendEvent, SessionSpec, WorkRequest } from './agentBackend';

/**
 * Answers every request from a run's recording, with no model call, by (role, kind, subject, n-th
 * such ask): see `replayKey` for why not by work id or agent. A recorded turn's files are written
 * back with the bytes recorded, so the engine reads back the same artifacts.
 */
export class ReplayBackend implements AgentBackend {
  // No provider is reached: the provider scheduler's default limits need not apply.
  readonly kind = 'simulated' as const;
  private readonly entries = new Map<string, RecordedReply[]>();
  private readonly asked = new Map<string, number>();
  private sessionCount = 0;

  constructor(recording: readonly RecordedReply[]) {
    for (const entry of recording) {
      const key = `${entry.role}\u0000${entry.kind}\u0000${entry.subject}`;
      const list = this.entries.get(key) ?? [];
      // In file order rather than by `attempt`: a resumed run's process counts its asks from 1 again.
      list.push(entry);
      this.entries.set(key, list);
    }
  }

  /** Recorded replies no request has asked for (a replay that ended early leaves some). */
  unused(): number {
    let left = 0;
    for (const [key, list] of this.entries) left += Math.max(0, list.length - (this.asked.get(key) ?? 0));
    return left;
  }

  async startSession(spec: SessionSpec): Promise<AgentSession> {
    const sessionId = `replay-${spec.agentId}-${++this.sessionCount}`;
    return {
      agentId: spec.agentId,
      sessionId,
      run: (request, signal, onEvent) => this.answer(spec, request, signal, onEvent),
      close: async () => undefined,
    };
  }

  async dispose(): Promise<void> {}

  private async answer(spec: SessionSpec, request: WorkRequest, signal: AbortSignal, onEvent: (event: BackendEvent) => void): Promise<AgentReply> {
    if (signal.aborted) throw new OrchestraError('aborted', `${spec.agentId}: the work was aborted.`);
    const { key } = replayKey(spec.role.id, request);
    const attempt = (this.asked.get(key) ?? 0) + 1;
    this.asked.set(key, attempt);
    const entry = this.entries.get(key)?.[attempt - 1];
    if (!entry) {
      const which = attempt > 1 ? ` (attempt ${attempt})` : '';
      throw new OrchestraError('backend-failed', `replay-diverged: ${spec.agentId} was asked for ${request.workId}${which} which the recording does not have.`);
    }
    if (entry.error) throw new OrchestraError(entry.error.reason as ErrorReason, entry.error.message, { retryable: entry.error.retryable });
    if (!entry.reply) throw new OrchestraError('backend-failed', `replay-diverged: the recording of ${spec.agentId} for ${request.workId} has neither a reply nor an error.`);
    onEvent({ type: 'status', status: 'busy' });
    try {
      for (const file of entry.reply.changedFiles) {
        const content = entry.files?.[file];
        if (content === undefined || content === null) throw new OrchestraError('backend-failed', `replay-diverged: the recording of ${spec.agentId} for ${request.workId} does not hold ${file}.`);
        // The same confined write a live agent gets: a recording cannot write outside the workspace.
        await writeWorkspaceFileSafely(spec.workspace, file, content);
        onEvent({ type: 'file', path: file });
      }
      onEvent({ type: 'usage', usage: entry.reply.usage });
      const { output, changedFiles, usage, deniedWrites, deniedCommands, testsNotRun } = entry.reply;
      return { output, changedFiles, usage, ...(deniedWrites ? { deniedWrites } : {}), ...(deniedCommands ? { deniedCommands } : {}), ...(testsNotRun !== undefined ? { testsNotRun } : {}) };
    } finally {
      onEvent({ type: 'status', status: 'idle' });
    }
  }
}
