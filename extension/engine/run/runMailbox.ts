import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomicWrite';
import type { Disposable } from '../util/disposable';
import { OrchestraError, describeError } from '../util/errors';
import { oneLine } from '../util/zodLines';

/**
 * A run's mailbox: how another process (`kilo-orchestra say`) talks to a run. A message is one JSON
 * file in `<runDir>/mailbox/`, written atomically; the process running the run answers each in
 * order with `<id>.answer.json` and removes the message. A paused run's messages wait there and are
 * answered when it is resumed. Every file is read through a schema: a malformed one is answered
 * with the reason, never acted on.
 */
export const MAILBOX_DIR = 'mailbox';
const ANSWER_SUFFIX = '.answer.json';
/** Most bytes of one message file read; a bigger file is refused unread. */
const MAX_MESSAGE_BYTES = 64 * 1024;
/** fs.watch misses events on some file systems; a slow rescan catches what it missed. */
const RESCAN_MS = 1000;

export const MailboxMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('say'), text: z.string().trim().min(1).max(4000) }),
  z.object({ kind: z.literal('proposal'), proposalId: z.string().regex(/^p\d{1,6}$/), apply: z.boolean() }),
]);
export type MailboxMessage = z.infer<typeof MailboxMessageSchema>;

const ActionLineSchema = z.object({ status: z.enum(['applied', 'refused', 'proposed']), said: z.string().max(2000), detail: z.string().max(4000).optional(), proposalId: z.string().optional() });

export const MailboxAnswerSchema = z.object({
  ok: z.boolean(),
  /** The Organiser's words, or what became of a proposal, or why the message was not handled. */
  text: z.string().max(8000),
  actions: z.array(ActionLineSchema).max(20).default([]),
});
export type MailboxAnswer = z.infer<typeof MailboxAnswerSchema>;

const MESSAGE_ID = /^\d{13}-[0-9a-f]{8}$/;

/** Posts a message to the run in `runDir`; resolves with its id (answers are matched by it). */
export async function postToMailbox(runDir: string, message: MailboxMessage, now = Date.now()): Promise<string> {
  const id = `${String(now).padStart(13, '0')}-${randomBytes(4).toString('hex')}`;
  const dir = path.join(runDir, MAILBOX_DIR);
  await fsp.mkdir(dir, { recursive: true });
  await writeFileAtomic(path.join(dir, `${id}.json`), `${JSON.stringify(MailboxMessageSchema.parse(message))}\n`);
  return id;
}

/** Waits for the answer to message `id` (an event on the folder, or the slow rescan); rejects with `aborted` on `signal`. */
export function awaitAnswer(runDir: string, id: string, signal: AbortSignal): Promise<MailboxAnswer> {
  const dir = path.join(runDir, MAILBOX_DIR);
  const file = path.join(dir, `${id}${ANSWER_SUFFIX}`);
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      watching.dispose();
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const look = () => {
      void fsp.readFile(file, 'utf8').then(
        (text) => {
          const parsed = MailboxAnswerSchema.safeParse(safeJson(text));
          finish(() => (parsed.success ? resolve(parsed.data) : reject(new OrchestraError('invalid-input', `The run's answer in ${file} is not readable: ${oneLine(parsed.error)}`))));
        },
        () => undefined,
      );
    };
    const onAbort = () => finish(() => reject(new OrchestraError('aborted', 'Stopped waiting for the run to answer.')));
    signal.addEventListener('abort', onAbort, { once: true });
    const watching = watchFolder(dir, look);
    look();
  });
}

/**
 * Answers the mailbox of the run in `runDir`, one message at a time in the order they were posted,
 * with `handle`. Messages already waiting (posted while the run was paused) are answered first.
 */
export function serveMailbox(runDir: string, handle: (message: MailboxMessage) => Promise<MailboxAnswer>, log: (line: string) => void = () => undefined): Disposable {
  const dir = path.join(runDir, MAILBOX_DIR);
  fs.mkdirSync(dir, { recursive: true });
  let busy = false;
  let again = false;
  let stopped = false;
  const drain = async (): Promise<void> => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        for (const id of await waitingIds(dir)) {
          if (stopped) return;
          await answerOne(dir, id, handle, log);
        }
      } while (again && !stopped);
    } finally {
      busy = false;
    }
  };
  const kick = () => void drain().catch((error: unknown) => log(`The run's mailbox could not be read: ${describeError(error)}`));
  const watching = watchFolder(dir, kick);
  kick();
  return {
    dispose: () => {
      stopped = true;
      watching.dispose();
    },
  };
}

/** Calls `onChange` on every event in `dir`, and once a `RESCAN_MS` for what fs.watch misses; holds no process open. */
function watchFolder(dir: string, onChange: () => void): Disposable {
  let watcher: fs.FSWatcher | undefined;
  try {
    watcher = fs.watch(dir, onChange);
  } catch {
    watcher = undefined;
  }
  const timer = setInterval(onChange, RESCAN_MS);
  timer.unref();
  return {
    dispose: () => {
      watcher?.close();
      clearInterval(timer);
    },
  };
}

/** Message ids waiting for an answer, oldest first. */
async function waitingIds(dir: string): Promise<string[]> {
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  const answered = new Set(names.filter((name) => name.endsWith(ANSWER_SUFFIX)).map((name) => name.slice(0, -ANSWER_SUFFIX.length)));
  return names
    .filter((name) => name.endsWith('.json') && !name.endsWith(ANSWER_SUFFIX))
    .map((name) => name.slice(0, -'.json'.length))
    .filter((id) => MESSAGE_ID.test(id) && !answered.has(id))
    .sort();
}

async function answerOne(dir: string, id: string, handle: (message: MailboxMessage) => Promise<MailboxAnswer>, log: (line: string) => void): Promise<void> {
  const file = path.join(dir, `${id}.json`);
  let answer: MailboxAnswer;
  try {
    const stat = await fsp.stat(file);
    if (stat.size > MAX_MESSAGE_BYTES) throw new OrchestraError('invalid-input', `The message is ${stat.size} bytes, more than the ${MAX_MESSAGE_BYTES} allowed.`);
    const parsed = MailboxMessageSchema.safeParse(safeJson(await fsp.readFile(file, 'utf8')));
    answer = parsed.success ? await handle(parsed.data) : { ok: false, text: `The message was not understood: ${oneLine(parsed.error)}`, actions: [] };
  } catch (error) {
    answer = { ok: false, text: `The run could not handle the message: ${describeError(error)}`, actions: [] };
  }
  await writeFileAtomic(path.join(dir, `${id}${ANSWER_SUFFIX}`), `${JSON.stringify(MailboxAnswerSchema.parse(capAnswer(answer)))}\n`);
  await fsp.rm(file, { force: true });
  log(`Answered message ${id} from the mailbox${answer.ok ? '' : ` (not handled: ${answer.text})`}.`);
}

function capAnswer(answer: MailboxAnswer): MailboxAnswer {
  return {
    ok: answer.ok,
    text: answer.text.slice(0, 8000),
    actions: answer.actions.slice(0, 20).map((action) => ({ ...action, said: action.said.slice(0, 2000), ...(action.detail !== undefined ? { detail: action.detail.slice(0, 4000) } : {}) })),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
