import { AgentPool } from '../../../extension/engine/agents/agentPool';
import type { WorkRequest } from '../../../extension/engine/backends/agentBackend';
import { MessageRouter } from '../../../extension/engine/routing/messageRouter';
import { ORGANISER_ADDRESS, type RouterMessage } from '../../../extension/engine/routing/messageSchema';
import { FakeBackend, aResolvedRole, aWorkRequest } from '../fakes/fakeBackend';

/** A pool on a fake backend, with the Organiser's mailbox registered to collect the answers. */
export function aPool(options: { maxActive?: number; now?: () => number; backend?: FakeBackend } = {}) {
  const backend = options.backend ?? new FakeBackend();
  const router = new MessageRouter();
  router.register(ORGANISER_ADDRESS);
  const pool = new AgentPool({ backend, router, workspace: '/workspace', maxActive: options.maxActive ?? 4, resolveRole: aResolvedRole, now: options.now });
  const errors: unknown[] = [];
  pool.events.on('pool:error', (error) => errors.push(error));

  return {
    backend,
    router,
    pool,
    /** Everything reported on `pool:error`. */
    errors,
    /** Sends the Organiser's request for `workId` to `agentId`. */
    dispatch(agentId: string, workId: string, work: Partial<WorkRequest> = {}, metadata: Record<string, unknown> = {}): RouterMessage {
      return router.send({
        from: ORGANISER_ADDRESS,
        to: agentId,
        messageType: 'request',
        correlationId: workId,
        payload: { content: `do ${workId}`, metadata: { work: aWorkRequest({ workId, ...work }), ...metadata } },
      });
    },
    /** The next answer the Organiser receives. */
    answer(): Promise<RouterMessage> {
      return router.next(ORGANISER_ADDRESS);
    },
    /** The next `count` answers, in arrival order. */
    async answers(count: number): Promise<RouterMessage[]> {
      const received: RouterMessage[] = [];
      while (received.length < count) received.push(await router.next(ORGANISER_ADDRESS));
      return received;
    },
  };
}
