import { describe, expect, it } from 'vitest';
import type { AgentRecord } from '../../../extension/engine/agents/agentSchema';
import { pauseNotice } from '../../../extension/run/pauseNotice';

function anAgent(role: string, instance: number, status: AgentRecord['status'], currentStep?: string): AgentRecord {
  return { id: `${role}-${instance}`, role, instance, status, turns: 0, tokens: { input: 0, output: 0 }, costUsd: 0, ...(currentStep ? { currentStep } : {}) } as AgentRecord;
}

describe('pauseNotice', () => {
  it('names each agent stopped mid-turn with its step, and says a test run will run again in full', () => {
    const notice = pauseNotice([anAgent('secondary-coder', 2, 'working', 'writing src/a.js'), anAgent('debugger', 1, 'working', 'running the tests'), anAgent('architect', 1, 'idle')]);
    expect(notice).toBe('All agents are paused. Stopped mid-turn, and redone from the start on resume: Coder 2 (writing src/a.js), Debugger (running the tests). The test run in progress was stopped and runs again in full.');
  });

  it('counts an agent waiting out a rate limit as stopped, and says nothing of tests when none ran', () => {
    const notice = pauseNotice([anAgent('architect', 1, 'waiting-rate-limit')]);
    expect(notice).toContain('redone from the start on resume: Architect.');
    expect(notice).not.toContain('test run');
  });

  it('says nothing is redone when no agent was mid-turn', () => {
    expect(pauseNotice([anAgent('architect', 1, 'idle'), anAgent('debugger', 1, 'done')])).toBe('All agents are paused; none was mid-turn, so nothing is redone on resume.');
  });
});
