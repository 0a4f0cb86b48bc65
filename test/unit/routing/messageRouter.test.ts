import { describe, expect, it, vi } from 'vitest';
import { MessageRouter } from '../../../extension/engine/routing/messageRouter';
import type { OutgoingMessage, RouterMessage } from '../../../extension/engine/routing/messageSchema';
import { aWorkRequest } from '../fakes/fakeBackend';
import { rejection, thrown } from '../support/errors';

function aMessage(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    from: 'organiser',
    to: 'architect-1',
    messageType: 'request',
    correlationId: 'w1',
    payload: { content: 'write the plan', metadata: { work: aWorkRequest({ workId: 'w1' }) } },
    ...overrides,
  } as OutgoingMessage;
}

function aRouter(...addresses: string[]): MessageRouter {
  const router = new MessageRouter({ clock: () => Date.UTC(2025, 0, 2, 3, 4, 5) });
  for (const address of ['organiser', 'architect-1', ...addresses]) router.register(address);
  return router;
}


function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}


describe('MessageRouter sending', () => {
  it('adds a counter id and an ISO timestamp from the clock', () => {
    const router = aRouter();
    const first = router.send(aMessage());
    const second = router.send(aMessage({ correlationId: 'w2' }));
    expect([first.id, second.id]).toEqual(['m1', 'm2']);
    expect(first.timestamp).toBe('2025-01-02T03:04:05.000Z');
  });

  it('delivers queued messages to one address in FIFO order', () => {
    const router = aRouter();
    for (const id of ['w1', 'w2', 'w3']) router.send(aMessage({ correlationId: id }));
    expect(router.queueLength('architect-1')).toBe(3);
    expect([router.take('architect-1'), router.take('architect-1'), router.take('architect-1')].map((m) => m?.correlationId)).toEqual(['w1', 'w2', 'w3']);
    expect(router.take('architect-1')).toBeUndefined();
  });

  it('refuses an unknown recipient with unknown-recipient', () => {
    const router = aRouter();
    expect(thrown(() => router.send(aMessage({ to: 'nobody-1' }))).reason).toBe('unknown-recipient');
  });

  it('refuses an invalid message with invalid-input naming the field, and spends no id on it', () => {
    const router = aRouter();
    const error = thrown(() => router.send(aMessage({ messageType: 'gossip' as never })));
    expect(error.reason).toBe('invalid-input');
    expect(error.message).toContain('messageType');
    expect(router.queueLength('architect-1')).toBe(0);
    expect(router.send(aMessage()).id).toBe('m1');
  });

  it.each([
    ['a request without its work', { messageType: 'request', payload: { content: 'x', metadata: {} } }, 'payload.metadata.work'],
    ['a request whose work grants a number', { messageType: 'request', payload: { content: 'x', metadata: { work: { ...aWorkRequest(), grants: [42] } } } }, 'payload.metadata.work.grants.0'],
    ['a reply without its reply', { messageType: 'artifact', payload: { content: 'x', metadata: { workId: 'w1' } } }, 'payload.metadata.reply'],
    ['a review whose usage has no cost', { messageType: 'review', payload: { content: 'x', metadata: { reply: { output: {}, changedFiles: [], usage: { inputTokens: 1, outputTokens: 1 } } } } }, 'payload.metadata.reply.usage.costUsd'],
    ['a status whose error has no message', { messageType: 'status', payload: { content: 'x', metadata: { error: { retryable: false } } } }, 'payload.metadata.error.message'],
  ])('refuses %s in one line naming where, and delivers nothing', (_name, overrides, where) => {
    const router = aRouter();
    const error = thrown(() => router.send(aMessage(overrides as Partial<OutgoingMessage>)));
    expect(error.reason).toBe('invalid-input');
    expect(error.message).toContain(where);
    expect(error.message).not.toContain('\n');
    expect(router.queueLength('architect-1')).toBe(0);
  });

  it('emits message:sent for every accepted message', () => {
    const router = aRouter();
    const sent: RouterMessage[] = [];
    router.events.on('message:sent', (message) => sent.push(message));
    const message = router.send(aMessage());
    expect(sent).toEqual([message]);
  });
});

