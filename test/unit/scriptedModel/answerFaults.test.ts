import { describe, expect, it } from 'vitest';
import { splitForStreaming } from '../../../extension/scriptedModel/chatAnswer';
import { filler, oversize } from '../../../extension/scriptedModel/faults';
import { aChatRequest, aModel, postChat, readUntilBroken, reassemble, sseData } from './chatClient';

// Faults that distort the script's real answer rather than replace it: a reset mid-answer, an oversized answer.
const LONG_TEXT = 'The plan has three steps: read the module, write the tests, then refactor it carefully.';

describe('a reset mid-answer', () => {
  it('streams the first chunks of the real answer, content included, then breaks the connection without [DONE]', async () => {
    const model = await aModel({ script: () => ({ text: LONG_TEXT }), faults: [{ when: () => true, fault: { type: 'reset', afterChunks: 3 } }] });
    const response = await postChat(model, aChatRequest().withUser('x').streaming().build());
    const { text, error } = await readUntilBroken(response);

    expect(response.status).toBe(200);
    expect(error).toBeInstanceOf(Error);
    const payloads = text.split('\n\n').filter((event) => event !== '').map((event) => event.slice('data: '.length));
    expect(payloads).toHaveLength(3);
    expect(payloads).not.toContain('[DONE]');
    const partial = reassemble(payloads);
    expect(partial.text.length).toBeGreaterThan(0);
    expect(LONG_TEXT.startsWith(partial.text) && partial.text !== LONG_TEXT).toBe(true);
    await model.whenIdle();
    expect(model.requests[0]).toMatchObject({ fault: 'reset', status: 200, aborted: true });
  });

  it('cuts a non-streaming answer halfway through its body', async () => {
    const model = await aModel({ script: () => ({ text: LONG_TEXT }), faults: [{ when: () => true, fault: { type: 'reset' } }] });
    const response = await postChat(model, aChatRequest().withUser('x').build());

    expect((await readUntilBroken(response)).error).toBeInstanceOf(Error);
  });

  it('serves only the requests it matches; the retry gets the whole answer', async () => {
    const model = await aModel({ script: () => ({ text: LONG_TEXT }), faults: [{ when: () => true, fault: { type: 'reset', afterChunks: 2 } }] });
    await readUntilBroken(await postChat(model, aChatRequest().withUser('x').streaming().build()));
    const payloads = await sseData(await postChat(model, aChatRequest().withUser('x').streaming().build()));

    expect(payloads.at(-1)).toBe('[DONE]');
    expect(reassemble(payloads.slice(0, -1)).text).toBe(LONG_TEXT);
  });
});

describe('an oversized answer', () => {
  it('streams a megabyte of prose before the real answer and its tool call, complete', async () => {
    const chars = 1024 * 1024;
    const model = await aModel({
      script: () => ({ text: 'Writing it.', toolCalls: [{ name: 'write', arguments: { filePath: 'src/a.js', content: 'x' } }] }),
      faults: [{ when: () => true, fault: { type: 'oversized', chars, into: 'text' } }],
    });
    const payloads = await sseData(await postChat(model, aChatRequest().withUser('x').withTools('write').streaming().build()));
    const answer = reassemble(payloads.slice(0, -1));

    expect(answer.text.length).toBeGreaterThanOrEqual(chars);
    expect(answer.text.endsWith('Writing it.')).toBe(true);
    expect(answer.toolCalls.map((call) => JSON.parse(call.arguments) as unknown)).toEqual([{ filePath: 'src/a.js', content: 'x' }]);
    expect(model.requests[0]?.fault).toBe('oversized:text');
  });

  it('answers a non-streaming request with a megabyte of StructuredOutput summary', async () => {
    const chars = 1024 * 1024;
    const model = await aModel({
      script: () => ({ toolCalls: [{ name: 'StructuredOutput', arguments: { summary: 'Done.' } }] }),
      faults: [{ when: () => true, fault: { type: 'oversized', chars, into: 'structured' } }],
    });
    const body = (await (await postChat(model, aChatRequest().withUser('x').withTools('StructuredOutput').build())).json()) as {
      choices: Array<{ message: { tool_calls: Array<{ function: { arguments: string } }> } }>;
    };
    const args = JSON.parse(body.choices[0]!.message.tool_calls[0]!.function.arguments) as { summary: string };

    expect(args.summary.length).toBeGreaterThanOrEqual(chars);
    expect(model.requests[0]?.fault).toBe('oversized:structured');
  });

  it('grows the summary and content of a StructuredOutput call, and leaves other calls alone', () => {
    const turn = { toolCalls: [{ name: 'read', arguments: { filePath: 'a' } }, { name: 'StructuredOutput', arguments: { summary: 'Done.', approved: true } }] };
    const grown = oversize(turn, { type: 'oversized', chars: 200_000, into: 'structured' });

    expect(grown.toolCalls?.[0]).toEqual(turn.toolCalls[0]);
    const args = grown.toolCalls![1]!.arguments as { summary: string; content: string; approved: boolean };
    expect(args.summary.startsWith('Done. ')).toBe(true);
    expect(args.summary.length).toBeGreaterThanOrEqual(200_000);
    expect(args.content.length).toBeGreaterThanOrEqual(200_000);
    expect(args.approved).toBe(true);
  });

  it('falls back to prose when a structured answer has no StructuredOutput call', () => {
    const grown = oversize({ text: 'fine' }, { type: 'oversized', chars: 5_000, into: 'structured' });
    expect(grown.text!.length).toBeGreaterThan(5_000);
    expect(grown.text!.endsWith('fine')).toBe(true);
  });

  it('streams a huge answer in pieces of at most 4 KB, and a normal one in pieces of at most 48 characters', () => {
    expect(Math.max(...splitForStreaming(filler(1024 * 1024)).map((piece) => piece.length))).toBe(4_096);
    expect(splitForStreaming(filler(1024 * 1024)).join('')).toBe(filler(1024 * 1024));
    expect(Math.max(...splitForStreaming(filler(65_536)).map((piece) => piece.length))).toBe(48);
  });

  it('fills with word-like prose of exactly the size asked, not one repeated character', () => {
    const text = filler(10_000);
    expect(text).toHaveLength(10_000);
    expect(new Set(text.split(' ')).size).toBeGreaterThan(5);
    expect(filler(10_000)).toBe(text);
  });
});
