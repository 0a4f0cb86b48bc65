import { describe, expect, it } from 'vitest';
import type { AgentReply } from '../../../extension/engine/backends/agentBackend';
import { readAnswer } from '../../../extension/engine/routing/messagePayloads';
import type { MessageType, RouterMessage } from '../../../extension/engine/routing/messageSchema';
import { OrchestraError } from '../../../extension/engine/util/errors';
import type { WorkItem, WorkflowEvent, WorkflowState } from '../../../extension/engine/workflow/workflowTypes';
import type { AgentPool } from '../../../extension/engine/agents/agentPool';
import { MessageRouter } from '../../../extension/engine/routing/messageRouter';
import { OrganiserInbox } from '../../../extension/engine/run/organiserInbox';
import { WorkResults } from '../../../extension/engine/run/workResults';
import { rejection } from '../support/errors';

const A_REPLY: AgentReply = { output: { summary: 'done' }, changedFiles: ['src/a.ts'], usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.01 }, deniedCommands: ['rm -rf /', { command: 'curl x', reason: 'network' }] };

function aMessage(messageType: MessageType, metadata: Record<string, unknown>): RouterMessage {
  return { id: 'm1', from: 'coder-1', to: 'organiser', messageType, correlationId: 'w1', timestamp: '2025-01-01T00:00:00.000Z', payload: { content: 'x', metadata } };
}

describe('router payloads read through their schemas', () => {
  it('a reply, an abort and a failure status read back as what they say', () => {
    expect(readAnswer(aMessage('artifact', { reply: A_REPLY, workId: 'w1' }))).toEqual({ kind: 'reply', reply: A_REPLY });
    expect(readAnswer(aMessage('review', { reply: A_REPLY }))).toEqual({ kind: 'reply', reply: A_REPLY });
    expect(readAnswer(aMessage('status', { aborted: true, workId: 'w1' }))).toEqual({ kind: 'aborted' });
    const failed = readAnswer(aMessage('status', { error: new OrchestraError('rate-limited', '429 from the provider', { retryable: true }), workId: 'w1' }));
    expect(failed).toMatchObject({ kind: 'failed', error: { reason: 'backend-failed', message: '429 from the provider', retryable: true } });
  });

  it.each([
    ['no reply at all', aMessage('artifact', { workId: 'w1' }), 'reply'],
    ['changed files that are not strings', aMessage('artifact', { reply: { ...A_REPLY, changedFiles: [42] } }), 'reply.changedFiles.0'],
    ['usage missing its cost', aMessage('review', { reply: { ...A_REPLY, usage: { inputTokens: 1, outputTokens: 1 } } }), 'reply.usage.costUsd'],
    ['an error without a message', aMessage('status', { error: { retryable: false } }), 'error.message'],
    ['a request sent back as an answer', aMessage('request', { reply: A_REPLY }), 'request message'],
  ])('%s is a failure with a one-line reason', (_name, message, where) => {
    const answer = readAnswer(message);
    expect(answer.kind).toBe('failed');
    const error = (answer as { error: OrchestraError }).error;
    expect(error).toBeInstanceOf(OrchestraError);
    expect(error.message).toContain(where);
    expect(error.message).toContain('coder-1');
    expect(error.message).not.toContain('\n');
  });

  it('a bad reply to dispatched work becomes WORK_FAILED with its reason, and nothing is recorded', async () => {
    const fed: WorkflowEvent[] = [];
    const recorded: unknown[] = [];
    const work = { id: 'w1', role: 'coder', instance: 1, kind: 'implement' } as unknown as WorkItem;
    const results = new WorkResults({
      recorder: { record: async (...args) => (recorded.push(args), { artifactIds: [] }) as never },
      spending: { release: () => undefined },
      journal: { note: () => undefined },
      state: () => ({ inFlight: { w1: work }, deferred: [] }) as unknown as WorkflowState,
      feed: async (event) => void fed.push(event),
      recorded: () => undefined,
    });
    await results.receive(aMessage('artifact', { reply: { ...A_REPLY, changedFiles: 'src/a.ts' } }));
    expect(recorded).toEqual([]);
    expect(fed).toEqual([{ type: 'WORK_FAILED', workId: 'w1', message: expect.stringContaining('reply.changedFiles'), retryable: true }]);

    await results.receive(aMessage('artifact', { reply: A_REPLY }));
    expect(recorded).toHaveLength(1);
    expect(fed.at(-1)).toMatchObject({ type: 'WORK_DONE', workId: 'w1' });
  });

  it('a bad answer to a question of the Organiser rejects it with the reason, and the inbox reads on', async () => {
    const router = new MessageRouter();
    router.register('organiser-1');
    const failures: unknown[] = [];
    const inbox = new OrganiserInbox({ router, pool: {} as AgentPool, onWorkMessage: () => undefined, onFailure: async (error) => void failures.push(error) });
    inbox.start();
    const request = { workId: 'd1', kind: 'decide', prompt: 'Which?', grants: [], inputs: [], detail: {} } as never;
    const answer = async (metadata: Record<string, unknown>) => {
      const asked = await router.next('organiser-1');
      router.send({ from: 'organiser-1', to: 'organiser', messageType: 'artifact', correlationId: asked.correlationId, payload: { content: 'x', metadata } });
    };
    const first = inbox.askAgent('organiser-1', request, { step: 'deciding', content: 'decide' });
    await answer({ reply: { output: 'approve', changedFiles: null } });
    const error = await rejection(first);
    expect(error.reason).toBe('invalid-output');
    expect(error.message).toContain('reply.changedFiles');

    const second = inbox.askAgent('organiser-1', request, { step: 'deciding', content: 'decide' });
    await answer({ reply: A_REPLY });
    await expect(second).resolves.toEqual(A_REPLY);
    expect(failures).toEqual([]);
    inbox.close();
  });
});
