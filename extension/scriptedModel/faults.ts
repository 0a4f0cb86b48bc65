import type { ScriptedTurn } from './chatAnswer';
import type { ScriptRequest } from './scriptRequest';

/** What goes wrong with a request the plan matches. */
export type Fault =
  | { type: 'status'; status: 429 | 500 | 503; retryAfterSeconds?: number; message?: string }
  /** Sends `data: {not json` (or a broken JSON body when not streaming) and ends the response. */
  | { type: 'malformed' }
  /** Answers nothing until the client aborts or the server closes. */
  | { type: 'hang' }
  /** Destroys the socket after the first chunk has been sent (only the role chunk, no content). */
  | { type: 'drop' }
  /**
   * Streams the first `afterChunks` chunks of the script's real answer (default 3: role, then some
   * content), then destroys the socket: a connection reset mid-answer. Non-streaming: half the body.
   */
  | { type: 'reset'; afterChunks?: number }
  /**
   * The script's answer, grown to at least `chars` characters: as prose before it (`into: 'text'`), or
   * in the `summary` and `content` of its StructuredOutput call (`into: 'structured'`; prose when it has none).
   */
  | { type: 'oversized'; chars: number; into: 'text' | 'structured' };

/** Faults to inject, tried in order; each entry serves `times` matching requests (default 1). */
export type FaultPlan = Array<{ when: (request: ScriptRequest) => boolean; times?: number; fault: Fault }>;

/** Hands out a plan's faults, counting down each entry's `times` without touching the plan itself. */
export class FaultBook {
  private readonly remaining: number[];

  constructor(private readonly plan: FaultPlan) {
    this.remaining = plan.map((entry) => entry.times ?? 1);
  }

  /** The fault for this request, consuming one use of the first matching entry that has uses left. */
  take(request: ScriptRequest): Fault | undefined {
    for (const [index, entry] of this.plan.entries()) {
      if ((this.remaining[index] ?? 0) <= 0 || !entry.when(request)) continue;
      this.remaining[index] = (this.remaining[index] ?? 0) - 1;
      return entry.fault;
    }
    return undefined;
  }
}

/** The label a fault gets in the request log, e.g. `status:429`, `oversized:structured`. */
export function faultLabel(fault: Fault): string {
  if (fault.type === 'status') return `status:${fault.status}`;
  return fault.type === 'oversized' ? `oversized:${fault.into}` : fault.type;
}

/** Faults that distort the script's own answer, so the script is consulted for them. */
export function needsAnswer(fault: Fault | undefined): fault is Extract<Fault, { type: 'reset' | 'oversized' }> {
  return fault?.type === 'reset' || fault?.type === 'oversized';
}

/** The turn an `oversized` fault sends instead of `turn`. */
export function oversize(turn: ScriptedTurn, fault: Extract<Fault, { type: 'oversized' }>): ScriptedTurn {
  const calls = turn.toolCalls ?? [];
  const structured = fault.into === 'structured' ? calls.findIndex((call) => call.name === 'StructuredOutput') : -1;
  if (structured < 0) return { ...turn, text: `${filler(fault.chars)}\n\n${turn.text ?? ''}` };
  const call = calls[structured]!;
  const grown = (value: unknown): string => `${typeof value === 'string' ? value : ''} ${filler(fault.chars)}`;
  const args = { ...call.arguments, summary: grown(call.arguments.summary), content: grown(call.arguments.content) };
  return { ...turn, toolCalls: calls.map((c, index) => (index === structured ? { ...c, arguments: args } : c)) };
}

const FILLER_WORDS = ['the', 'loan', 'is', 'overdue', 'after', 'fourteen', 'days', 'and', 'a', 'fine', 'accrues', 'daily,', 'capped;'];

/** `chars` characters of word-like prose, deterministic, so a size limit rather than luck decides. */
export function filler(chars: number): string {
  const words: string[] = [];
  let length = 0;
  for (let index = 0; length < chars; index += 1) {
    const word = FILLER_WORDS[(index * 7) % FILLER_WORDS.length]!;
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ').slice(0, chars);
}

/** An error body in OpenAI's shape: `{ error: { message, type, param, code } }`. */
export function errorBody(status: number, message: string, param: string | null = null): { error: Record<string, unknown> } {
  const [type, code] = ERROR_KINDS[status] ?? ['server_error', 'internal_error'];
  return { error: { message, type, param, code } };
}

const ERROR_KINDS: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'invalid_request'],
  404: ['invalid_request_error', 'not_found'],
  405: ['invalid_request_error', 'method_not_allowed'],
  413: ['invalid_request_error', 'request_too_large'],
  429: ['rate_limit_error', 'rate_limit_exceeded'],
  500: ['server_error', 'internal_error'],
  503: ['server_error', 'overloaded'],
};

/** The default words of a status fault. */
export function defaultFaultMessage(status: number): string {
  if (status === 429) return 'Rate limit reached for the scripted model; retry after the time in Retry-After.';
  if (status === 503) return 'The scripted model is overloaded; try again shortly.';
  return 'The scripted model failed while answering.';
}
