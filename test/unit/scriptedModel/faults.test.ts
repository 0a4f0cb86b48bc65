import { describe, expect, it } from 'vitest';
import { roleMarker } from '../../../extension/engine/roles/roleMarker';
import { aChatRequest, aModel, postChat, readUntilBroken, sseData } from './chatClient';

type ErrorBody = { error: { message: string; type: string; code: string } };
const answer = () => ({ text: 'fine' });

describe('scripted model faults', () => {
  it('answers 429 with Retry-After for `times` matching requests, then answers normally', async () => {
    const model = await aModel({
      script: answer,
      faults: [{ when: (request) => request.lastUser === 'busy', times: 2, fault: { type: 'status', status: 429, retryAfterSeconds: 7 } }],
    });
    const busy = aChatRequest().withUser('busy').streaming().build();

    const first = await postChat(model, busy);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(((await first.json()) as ErrorBody).error.code).toBe('rate_limit_exceeded');
    expect((await postChat(model, aChatRequest().withUser('calm').build())).status).toBe(200);
    expect((await postChat(model, busy)).status).toBe(429);
    const third = await postChat(model, busy);
    expect(third.status).toBe(200);
    expect((await sseData(third)).at(-1)).toBe('[DONE]');
    expect(model.requests.map((entry) => entry.fault ?? '-')).toEqual(['status:429', '-', 'status:429', '-']);
  });

  it('uses the first matching entry with uses left, and can fault every time', async () => {
    const model = await aModel({
      script: answer,
      faults: [
        { when: () => true, fault: { type: 'status', status: 503 } },
        { when: () => true, times: Number.POSITIVE_INFINITY, fault: { type: 'status', status: 500, message: 'disk on fire' } },
      ],
    });
    const request = aChatRequest().withUser('x').build();

    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await postChat(model, request)).status);
    expect(statuses).toEqual([503, 500, 500]);
  });

  it.each([
    [500, 'internal_error'],
    [503, 'overloaded'],
  ] as const)('answers a %i fault with an OpenAI error body and no Retry-After', async (status, code) => {
    const model = await aModel({ script: answer, faults: [{ when: () => true, fault: { type: 'status', status } }] });
    const response = await postChat(model, aChatRequest().withUser('x').streaming().build());
    const body = (await response.json()) as ErrorBody;

    expect(response.status).toBe(status);
    expect(response.headers.get('retry-after')).toBeNull();
    expect(body.error).toMatchObject({ type: 'server_error', code });
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(model.requests[0]).toMatchObject({ status, fault: `status:${status}` });
  });

  it('chooses faults by what the request says, such as the asking role', async () => {
    const model = await aModel({ script: answer, faults: [{ when: (request) => request.role === 'architect', fault: { type: 'status', status: 429 } }] });
    const asking = (role: string) => aChatRequest().withSystem(`You are careful.\n${roleMarker(role)}`).withUser('plan').build();

    expect((await postChat(model, asking('debugger'))).status).toBe(200);
    const limited = await postChat(model, asking('architect'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
  });

  it('sends a malformed SSE event and ends the stream without [DONE]', async () => {
    const model = await aModel({ script: answer, faults: [{ when: () => true, fault: { type: 'malformed' } }] });
    const response = await postChat(model, aChatRequest().withUser('x').streaming().build());

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('data: {not json\n\n');
    expect(model.requests[0]?.fault).toBe('malformed');
  });

  it('sends a broken JSON body to a non-streaming malformed request', async () => {
    const model = await aModel({ script: answer, faults: [{ when: () => true, fault: { type: 'malformed' } }] });
    const response = await postChat(model, aChatRequest().withUser('x').build());

    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow(SyntaxError);
  });

  it('drops the connection after the first chunk of a stream', async () => {
    const model = await aModel({ script: answer, faults: [{ when: () => true, fault: { type: 'drop' } }] });
    const response = await postChat(model, aChatRequest().withUser('x').streaming().build());
    const { text, error } = await readUntilBroken(response);

    expect(response.status).toBe(200);
    expect(error).toBeInstanceOf(Error);
    const events = text.split('\n\n').filter((event) => event !== '');
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]?.slice('data: '.length) ?? '')).toMatchObject({ object: 'chat.completion.chunk', choices: [{ delta: { role: 'assistant' } }] });
    await model.whenIdle();
    expect(model.requests[0]).toMatchObject({ fault: 'drop', status: 200, aborted: true });
  });

  it('drops a non-streaming answer halfway through its body', async () => {
    const model = await aModel({ script: answer, faults: [{ when: () => true, fault: { type: 'drop' } }] });
    const response = await postChat(model, aChatRequest().withUser('x').build());
    const { error } = await readUntilBroken(response);

    expect(error).toBeInstanceOf(Error);
  });

  it('holds a hanging request until the server closes, then ends it', async () => {
    const model = await aModel({ script: answer, faults: [{ when: () => true, fault: { type: 'hang' } }] });
    const pending = postChat(model, aChatRequest().withUser('x').streaming().build());
    const [entry] = await model.whenRequests(1);
    expect(entry?.endedAt).toBeUndefined();

    await model.close();
    await expect(pending).rejects.toThrow();
    expect(entry).toMatchObject({ fault: 'hang', status: 0, aborted: true });
    expect(entry?.endedAt).toBeGreaterThanOrEqual(entry?.at ?? Number.NaN);
  });

  it('releases a hanging request when the client aborts', async () => {
    const model = await aModel({ script: answer, faults: [{ when: () => true, fault: { type: 'hang' } }] });
    const abort = new AbortController();
    const pending = postChat(model, aChatRequest().withUser('x').build(), { signal: abort.signal });
    await model.whenRequests(1);

    abort.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    await model.whenIdle();
    expect(model.requests[0]).toMatchObject({ fault: 'hang', status: 0, aborted: true });
    expect(model.requests[0]?.endedAt).toBeDefined();
  });

  it('does not consult the script for a faulted request', async () => {
    let calls = 0;
    const model = await aModel({
      script: () => ((calls += 1), { text: 'x' }),
      faults: [{ when: () => true, fault: { type: 'status', status: 500 } }],
    });
    await postChat(model, aChatRequest().withUser('x').build());
    await postChat(model, aChatRequest().withUser('x').build());

    expect(calls).toBe(1);
  });
});
