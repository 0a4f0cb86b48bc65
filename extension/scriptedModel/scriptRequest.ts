import { contentText } from './chatSchema';
import type { ChatMessage, ChatRequest } from './chatSchema';
import { detectRole } from '../engine/roles/roleMarker';

/** A tool message answering the assistant's latest tool calls. */
export interface ToolResult {
  toolCallId: string;
  /** The tool's name, found from the assistant tool call with this id; undefined if none matches. */
  name: string | undefined;
  content: string;
}

/** What a script sees of one chat completion request: the parsed body plus the facts scripts branch on. */
export interface ScriptRequest {
  request: ChatRequest;
  messages: ChatMessage[];
  model: string;
  stream: boolean;
  /** All system message text, joined by blank lines. */
  system: string;
  /** The text of the last user message ('' when there is none). */
  lastUser: string;
  /** Tool messages after the last assistant message, i.e. results of the calls the model just made. */
  toolResults: ToolResult[];
  /** How many assistant turns the conversation already holds. */
  turn: number;
  /** Names of the tools offered in `tools`. */
  toolNames: string[];
  /** The role marked in the system prompt (or, failing that, in a user message). */
  role: string | undefined;
}

/** Derives the script's view of a validated request. */
export function toScriptRequest(request: ChatRequest): ScriptRequest {
  const messages = request.messages;
  const system = messages
    .filter((message) => message.role === 'system')
    .map((message) => contentText(message.content))
    .join('\n\n');
  const userTexts = messages.filter((message) => message.role === 'user').map((message) => contentText(message.content));
  return {
    request,
    messages,
    model: request.model,
    stream: request.stream === true,
    system,
    lastUser: userTexts.at(-1) ?? '',
    toolResults: latestToolResults(messages),
    turn: messages.filter((message) => message.role === 'assistant').length,
    toolNames: (request.tools ?? []).map((tool) => tool.function.name),
    role: detectRole(system) ?? firstDefined(userTexts.map(detectRole)),
  };
}

function latestToolResults(messages: ChatMessage[]): ToolResult[] {
  const namesById = new Map<string, string>();
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    for (const call of message.tool_calls ?? []) namesById.set(call.id, call.function.name);
  }
  let lastAssistant = -1;
  messages.forEach((message, index) => {
    if (message.role === 'assistant') lastAssistant = index;
  });
  return messages
    .slice(lastAssistant + 1)
    .flatMap((message) =>
      message.role === 'tool'
        ? [{ toolCallId: message.tool_call_id, name: namesById.get(message.tool_call_id), content: contentText(message.content) }]
        : [],
    );
}

function firstDefined<T>(values: Array<T | undefined>): T | undefined {
  return values.find((value) => value !== undefined);
}

/** Everything the model is asked to read, run together: message text and earlier tool call arguments. */
export function promptText(messages: ChatMessage[]): string {
  const parts: string[] = [];
  for (const message of messages) {
    parts.push(contentText(message.content));
    if (message.role === 'assistant') {
      for (const call of message.tool_calls ?? []) parts.push(call.function.name, call.function.arguments);
    }
  }
  return parts.join('');
}

/** Characters of `promptText`: the basis of the stand-in's token bill (tokens ≈ chars / 4). */
export function promptChars(messages: ChatMessage[]): number {
  return promptText(messages).length;
}