describe('MessageRouter receiving', () => {
  it('next resolves at once with a queued message and emits message:delivered', async () => {
    const router = aRouter();
    const delivered = vi.fn();
    router.events.on('message:delivered', delivered);
    const message = router.send(aMessage());
    await expect(router.next('architect-1')).resolves.toEqual(message);
    expect(delivered).toHaveBeenCalledWith(message);
  });

  it('next waits for the next message, then resolves with it', async () => {
    const router = aRouter();
    const waiting = router.next('architect-1');
    const message = router.send(aMessage());
    await expect(waiting).resolves.toEqual(message);
    expect(router.queueLength('architect-1')).toBe(0);
  });

  it('an abort signal rejects a waiting next with aborted, and later messages stay queued', async () => {
    const router = aRouter();
    const controller = new AbortController();
    const waiting = router.next('architect-1', controller.signal);
    controller.abort();
    expect((await rejection(waiting)).reason).toBe('aborted');
    router.send(aMessage());
    expect(router.queueLength('architect-1')).toBe(1);
  });

  it('an already-aborted signal rejects without taking a queued message', async () => {
    const router = aRouter();
    router.send(aMessage());
    expect((await rejection(router.next('architect-1', AbortSignal.abort()))).reason).toBe('aborted');
    expect(router.queueLength('architect-1')).toBe(1);
  });

  it('drain removes and returns everything queued, oldest first', () => {
    const router = aRouter();
    router.send(aMessage({ correlationId: 'w1' }));
    router.send(aMessage({ correlationId: 'w2' }));
    expect(router.drain('architect-1').map((m) => m.correlationId)).toEqual(['w1', 'w2']);
    expect(router.queueLength('architect-1')).toBe(0);
  });

  it('remove pulls only the matching messages and keeps the order of the rest', () => {
    const router = aRouter();
    for (const id of ['w1', 'w2', 'w3']) router.send(aMessage({ correlationId: id }));
    expect(router.remove('architect-1', (m) => m.correlationId === 'w2').map((m) => m.correlationId)).toEqual(['w2']);
    expect(router.drain('architect-1').map((m) => m.correlationId)).toEqual(['w1', 'w3']);
  });

  it('next on an unknown address rejects with unknown-recipient', async () => {
    expect((await rejection(aRouter().next('nobody-1'))).reason).toBe('unknown-recipient');
  });
});

describe('MessageRouter termination', () => {
  it('drops queued messages with a reason, returns them, and refuses further sends', () => {
    const router = aRouter();
    const dropped = vi.fn();
    router.events.on('message:dropped', dropped);
    const message = router.send(aMessage());
    expect(router.terminate('architect-1', 'run finished')).toEqual([message]);
    expect(dropped).toHaveBeenCalledWith(message, 'run finished');
    expect(router.isRegistered('architect-1')).toBe(false);
    expect(router.isTerminated('architect-1')).toBe(true);
    expect(thrown(() => router.send(aMessage())).reason).toBe('recipient-terminated');
    expect(thrown(() => router.register('architect-1')).reason).toBe('recipient-terminated');
  });

  it('rejects a next that is waiting with recipient-terminated', async () => {
    const router = aRouter();
    const waiting = router.next('architect-1');
    router.terminate('architect-1');
    expect((await rejection(waiting)).reason).toBe('recipient-terminated');
  });
});

describe('MessageRouter topics', () => {
  it('publishes each message on the topic of its type, until the subscription is disposed', () => {
    const router = aRouter();
    const reviews: string[] = [];
    const subscription = router.subscribe('review', (m) => reviews.push(m.correlationId));
    const review: Partial<OutgoingMessage> = { messageType: 'review', to: 'organiser', payload: { content: 'ok', metadata: { reply: { output: {}, changedFiles: [], usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } } } } };
    router.send(aMessage({ ...review, correlationId: 'r1' }));
    router.send(aMessage({ messageType: 'request', correlationId: 'q1' }));
    subscription.dispose();
    router.send(aMessage({ ...review, correlationId: 'r2' }));
    expect(reviews).toEqual(['r1']);
  });

  it('publish reaches subscribers of any topic name', () => {
    const router = aRouter();
    const handler = vi.fn();
    router.subscribe('plan.approved', handler);
    const message = router.send(aMessage());
    router.publish('plan.approved', message);
    expect(handler).toHaveBeenCalledWith(message);
  });

  it('a throwing topic handler is reported and neither other handlers nor delivery suffer', () => {
    const router = aRouter();
    const failures: unknown[] = [];
    router.events.on('router:handlerError', (error, context) => failures.push([messageOf(error), context]));
    const after = vi.fn();
    router.subscribe('request', () => {
      throw new Error('handler broke');
    });
    router.subscribe('request', after);
    const message = router.send(aMessage());
    expect(after).toHaveBeenCalledWith(message);
    expect(router.queueLength('architect-1')).toBe(1);
    expect(failures).toEqual([['handler broke', { topic: 'request' }]]);
  });

  it('a throwing event listener does not make send fail', () => {
    const router = aRouter();
    const failures = vi.fn();
    router.events.on('router:handlerError', failures);
    router.events.on('message:sent', () => {
      throw new Error('listener broke');
    });
    expect(() => router.send(aMessage())).not.toThrow();
    expect(router.queueLength('architect-1')).toBe(1);
    expect(failures).toHaveBeenCalledWith(expect.any(Error), { event: 'message:sent' });
  });
});
