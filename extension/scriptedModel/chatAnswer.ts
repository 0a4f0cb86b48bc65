import { createHash } from 'node:crypto';
import type { ScriptRequest } from './scriptRequest';
import { promptChars } from './scriptRequest';

/** Token counts in OpenAI's field names. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** One answer of the scripted model: text, tool calls, or both (text first). */
export interface ScriptedTurn {
  text?: string;
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>;
  /** Overrides the estimated bill; a missing total is the sum of the other two. */
  usage?: Partial<Usage>;
}

/** A turn made concrete: ids assigned, arguments serialised, usage counted. */
export interface ChatAnswer {
  id: string;
  created: number;
  model: string;
  text: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: 'stop' | 'tool_calls';
  usage: Usage;
}

/** Tokens a scripted stand-in bills for this many characters. */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

/**
 * Turns a script's answer into a complete chat answer. Tool call ids depend only on the conversation
 * and the turn, so a retried request gets the same ids and two conversations do not share them.
 */
export function toChatAnswer(turn: ScriptedTurn, request: ScriptRequest, sequence: number, created: number): ChatAnswer {
  const firstUser = request.messages.find((message) => message.role === 'user');
  const conversation = createHash('sha256')
    .update(`${request.system}\u0000${firstUser ? JSON.stringify(firstUser.content) : ''}`)
    .digest('hex')
    .slice(0, 8);
  const toolCalls = (turn.toolCalls ?? []).map((call, index) => ({
    id: `call_${conversation}_${request.turn}_${index}`,
    name: call.name,
    arguments: JSON.stringify(call.arguments),
  }));
  const text = turn.text ?? '';
  const completionChars = text.length + toolCalls.reduce((sum, call) => sum + call.name.length + call.arguments.length, 0);
  const prompt = turn.usage?.prompt_tokens ?? estimateTokens(promptChars(request.messages));
  const completion = turn.usage?.completion_tokens ?? estimateTokens(completionChars);
  return {
    id: `chatcmpl-scripted-${sequence}`,
    created,
    model: request.model,
    text,
    toolCalls,
    finishReason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: turn.usage?.total_tokens ?? prompt + completion },
  };
}

/** The non-streaming `chat.completion` body. */
export function completionBody(answer: ChatAnswer): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: answer.text === '' && answer.toolCalls.length > 0 ? null : answer.text };
  if (answer.toolCalls.length > 0) {
    message.tool_calls = answer.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  }
  return {
    id: answer.id,
    object: 'chat.completion',
    created: answer.created,
    model: answer.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
    usage: answer.usage,
  };
}

/**
 * The `chat.completion.chunk` payloads of a streamed answer, in order, without the closing `[DONE]`:
 * a role chunk, text deltas, per tool call a header delta (id, type, name, empty arguments) and then
 * argument deltas, a finish chunk, and a usage chunk with empty choices when `includeUsage`.
 */
export function streamChunks(answer: ChatAnswer, includeUsage: boolean): Array<Record<string, unknown>> {
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    id: answer.id,
    object: 'chat.completion.chunk',
    created: answer.created,
    model: answer.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
  const chunks = [chunk({ role: 'assistant', content: '' })];
  for (const piece of splitForStreaming(answer.text)) chunks.push(chunk({ content: piece }));
  answer.toolCalls.forEach((call, index) => {
    chunks.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }));
    for (const piece of splitForStreaming(call.arguments)) {
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  chunks.push(chunk({}, answer.finishReason));
  if (!includeUsage) return chunks;
  return [...chunks, { id: answer.id, object: 'chat.completion.chunk', created: answer.created, model: answer.model, choices: [], usage: answer.usage }];
}

/**
 * Cuts text into the pieces a model would stream: at least two for anything longer than one
 * character, at most 48 characters each (4,096 past 64 K characters, so a megabyte-sized answer
 * costs the test its size, not twenty thousand SSE events), never splitting a surrogate pair.
 */
export function splitForStreaming(text: string): string[] {
  const characters = Array.from(text);
  if (characters.length === 0) return [];
  const cap = characters.length > 65_536 ? 4_096 : 48;
  const size = Math.max(1, Math.min(cap, Math.ceil(characters.length / 3)));
  const pieces: string[] = [];
  for (let start = 0; start < characters.length; start += size) pieces.push(characters.slice(start, start + size).join(''));
  return pieces;
}
