import { describe, expect, it } from 'vitest';
import type { AgentReply } from '../../../extension/engine/backends/agentBackend';
import { readAnswer } from '../../../extension/engine/routing/messagePayloads';
import type { MessageType, RouterMessage } from '../../../extension/engine/routing/messageSchema';
import { OrchestraError } from '../../../extension/engine/util/errors';
import type { AgentPool } from '../../../extension/engine/agents/agentPool';
import { MessageRouter } from '../../../extension/engine/routing/messageRouter';
import { OrganiserInbox } from '../../../extension/engine/run/organiserInbox';
import { aWorkRequest } from '../fakes/fakeBackend';
import { thrown } from '../support/errors';

const A_REPLY: AgentReply = { output: { summary: 'done' }, changedFiles: ['src/a.ts'], usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.01 }, deniedCommands: ['rm -rf /', { command: 'curl x', reason: 'network' }] };

function aMessage(messageType: MessageType, metadata: Record<string, unknown>): RouterMessage {
  return { id: 'm1', from: 'coder-1', to: 'organiser', messageType, correlationId: 'w1', timestamp: '2025-01-01T00:00:00.000Z', payload: { content: 'x', metadata } } as RouterMessage;
}

describe('router payloads read through their schemas', () => {
  it('a reply, an abort and a failure status read back as what they say', () => {
    expect(readAnswer(aMessage('artifact', { reply: A_REPLY, workId: 'w1' }))).toEqual({ kind: 'reply', reply: A_REPLY });
    expect(readAnswer(aMessage('review', { reply: A_REPLY }))).toEqual({ kind: 'reply', reply: A_REPLY });
    expect(readAnswer(aMessage('status', { aborted: true, workId: 'w1' }))).toEqual({ kind: 'aborted' });
    const failed = readAnswer(aMessage('status', { error: new OrchestraError('rate-limited', '429 from the provider', { retryable: true }), workId: 'w1' }));
    expect(failed).toMatchObject({ kind: 'failed', error: { reason: 'backend-failed', message: '429 from the provider', retryable: true } });
  });

  it('a request sent back as an answer is a failure with a one-line reason', () => {
    const answer = readAnswer(aMessage('request', { work: aWorkRequest({ workId: 'w1' }) }));
    expect(answer.kind).toBe('failed');
    const error = (answer as { error: OrchestraError }).error;
    expect(error).toBeInstanceOf(OrchestraError);
    expect(error.message).toContain('coder-1 answered with a request message');
  });

  it('a bad answer never reaches the Organiser: the router refuses it, and the good one after it is read', async () => {
    const router = new MessageRouter();
    router.register('organiser-1');
    const failures: unknown[] = [];
    const inbox = new OrganiserInbox({ router, pool: {} as AgentPool, onWorkMessage: () => undefined, onFailure: async (error) => void failures.push(error) });
    inbox.start();
    const request = aWorkRequest({ workId: 'd1', kind: 'decide', prompt: 'Which?' });
    const asked = inbox.askAgent('organiser-1', request, { step: 'deciding', content: 'decide' });
    const question = await router.next('organiser-1');
    const send = (metadata: unknown) => router.send({ from: 'organiser-1', to: 'organiser', messageType: 'artifact', correlationId: question.correlationId, payload: { content: 'x', metadata: metadata as never } });
    expect(thrown(() => send({ reply: { output: 'approve', changedFiles: null } })).message).toContain('payload.metadata.reply.changedFiles');
    send({ reply: A_REPLY });
    await expect(asked).resolves.toEqual(A_REPLY);
    expect(failures).toEqual([]);
    inbox.close();
  });
});
