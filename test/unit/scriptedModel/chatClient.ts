import { afterEach, expect } from 'vitest';
import { startScriptedModel } from '../../../extension/scriptedModel/scriptedModelServer';
import type { ScriptedModel, ScriptedModelOptions } from '../../../extension/scriptedModel/scriptedModelServer';

const running: ScriptedModel[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((model) => model.close()));
});

/** Starts a scripted model that is closed after the current test. */
export async function aModel(options: ScriptedModelOptions): Promise<ScriptedModel> {
  const model = await startScriptedModel(options);
  running.push(model);
  return model;
}

type Message = Record<string, unknown>;

/** Builds chat completion request bodies the way an OpenAI-compatible client sends them. */
export class ChatRequestBuilder {
  private readonly messages: Message[] = [];
  private readonly extra: Record<string, unknown> = {};
  private tools: string[] = [];

  constructor(private model = 'scripted-model') {}

  forModel(model: string): this {
    this.model = model;
    return this;
  }

  withSystem(content: string): this {
    this.messages.push({ role: 'system', content });
    return this;
  }

  withUser(content: string | Array<Record<string, unknown>>): this {
    this.messages.push({ role: 'user', content });
    return this;
  }

  withAssistantText(content: string): this {
    this.messages.push({ role: 'assistant', content });
    return this;
  }

  withAssistantToolCalls(calls: Array<{ id: string; name: string; arguments?: Record<string, unknown> }>): this {
    this.messages.push({
      role: 'assistant',
      content: null,
      tool_calls: calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments ?? {}) } })),
    });
    return this;
  }

  withToolResult(toolCallId: string, content: string): this {
    this.messages.push({ role: 'tool', tool_call_id: toolCallId, content });
    return this;
  }

  withTools(...names: string[]): this {
    this.tools = names;
    return this;
  }

  streaming(includeUsage = false): this {
    this.extra.stream = true;
    if (includeUsage) this.extra.stream_options = { include_usage: true };
    return this;
  }

  with(field: string, value: unknown): this {
    this.extra[field] = value;
    return this;
  }

  build(): Record<string, unknown> {
    const tools = this.tools.map((name) => ({ type: 'function', function: { name, description: `The ${name} tool`, parameters: { type: 'object', properties: {} } } }));
    return { model: this.model, messages: [...this.messages], ...(tools.length > 0 ? { tools } : {}), ...this.extra };
  }
}

export function aChatRequest(): ChatRequestBuilder {
  return new ChatRequestBuilder();
}

export function postChat(model: ScriptedModel, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${model.url}/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

/** The `data:` payloads of an SSE body, in order, exactly as sent. */
export async function sseData(response: Response): Promise<string[]> {
  const text = await response.text();
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .split('\n\n')
    .filter((event) => event !== '')
    .map((event) => {
      expect(event.startsWith('data: ')).toBe(true);
      return event.slice('data: '.length);
    });
}

export interface Reassembled {
  role: string | undefined;
  text: string;
  textDeltas: number;
  toolCalls: Array<{ index: number; id: string; type: string; name: string; arguments: string; deltas: number }>;
  finishReason: string | undefined;
  usage: Record<string, number> | undefined;
  ids: Set<string>;
}

type Chunk = {
  id: string;
  object: string;
  choices: Array<{ delta: Record<string, unknown> & { tool_calls?: ToolDelta[] }; finish_reason: string | null }>;
  usage?: Record<string, number>;
};
type ToolDelta = { index: number; id?: string; type?: string; function: { name?: string; arguments?: string } };

/** Puts streamed chunks back together the way an OpenAI client accumulates them. */
export function reassemble(payloads: string[]): Reassembled {
  const result: Reassembled = { role: undefined, text: '', textDeltas: 0, toolCalls: [], finishReason: undefined, usage: undefined, ids: new Set() };
  for (const payload of payloads) {
    const chunk = JSON.parse(payload) as Chunk;
    expect(chunk.object).toBe('chat.completion.chunk');
    result.ids.add(chunk.id);
    if (chunk.usage) result.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    if (typeof choice.delta.role === 'string') result.role = choice.delta.role;
    if (typeof choice.delta.content === 'string' && choice.delta.content !== '') {
      result.text += choice.delta.content;
      result.textDeltas += 1;
    }
    for (const delta of choice.delta.tool_calls ?? []) {
      let call = result.toolCalls[delta.index];
      if (!call) {
        expect(delta.id, 'the first delta of a tool call carries its id').toBeTypeOf('string');
        call = { index: delta.index, id: delta.id ?? '', type: delta.type ?? '', name: delta.function.name ?? '', arguments: '', deltas: 0 };
        result.toolCalls[delta.index] = call;
      } else {
        expect(delta.id, 'later deltas do not repeat the id').toBeUndefined();
      }
      if (delta.function.arguments) {
        call.arguments += delta.function.arguments;
        call.deltas += 1;
      }
    }
    if (choice.finish_reason !== null) result.finishReason = choice.finish_reason;
  }
  return result;
}

/** Reads a body until the connection breaks; returns what arrived and the error that ended it. */
export async function readUntilBroken(response: Response): Promise<{ text: string; error: unknown }> {
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no body');
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, error: undefined };
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, error };
  }
}
