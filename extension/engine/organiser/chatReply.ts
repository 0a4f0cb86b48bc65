import { z } from 'zod';
import { LIMITS } from '../util/limits';
import { UserChangeSchema } from '../workflow/userChangeSchema';

/** Most actions one chat answer may carry; more are dropped and said. */
export const MAX_CHAT_ACTIONS = 5;
const ANSWER_CHARS = 4_000;
const AGENT_ID = z.string().regex(/^[a-z][a-z0-9-]{0,63}-\d{1,2}$/);

/**
 * What the Organiser may do in answer to a user's message: the workflow changes of
 * userChangeSchema.ts, a new budget, or the message handed on to one agent. A closed set: an action
 * outside it is dropped and the user is told.
 */
export const ChatActionSchema = z.discriminatedUnion('kind', [
  ...UserChangeSchema.options,
  /** The run's budget in US dollars; null removes it. */
  z.object({ kind: z.literal('set-budget'), usd: z.number().positive().max(100_000).nullable() }),
  z.object({ kind: z.literal('tell-agent'), agentId: AGENT_ID, message: z.string().trim().min(1).max(LIMITS.purposeChars) }),
  /** One agent stops (its work waits for it) or goes on; the rest of the team carries on. */
  z.object({ kind: z.literal('pause-agent'), agentId: AGENT_ID }),
  z.object({ kind: z.literal('resume-agent'), agentId: AGENT_ID }),
]);
export type ChatAction = z.infer<typeof ChatActionSchema>;

/**
 * The answer's shape as the model is asked for it (Kilo's structured output): actions are loose
 * objects here, each checked against ChatActionSchema on reading, so one bad action loses nothing else.
 */
export const ChatReplyWireSchema = z.object({
  answer: z.string(),
  actions: z.array(z.looseObject({ kind: z.string() })).optional(),
});

/** The same without actions, for questions that may only be answered (explain). */
export const ChatAnswerWireSchema = z.object({ answer: z.string() });

export interface ChatReply {
  answer: string;
  actions: ChatAction[];
  /** Why each action that could not be read was dropped. */
  dropped: string[];
}

/** The lines of the chat prompt that teach the Organiser the actions and the answer's shape. */
export const CHAT_ACTIONS_PROMPT = [
  'ACTIONS you may take for the user (only when the message asks for them; most messages need none):',
  '- {"kind":"add-file","path":"src/x.js","purpose":"what the file does"}: a new file in the plan',
  '- {"kind":"change-instructions","path":"src/x.js","instructions":"..."}: new instructions for a file not yet approved',
  '- {"kind":"reopen-file","path":"src/x.js","to":"review"|"fix","reason":"..."}: send an approved file back',
  '- {"kind":"skip-step"|"restore-step","step":"documentation"|"testing"}: leave an optional step out, or bring it back',
  '- {"kind":"set-role-profile","role":"secondary-coder","profileId":"..."}: every agent of a role works on that profile from its next work',
  '- {"kind":"set-agent-profile","agentId":"secondary-coder-2","profileId":"..."}: the same for one agent',
  '- {"kind":"move-work","from":"secondary-coder-2","to":"secondary-coder-1"}: give one agent\'s pending work to another of its role',
  '- {"kind":"set-budget","usd":5}: the run budget in US dollars (null removes it)',
  '- {"kind":"tell-agent","agentId":"code-sceptic-1","message":"..."}: hand the message to one agent',
  '- {"kind":"pause-agent"|"resume-agent","agentId":"secondary-coder-2"}: stop one agent (its work waits for it) or let it go on',
  `Reply with JSON {"answer": "...", "actions": [...]} (at most ${MAX_CHAT_ACTIONS} actions). The answer says in plain words what you did or why not.`,
].join('\n');

/**
 * The Organiser's chat answer, read leniently: `{answer, actions}` as JSON (also as text, or in a
 * code fence), a bare string as the answer alone. Each action is checked on its own, so one bad
 * action does not lose the answer or the others.
 */
export function readChatReply(output: unknown): ChatReply | undefined {
  const value = typeof output === 'string' ? jsonIn(output) ?? output : output;
  if (typeof value === 'string') return value.trim() === '' ? undefined : { answer: value.slice(0, ANSWER_CHARS), actions: [], dropped: [] };
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const text = [record.answer, record.summary].find((candidate): candidate is string => typeof candidate === 'string' && candidate.trim() !== '');
  const listed = Array.isArray(record.actions) ? record.actions : [];
  const actions: ChatAction[] = [];
  const dropped: string[] = [];
  for (const [index, candidate] of listed.entries()) {
    if (index >= MAX_CHAT_ACTIONS) {
      dropped.push(`${listed.length - MAX_CHAT_ACTIONS} more actions than the ${MAX_CHAT_ACTIONS} allowed`);
      break;
    }
    const parsed = ChatActionSchema.safeParse(candidate);
    if (parsed.success) actions.push(parsed.data);
    else dropped.push(`action ${index + 1} (${kindOf(candidate)}): ${parsed.error.issues[0]?.message ?? 'not understood'}`);
  }
  if (text === undefined && actions.length === 0) return undefined;
  return { answer: (text ?? '').slice(0, ANSWER_CHARS), actions, dropped };
}

function kindOf(candidate: unknown): string {
  const kind = (candidate as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' ? JSON.stringify(kind.slice(0, 40)) : 'no kind';
}

function jsonIn(text: string): unknown {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/.exec(trimmed);
  const body = fenced ? fenced[1]! : trimmed;
  if (!body.startsWith('{')) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
