import { describe, expect, it } from 'vitest';
import { aChatRequest, aModel, postChat, reassemble, sseData } from './chatClient';

const LONG_TEXT = 'The plan has three steps: read the module, write the tests, then refactor — carefully. ✅🚀';

describe('scripted model streaming', () => {
  it('streams text as several deltas that reassemble to the original, with [DONE] last', async () => {
    const model = await aModel({ script: () => ({ text: LONG_TEXT }) });
    const response = await postChat(model, aChatRequest().withUser('plan it').streaming().build());

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const payloads = await sseData(response);
    expect(payloads.at(-1)).toBe('[DONE]');
    expect(payloads.filter((p) => p === '[DONE]')).toHaveLength(1);
    const answer = reassemble(payloads.slice(0, -1));
    expect(answer.role).toBe('assistant');
    expect(answer.text).toBe(LONG_TEXT);
    expect(answer.textDeltas).toBeGreaterThanOrEqual(2);
    expect(answer.finishReason).toBe('stop');
    expect(answer.ids.size).toBe(1);
  });

  it('sends the role in the first chunk and the finish reason only in the last one', async () => {
    const model = await aModel({ script: () => ({ text: 'hello there' }) });
    const payloads = await sseData(await postChat(model, aChatRequest().withUser('hi').streaming().build()));
    const chunks = payloads.slice(0, -1).map((p) => JSON.parse(p) as { choices: Array<{ delta: { role?: string }; finish_reason: string | null }> });

    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.slice(0, -1).every((chunk) => chunk.choices[0]?.finish_reason === null)).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('streams tool calls with ids and names first and the arguments JSON split across deltas', async () => {
    const writeArgs = { path: 'src/math.ts', content: 'export const add = (a: number, b: number) => a + b;\n' };
    const model = await aModel({
      script: () => ({ text: 'Writing the file.', toolCalls: [{ name: 'write', arguments: writeArgs }, { name: 'read', arguments: { path: 'README.md' } }] }),
    });
    const payloads = await sseData(await postChat(model, aChatRequest().withUser('go').withTools('write', 'read').streaming().build()));
    const answer = reassemble(payloads.slice(0, -1));

    expect(answer.text).toBe('Writing the file.');
    expect(answer.finishReason).toBe('tool_calls');
    expect(answer.toolCalls.map((call) => [call.index, call.type, call.name])).toEqual([
      [0, 'function', 'write'],
      [1, 'function', 'read'],
    ]);
    expect(JSON.parse(answer.toolCalls[0]?.arguments ?? '')).toEqual(writeArgs);
    expect(JSON.parse(answer.toolCalls[1]?.arguments ?? '')).toEqual({ path: 'README.md' });
    expect(answer.toolCalls.every((call) => call.deltas >= 2)).toBe(true);
    expect(new Set(answer.toolCalls.map((call) => call.id)).size).toBe(2);
  });

  it('gives the same tool call ids to a repeated request and different ones to the next turn', async () => {
    const model = await aModel({ script: () => ({ toolCalls: [{ name: 'list', arguments: {} }] }) });
    const first = aChatRequest().withSystem('You code.').withUser('list files').streaming();
    const idOf = async (body: Record<string, unknown>) => reassemble((await sseData(await postChat(model, body))).slice(0, -1)).toolCalls[0]?.id;

    const id = await idOf(first.build());
    expect(id).toMatch(/^call_/);
    expect(await idOf(first.build())).toBe(id);
    const nextTurn = first.withAssistantToolCalls([{ id: id ?? '', name: 'list' }]).withToolResult(id ?? '', 'a.ts');
    expect(await idOf(nextTurn.build())).not.toBe(id);
  });

  it('sends a usage chunk with empty choices only when stream_options.include_usage is set', async () => {
    const model = await aModel({ script: () => ({ text: 'x'.repeat(40) }) });
    const request = aChatRequest().withUser('u'.repeat(80));

    const without = await sseData(await postChat(model, request.streaming(false).build()));
    expect(without.slice(0, -1).some((p) => 'usage' in (JSON.parse(p) as object))).toBe(false);

    const withUsage = await sseData(await postChat(model, request.streaming(true).build()));
    const usageChunk = JSON.parse(withUsage.at(-2) ?? '') as { choices: unknown[]; usage: Record<string, number> };
    expect(withUsage.at(-1)).toBe('[DONE]');
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual({ prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 });
  });

  it('answers without stream as one chat.completion with tool calls and usage', async () => {
    const model = await aModel({ script: () => ({ toolCalls: [{ name: 'bash', arguments: { command: 'npm test' } }] }) });
    const response = await postChat(model, aChatRequest().forModel('coder-model').withUser('test it').withTools('bash').build());
    const body = (await response.json()) as {
      object: string;
      model: string;
      choices: Array<{ message: { role: string; content: string | null; tool_calls: Array<{ id: string; type: string; function: { name: string; arguments: string } }> }; finish_reason: string }>;
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    };

    expect(response.headers.get('content-type')).toBe('application/json');
    expect(body.object).toBe('chat.completion');
    expect(body.model).toBe('coder-model');
    const choice = body.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.role).toBe('assistant');
    expect(choice?.message.content).toBeNull();
    expect(choice?.message.tool_calls[0]?.type).toBe('function');
    expect(choice?.message.tool_calls[0]?.function.name).toBe('bash');
    expect(JSON.parse(choice?.message.tool_calls[0]?.function.arguments ?? '')).toEqual({ command: 'npm test' });
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it('bills ceil(chars / 4) unless the script states its own usage', async () => {
    const model = await aModel({
      script: (request) => (request.lastUser === 'billed' ? { text: 'abcde', usage: { prompt_tokens: 1000, completion_tokens: 7 } } : { text: 'abcde' }),
    });
    const usageOf = async (user: string) => ((await (await postChat(model, aChatRequest().withSystem('sys').withUser(user).build())).json()) as { usage: unknown }).usage;

    expect(await usageOf('hello')).toEqual({ prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });
    expect(await usageOf('billed')).toEqual({ prompt_tokens: 1000, completion_tokens: 7, total_tokens: 1007 });
  });

  it('answers an empty turn with an empty stop message', async () => {
    const model = await aModel({ script: () => ({}) });
    const answer = reassemble((await sseData(await postChat(model, aChatRequest().withUser('?').streaming().build()))).slice(0, -1));

    expect(answer.text).toBe('');
    expect(answer.toolCalls).toEqual([]);
    expect(answer.finishReason).toBe('stop');
  });
});
