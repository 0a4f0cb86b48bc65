import { describe, expect, it } from 'vitest';
import { aChatRequest, aModel, postChat } from './chatClient';

type ErrorBody = { error: { message: string; type: string; code: string; param: string | null } };

const echo = () => ({ text: 'ok' });

describe('scripted model routes and request validation', () => {
  it('listens on 127.0.0.1 and gives a base URL ending in /v1', async () => {
    const model = await aModel({ script: echo });

    expect(model.url).toBe(`http://127.0.0.1:${model.port}/v1`);
    expect(model.port).toBeGreaterThan(0);
  });

  it('lists the models it was given', async () => {
    const model = await aModel({ script: echo, models: ['architect-model', 'coder-model'] });
    const response = await fetch(`${model.url}/models`);
    const body = (await response.json()) as { object: string; data: Array<{ id: string; object: string }> };

    expect(response.status).toBe(200);
    expect(body.object).toBe('list');
    expect(body.data.map((entry) => [entry.id, entry.object])).toEqual([
      ['architect-model', 'model'],
      ['coder-model', 'model'],
    ]);
  });

  it.each([
    ['GET', '/v1/chat/completions'],
    ['POST', '/v1/completions'],
    ['POST', '/chat/completions'],
    ['GET', '/'],
  ])('answers %s %s with an OpenAI-shaped 404', async (method, path) => {
    const model = await aModel({ script: echo });
    const response = await fetch(`http://127.0.0.1:${model.port}${path}`, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
    const body = (await response.json()) as ErrorBody;

    expect(response.status).toBe(404);
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toContain(path);
  });

  it('refuses a body that is not JSON with a 400', async () => {
    const model = await aModel({ script: echo });
    const response = await postChat(model, '{"model": "m", "messages": [');
    const body = (await response.json()) as ErrorBody;

    expect(response.status).toBe(400);
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toMatch(/not JSON/);
  });

  it.each([
    ['no messages', { model: 'm' }, 'messages'],
    ['an empty model', { model: '', messages: [{ role: 'user', content: 'hi' }] }, 'model'],
    ['a tool message without tool_call_id', { model: 'm', messages: [{ role: 'tool', content: 'out' }] }, 'messages[0]'],
    ['an unknown role', { model: 'm', messages: [{ role: 'wizard', content: 'hi' }] }, 'messages[0]'],
    ['a tool that is not a function', { model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'web' }] }, 'tools[0]'],
    ['a text part without text', { model: 'm', messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages[0]'],
  ])('refuses a request with %s with a 400 naming the field', async (_name, request, param) => {
    let called = false;
    const model = await aModel({ script: () => ((called = true), { text: 'no' }) });
    const response = await postChat(model, request);
    const body = (await response.json()) as ErrorBody;

    expect(response.status).toBe(400);
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.param?.startsWith(param)).toBe(true);
    expect(body.error.message).toContain(param);
    expect(called).toBe(false);
    expect(model.requests[0]?.status).toBe(400);
    expect(model.requests[0]?.error).toBe(body.error.message);
  });

  it('accepts fields it does not know, content parts and null assistant content', async () => {
    const model = await aModel({ script: (request) => ({ text: request.lastUser }) });
    const request = aChatRequest()
      .withUser([{ type: 'text', text: 'look at' }, { type: 'image_url', image_url: { url: 'data:,' } }, { type: 'text', text: 'this' }])
      .withAssistantToolCalls([{ id: 'c1', name: 'read' }])
      .withToolResult('c1', 'file text')
      .with('parallel_tool_calls', false)
      .with('reasoning_effort', 'low')
      .with('temperature', 0)
      .build();
    const response = await postChat(model, request);
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };

    expect(response.status).toBe(200);
    expect(body.choices[0]?.message.content).toBe('look at\nthis');
  });

  it('answers 500 with the error when the script throws, and logs it', async () => {
    const model = await aModel({
      script: () => {
        throw new Error('no answer scripted for this prompt');
      },
    });
    const response = await postChat(model, aChatRequest().withUser('?').streaming().build());
    const body = (await response.json()) as ErrorBody;

    expect(response.status).toBe(500);
    expect(body.error.type).toBe('server_error');
    expect(body.error.message).toContain('no answer scripted for this prompt');
    expect(model.requests[0]?.error).toBe('no answer scripted for this prompt');
    expect(model.requests[0]?.status).toBe(500);
  });
});
