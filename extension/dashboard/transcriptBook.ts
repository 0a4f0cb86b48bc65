import type { TranscriptEntry } from '../protocol/viewModel';
import { agentIdDisplayName, type RoleNaming } from '../protocol/vocabulary';

/** Transcript lines kept per agent; the full traffic stays in the run's events.jsonl. */
export const TRANSCRIPT_CAP = 200;

/** Work steps remembered to name the work in replies; older work is named "the work". */
export const WORK_STEP_CAP = 5000;

/** Router traffic as a transcript needs it: the run's `agent:message` event, or a message entry of events.jsonl. */
export interface TranscriptMessage {
  from: string;
  to: string;
  messageType: string;
  content: string;
  /** A request's work id; a reply carries the id of the work it answers. */
  correlationId?: string | undefined;
}

/** Every agent's most recent transcript lines. */
export class TranscriptBook {
  private readonly byAgent = new Map<string, TranscriptEntry[]>();
  /** Work id → the step in words its request carried ("implementing src/a.ts"). */
  private readonly steps = new Map<string, string>();

  constructor(private readonly cap = TRANSCRIPT_CAP) {}

  append(agentId: string, entry: TranscriptEntry): void {
    const lines = this.byAgent.get(agentId) ?? [];
    lines.push(entry);
    if (lines.length > this.cap) lines.splice(0, lines.length - this.cap);
    this.byAgent.set(agentId, lines);
  }

  /**
   * The text a message shows in a transcript. A work request's content is its step in words, kept
   * by work id; an agent's reply names the work by that step and the agent by its display name
   * ("Implementing src/a.ts was stopped before Coder 1 finished it."), never "w20" or "secondary-coder-1".
   */
  textOf(message: TranscriptMessage, roles: readonly RoleNaming[] = []): string {
    if (message.messageType === 'request') {
      // A work request's content is its step; a question to the Organiser is a whole context, no step.
      const step = message.content.includes('\n') || message.content.length > MAX_STEP ? undefined : message.content;
      if (message.correlationId !== undefined && step) this.remember(message.correlationId, step);
      return message.content;
    }
    return replyInWords(message.content, (workId) => this.steps.get(workId), roles);
  }

  record(): Record<string, TranscriptEntry[]> {
    return Object.fromEntries([...this.byAgent].map(([agentId, lines]) => [agentId, lines.map((line) => ({ ...line }))]));
  }

  private remember(workId: string, step: string): void {
    this.steps.delete(workId);
    this.steps.set(workId, step);
    if (this.steps.size > WORK_STEP_CAP) this.steps.delete(this.steps.keys().next().value!);
  }
}

/** Longest request content taken as a step in words ("implementing src/deeply/nested/file.ts"). */
const MAX_STEP = 300;
/** Work ids are the engine's to choose ("w20", "d2-ask1", "chat-3"): anything without spaces. */
const WORK_ID = '\\S+';
const AGENT_ID = '[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\\d+';
/** The agent worker's three short replies (engine/agents/agentWorker.ts `conclude` and `answerAborted`). */
const FINISHED = new RegExp(`^(${AGENT_ID}) finished (\\S+) (${WORK_ID})\\.$`);
const ABORTED = new RegExp(`^(${WORK_ID}) was aborted before (${AGENT_ID}) (finished|started) it\\.$`);
const FAILED = new RegExp(`^(${AGENT_ID}) could not finish (\\S+?): `);
/** Work whose request is not a step: the Organiser's decisions and answers. */
const KIND_WORDS: Readonly<Record<string, string>> = { decide: 'the decision', chat: 'the answer' };

/** An agent's short reply in words; any other text is left as the agent wrote it. */
export function replyInWords(text: string, stepOf: (workId: string) => string | undefined, roles: readonly RoleNaming[] = []): string {
  const name = (agentId: string) => agentIdDisplayName(agentId, roles);
  const step = (workId: string) => stepOf(workId) || 'the work';
  const finished = FINISHED.exec(text);
  if (finished) return `${name(finished[1]!)} finished ${KIND_WORDS[finished[2]!] ?? step(finished[3]!)}.`;
  const aborted = ABORTED.exec(text);
  if (aborted) return `${capitalise(step(aborted[1]!))} was stopped before ${name(aborted[2]!)} ${aborted[3]} it.`;
  const failed = FAILED.exec(text);
  if (failed) return `${name(failed[1]!)} could not finish ${step(failed[2]!)}: ${text.slice(failed[0].length)}`;
  return text;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
