import { capText, type TranscriptLine, type TranscriptPart } from '../../protocol/transcriptPart';
import type { AgentBackend, AgentReply, BackendEvent, WorkRequest } from '../backends/agentBackend';
import { wrapSessionRuns } from '../backends/wrapSessions';
import { describeError, isOrchestraError } from '../util/errors';
import type { TranscriptLog } from './transcriptLog';

export interface TranscriptRecorderOptions {
  log: TranscriptLog;
  /** Milliseconds since the run started. */
  sinceStart: () => number;
  /** Told of every part version that was kept, for the live dashboard. */
  onPart?: (agentId: string, line: TranscriptLine) => void;
}

/**
 * Wraps a backend so that every part its sessions report (text, tool calls, steps) is kept in the
 * run's transcripts, tagged with the work it belongs to. Retries and a failed turn become parts
 * too, so a transcript shows why a turn took three attempts or ended early, whatever the backend.
 */
export function transcribingBackend(backend: AgentBackend, options: TranscriptRecorderOptions): AgentBackend {
  return wrapSessionRuns(backend, (spec, session) => async (request: WorkRequest, signal: AbortSignal, onEvent: (event: BackendEvent) => void): Promise<AgentReply> => {
    const step = stepOf(request);
    const keep = (part: TranscriptPart) => {
      const line: TranscriptLine = { v: 1, turn: request.workId.slice(0, 200), ...(step ? { step } : {}), atMs: Math.max(0, options.sinceStart()), part };
      if (options.log.append(spec.agentId, line)) options.onPart?.(spec.agentId, line);
    };
    try {
      return await session.run(request, signal, (event) => {
        if (event.type === 'part') keep(event.part);
        else if (event.type === 'retry') keep({ id: `retry-${event.attempt}`, kind: 'retry', text: capText(`attempt ${event.attempt}${event.cause ? ` (${event.cause})` : ''}: ${event.message}`) });
        onEvent(event);
      });
    } catch (error) {
      const reason = isOrchestraError(error) ? error.reason : 'backend-failed';
      keep({ id: 'turn-error', kind: 'error', text: capText(`${reason}: ${describeError(error)}`) });
      throw error;
    }
  });
}

/** The work in a few words, as a transcript heads the turn: its kind and the file it is about. */
function stepOf(request: WorkRequest): string {
  const file = typeof request.detail.file === 'string' ? ` ${request.detail.file}` : '';
  return `${request.kind}${file}`.slice(0, 200);
}
