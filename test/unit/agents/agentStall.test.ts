import { describe, expect, it } from 'vitest';
import { aPool } from './poolHarness';

describe('AgentPool when the backend reports a stall', () => {
  it('shows the agent stalled with the reason, announces it once per stall, and shows the step again when work resumes', async () => {
    const { backend, pool, dispatch } = aPool();
    const stalls: Array<{ agentId: string; workId: string; message: string }> = [];
    pool.events.on('agent:stalled', (agent, stall) => stalls.push({ agentId: agent.id, workId: stall.workId, message: stall.message }));
    await pool.ensureAgent('architect', 1);
    dispatch('architect-1', 'p1', {}, { step: 'planning p1' });
    const [run] = await backend.waitForRuns(1);
    const heartbeat = pool.get('architect-1')!.lastHeartbeat;

    run!.emit({ type: 'stalled', quietMs: 90_000, message: 'architect-1 has shown no progress for 90 s' });

    expect(pool.get('architect-1')).toMatchObject({ status: 'working', currentStep: 'stalled: no progress for 90 s', lastError: 'architect-1 has shown no progress for 90 s', lastHeartbeat: heartbeat });
    expect(stalls).toEqual([{ agentId: 'architect-1', workId: 'p1', message: 'architect-1 has shown no progress for 90 s' }]);
    run!.emit({ type: 'progress', message: 'write plan.md' });
    expect(pool.get('architect-1')).toMatchObject({ status: 'working', currentStep: 'planning p1' });
  });
});
