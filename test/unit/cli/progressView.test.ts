import { describe, expect, it } from 'vitest';
import type { AgentRecord } from '../../../extension/engine/agents/agentSchema';
import { initialWorkflowState } from '../../../extension/engine/workflow/workflowMachine';
import { ProgressView, agentLine, phaseHeading } from '../../../extension/cli/progressView';

/** A named fake of the terminal: records what is written; `isTTY` chooses the log style or the redrawn block. */
class FakeTerminal {
  written = '';
  columns = 200;
  constructor(readonly isTTY: boolean) {}
  write(text: string): boolean {
    this.written += text;
    return true;
  }
}

function anAgent(role: string, instance: number, overrides: Partial<AgentRecord> = {}): AgentRecord {
  return { id: `${role}-${instance}`, role, instance, profileId: 'p', status: 'working', turns: 0, tokens: { input: 0, output: 0 }, costUsd: 0, lastHeartbeat: 0, createdAt: 0, ...overrides };
}

describe('the CLI progress view', () => {
  it('logs phase changes in words, timed as durations since the start', () => {
    const out = new FakeTerminal(false);
    const view = new ProgressView(out as unknown as NodeJS.WriteStream, () => ({ workflow: initialWorkflowState(), agents: [] }));
    view.phaseChanged('IDLE', 'PLANNING', 0);
    view.phaseChanged('PLAN_REVIEW', 'CODE_IMPLEMENTATION', 80_000);
    expect(out.written.split('\n').map((line) => line.replace(/ +/g, ' '))).toEqual(['+0s Starting → Writing the plan', '+1m 20s Reviewing the plan → Writing the code', '']);
    expect(out.written).not.toMatch(/[A-Z]{3,}|\d\.\ds/);
  });

  it('names agents as the editor does, with their status in words', () => {
    const line = agentLine(anAgent('secondary-coder', 2, { status: 'waiting-rate-limit', currentStep: 'implementing src/a.ts', costUsd: 0.0123 }));
    expect(line.replace(/ +/g, ' ')).toBe(' ◐ Coder 2 rate-limited implementing src/a.ts $0.0123');
    expect(agentLine(anAgent('primary-coder', 1))).toContain('Primary Coder');
    expect(agentLine(anAgent('secondary-coder', 1), [{ id: 'secondary-coder', name: 'Implementer' }])).toContain('Implementer 1');
  });

  it('heads the block with the phase in words, and the phase a pause interrupted', () => {
    expect(phaseHeading({ phase: 'PAUSED', pausedFrom: 'CODE_REVIEW' })).toBe('Paused (while reviewing the code)');
    expect(phaseHeading({ phase: 'TESTING' })).toBe('Running the tests');
  });

  it('redraws the block on a terminal with no raw phase or agent id', () => {
    const out = new FakeTerminal(true);
    const workflow = { ...initialWorkflowState(), phase: 'CODE_FIXING' as const };
    const view = new ProgressView(out as unknown as NodeJS.WriteStream, () => ({ workflow, agents: [anAgent('code-sceptic', 1), anAgent('secondary-coder', 3)] }));
    view.stop();
    expect(out.written).toContain('Fixing the code');
    expect(out.written).toContain('Code Sceptic');
    expect(out.written).toContain('Coder 3');
    expect(out.written).not.toMatch(/CODE_FIXING|secondary-coder-3|code-sceptic-1/);
  });
});
