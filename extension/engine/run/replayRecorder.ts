import fs from 'node:fs';
import { z } from 'zod';
import type { AgentBackend, AgentReply, BackendEvent, WorkRequest } from '../backends/agentBackend';
import { wrapSessionRuns } from '../backends/wrapSessions';
import { OrchestraError, describeError, isOrchestraError } from '../util/errors';
import { readWorkspaceFileSafely } from '../util/workspaceFiles';

/** The recording's file name in a run folder. */
export const REPLIES_FILE = 'replies.jsonl';

/** Larger files are recorded without content: a replay that needs one stops with a clear error. */
export const RECORDED_FILE_CHARS = 2_000_000;

const deniedCommandSchema = z.union([z.string(), z.object({ command: z.string(), reason: z.string() })]);

export const recordedReplySchema = z.object({
  workId: z.string(),
  agentId: z.string(),
  kind: z.string(),
  role: z.string(),
  /** What the request is about (its file, its files, its decision point), with `role` and `kind` the replay key. */
  subject: z.string(),
  /** 1 for the first time this role was asked this (kind, subject), 2 for the next (a retry, a later round) … */
  attempt: z.number().int().positive(),
  reply: z
    .object({
      output: z.unknown(),
      changedFiles: z.array(z.string()),
      usage: z.object({ inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number() }),
      deniedWrites: z.array(z.string()).optional(),
      deniedCommands: z.array(deniedCommandSchema).optional(),
      testsNotRun: z.string().optional(),
    })
    .optional(),
  /**
   * What each changed file held right after the turn, so a replay writes the same bytes and the
   * engine reads back the same artifact; null when it could not be read or was too large.
   */
  files: z.record(z.string(), z.string().nullable()).optional(),
  error: z.object({ reason: z.string(), message: z.string(), retryable: z.boolean() }).optional(),
});

export type RecordedReply = z.infer<typeof recordedReplySchema>;

/**
 * Wraps a backend so that every reply (and every failure: retries are part of the run) is appended
 * to `file` as one JSON line, at the one seam every agent and the Organiser go through; the engine
 * does not know. Appended synchronously (a turn takes seconds; a line is one write), so a crash
 * loses at most the turn in flight and there is nothing to flush.
 */
export function recordingBackend(backend: AgentBackend, file: string): AgentBackend {
  const calls = new Map<string, number>();
  /** Settles once the turn that finished last has been recorded and handed back (see `inTurn`). */
  let handedBack: Promise<void> = Promise.resolve();
  /**
   * Records and hands back each turn in the order the turns finished: reading one turn's files
   * waits on disk, and a turn that finished after it must not overtake it. The recording's order is
   * then the order the engine was given the answers, which is what a replay gives them in again.
   */
  const inTurn = async <T>(record: () => Promise<T>): Promise<T> => {
    const before = handedBack;
    let next!: () => void;
    handedBack = new Promise((resolve) => (next = resolve));
    try {
      await before;
      return await record();
    } finally {
      // After an immediate: the answer handed back has reached its agent's requester by then.
      setImmediate(next);
    }
  };
  const append = (entry: RecordedReply): void => {
    try {
      fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);
    } catch {
      // The recording is a by-product: a full disk must not fail the run that pays for it.
    }
  };
  return wrapSessionRuns(backend, (spec, session) => async (request: WorkRequest, signal: AbortSignal, onEvent: (event: BackendEvent) => void): Promise<AgentReply> => {
    const { key, subject } = replayKey(spec.role.id, request);
    const attempt = (calls.get(key) ?? 0) + 1;
    calls.set(key, attempt);
    const head = { workId: request.workId, agentId: spec.agentId, kind: request.kind, role: spec.role.id, subject, attempt };
    let reply: AgentReply;
    try {
      reply = await session.run(request, signal, onEvent);
    } catch (error) {
      return inTurn(async () => {
        const reason = isOrchestraError(error) ? error.reason : 'backend-failed';
        append({ ...head, error: { reason, message: describeError(error), retryable: isOrchestraError(error) && error.retryable } });
        throw error;
      });
    }
    return inTurn(async () => {
      append({ ...head, reply: replyFields(reply), files: await fileContents(spec.workspace, reply.changedFiles) });
      return reply;
    });
  });
}

/**
 * What a replay looks a request up by. Not the work id nor the agent: both are handed out in the
 * order results land (which two coders finish first is timing), so a replay would not see the same
 * ones. The role, the kind and what the work is about (its file, its files, its decision point) are
 * fixed by the plan, and asks with the same key come one after another (rounds on one file, retries),
 * so their order is the same in every replay.
 */
export function replayKey(role: string, request: WorkRequest): { key: string; subject: string } {
  const detail = request.detail;
  const file = typeof detail.file === 'string' ? detail.file : '';
  const files = Array.isArray(detail.files) ? detail.files.filter((entry): entry is string => typeof entry === 'string').join(',') : '';
  let subject: string;
  if (request.kind === 'decide') subject = `${String(detail.point)}:${file}`;
  else if (request.kind === 'chat') subject = request.workId;
  else subject = file !== '' ? file : files;
  return { key: `${role}\u0000${request.kind}\u0000${subject}`, subject };
}

function replyFields(reply: AgentReply): NonNullable<RecordedReply['reply']> {
  return {
    output: reply.output,
    changedFiles: reply.changedFiles,
    usage: reply.usage,
    ...(reply.deniedWrites ? { deniedWrites: reply.deniedWrites } : {}),
    ...(reply.deniedCommands ? { deniedCommands: reply.deniedCommands } : {}),
    ...(reply.testsNotRun !== undefined ? { testsNotRun: reply.testsNotRun } : {}),
  };
}

async function fileContents(workspace: string, files: string[]): Promise<Record<string, string | null>> {
  const contents: Record<string, string | null> = {};
  for (const file of files) {
    try {
      const content = await readWorkspaceFileSafely(workspace, file);
      contents[file] = content.length <= RECORDED_FILE_CHARS ? content : null;
    } catch {
      contents[file] = null;
    }
  }
  return contents;
}

/** Reads a run's recording; a line that is not a recorded reply is refused with its number. */
export async function readRecording(file: string): Promise<RecordedReply[]> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    throw new OrchestraError('not-found', `The run has no recording (${file}): only runs made by this version can be replayed.`, { cause: error });
  }
  const lines = text.split('\n');
  const entries: RecordedReply[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    // The last line may be half-written by a process that was killed: only that one is let go.
    const parsed = safeJson(line);
    const entry = parsed === undefined ? undefined : recordedReplySchema.safeParse(parsed);
    if (entry?.success) entries.push(entry.data);
    else if (index < lines.length - 2 || text.endsWith('\n')) throw new OrchestraError('invalid-config', `${file}:${index + 1} is not a recorded reply.`);
  });
  return entries;
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
