import { describe, expect, it } from 'vitest';
import { runPhaseFields } from '../../../extension/dashboard/dashboardProjection';
import { WebviewMessageSchema } from '../../../extension/protocol/dashboardProtocol';
import { initialWorkflowState } from '../../../extension/engine/workflow/workflowMachine';
import type { WorkflowState } from '../../../extension/engine/workflow/workflowTypes';

const directory = {
  roles: [],
  profiles: [
    { id: 'coder', providerID: 'anthropic', modelID: 'claude' },
    { id: 'spare', providerID: 'openai', modelID: 'gpt-x' },
    { id: 'local', providerID: 'local', modelID: 'qwen' },
    { id: 'cheap', providerID: 'openrouter', modelID: 'mini' },
    { id: 'fifth', providerID: 'google', modelID: 'gemini' },
  ],
};

function brokenState(): WorkflowState {
  const work = { id: 'w9', kind: 'implement' as const, role: 'secondary-coder', instance: 1, grants: ['src/a.ts'], inputs: [], file: 'src/a.ts', attempt: 1 };
  return {
    ...initialWorkflowState(),
    phase: 'PAUSED',
    pausedFrom: 'CODE_IMPLEMENTATION',
    attention: {
      reason: 'implement of src/a.ts by secondary-coder-1 failed 3 times; last error: HTTP 503',
      decision: { id: 'd10', point: 'circuit-breaker', options: ['retry_work', 'reassign_work', 'skip_work'], recommended: 'retry_work', question: 'q', work, file: 'src/a.ts' },
    },
  };
}

describe('the dashboard at a circuit breaker', () => {
  it('offers at most three of the user’s other profiles to reassign to, never the one the agent is on', () => {
    const { attention } = runPhaseFields(brokenState(), directory, (agentId) => (agentId === 'secondary-coder-1' ? 'anthropic/claude' : undefined));
    expect(attention?.options).toEqual(['retry_work', 'reassign_work', 'skip_work']);
    expect(attention?.reassignTo).toEqual([
      { id: 'spare', label: 'openai/gpt-x' },
      { id: 'local', label: 'local/qwen' },
      { id: 'cheap', label: 'openrouter/mini' },
    ]);
  });

  it('offers no profiles for other stops', () => {
    const state = brokenState();
    const plain = { ...state, attention: { reason: 'Budget reached.' } };
    expect(runPhaseFields(plain, directory).attention).toEqual({ reason: 'Budget reached.', options: ['resume', 'cancel'] });
  });

  it('the resume message carries a profile id, and refuses one that is not an id', () => {
    expect(WebviewMessageSchema.safeParse({ type: 'workflow/resume', requestId: 'r1', action: 'reassign_work', profileId: 'spare' }).success).toBe(true);
    expect(WebviewMessageSchema.safeParse({ type: 'workflow/resume', requestId: 'r1', action: 'reassign_work', profileId: '../x y' }).success).toBe(false);
  });
});
