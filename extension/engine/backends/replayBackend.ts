import { replayKey, type RecordedReply } from '../run/replayRecorder';
import { OrchestraError, type ErrorReason } from '../util/errors';
import { writeWorkspaceFileSafely } from '../util/workspaceFiles';
import type { AgentBackend, AgentReply, AgentSession, BackendEvent, SessionSpec, WorkRequest } from './agentBackend';
import { ReplaySequencer, type OutOfOrder, type ReplaySequencerOptions } from './replaySequencer';

export type ReplayBackendOptions = Pick<ReplaySequencerOptions, 'stallMs' | 'setTimer'>;

/**
 * Answers every request from a run's recording, with no model call, by (role, kind, subject, n-th
 * such ask): see `replayKey` for why not by work id or agent. Answers are given out in the
 * recording's order (see ReplaySequencer), so the run must let every agent ask at once (a large
 * `maxActive`). A recorded turn's files are written back with the bytes recorded, so the engine
 * reads back the same artifacts.
 */
export class ReplayBackend implements AgentBackend {
  // No provider is reached: the provider scheduler's default limits need not apply.
  readonly kind = 'simulated' as const;
  /** Line numbers (0-based) of each key's recorded replies, in file order. */
  private readonly lines = new Map<string, number[]>();
  private readonly asked = new Map<string, number>();
  private readonly sequencer: ReplaySequencer;
  private sessionCount = 0;

  constructor(
    private readonly recording: readonly RecordedReply[],
    options: ReplayBackendOptions = {},
  ) {
    recording.forEach((entry, index) => {
      const key = keyOf(entry);
      // In file order rather than by `attempt`: a resumed run's process counts its asks from 1 again.
      this.lines.set(key, [...(this.lines.get(key) ?? []), index]);
    });
    this.sequencer = new ReplaySequencer({
      ...options,
      agents: recording.map((entry) => entry.agentId),
      describe: (index) => {
        const entry = recording[index]!;
        return `${entry.role} ${entry.kind}${entry.subject ? ` ${entry.subject}` : ''}`;
      },
    });
  }

  /** Recorded replies no request has asked for (a replay that ended early leaves some). */
  unused(): number {
    let left = 0;
    for (const [key, list] of this.lines) left += Math.max(0, list.length - (this.asked.get(key) ?? 0));
    return left;
  }

  /** Answers given out of the recorded order: none when the replay followed the recording. */
  outOfOrder(): readonly OutOfOrder[] {
    return this.sequencer.outOfOrder;
  }

  /** From now on answers go out as they are asked for, in no particular order (a fork's hand-over). */
  releaseAll(): void {
    this.sequencer.stop();
  }

  /**
   * Whether the recording has an answer for this request that has not been used yet; a fork asks
   * before deciding where a request goes.
   */
  has(role: string, request: WorkRequest): boolean {
    const { key } = replayKey(role, request);
    return (this.lines.get(key)?.length ?? 0) > (this.asked.get(key) ?? 0);
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

  async dispose(): Promise<void> {
    this.sequencer.stop();
  }

  /** The answer the recording has for `request`, given when its turn in the recording comes. */
  async answer(spec: SessionSpec, request: WorkRequest, signal: AbortSignal, onEvent: (event: BackendEvent) => void): Promise<AgentReply> {
    if (signal.aborted) throw new OrchestraError('aborted', `${spec.agentId}: the work was aborted.`);
    const { key } = replayKey(spec.role.id, request);
    const attempt = (this.asked.get(key) ?? 0) + 1;
    const index = this.lines.get(key)?.[attempt - 1];
    if (index === undefined) {
      const which = attempt > 1 ? ` (attempt ${attempt})` : '';
      throw new OrchestraError('backend-failed', `replay-diverged: ${spec.agentId} was asked for ${request.workId}${which} which the recording does not have.`);
    }
    this.asked.set(key, attempt);
    await this.sequencer.turn(index, spec.agentId, signal);
    try {
      return await this.give(spec, request, this.recording[index]!, onEvent);
    } finally {
      this.sequencer.finished(index);
    }
  }

  private async give(spec: SessionSpec, request: WorkRequest, entry: RecordedReply, onEvent: (event: BackendEvent) => void): Promise<AgentReply> {
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

function keyOf(entry: RecordedReply): string {
  return `${entry.role}\u0000${entry.kind}\u0000${entry.subject}`;
}
