import { describe, expect, it } from 'vitest';
import type { AgentRecord, AgentStatus } from '../../../extension/engine/agents/agentSchema';
import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import { agentItem, agentItems, agentName, runItem, type RunStatusInput } from '../../../extension/statusBar/statusBarText';

let created = 0;
function anAgent(role: string, status: AgentStatus, overrides: Partial<AgentRecord> = {}): AgentRecord {
  const instance = overrides.instance ?? 1;
  return {
    id: `${role}-${instance}`,
    role,
    instance,
    profileId: `${role}-profile`,
    status,
    turns: 1,
    tokens: { input: 1200, output: 340 },
    costUsd: 0.05,
    lastHeartbeat: 0,
    createdAt: ++created,
    ...overrides,
  };
}

function aRun(overrides: Partial<RunStatusInput> = {}): RunStatusInput {
  return { runId: 'run-1', phase: 'PLANNING', task: 'Add overdue-loan tracking', agents: [], costUsd: 0.123, ...overrides };
}

const model = () => 'openai/gpt-4.1';

describe('runItem', () => {
  it('shows the phase, the number of agents working and the cost so far', () => {
    const agents = [anAgent('organiser', 'idle'), anAgent('architect', 'working'), anAgent('primary-coder', 'waiting-rate-limit'), anAgent('code-sceptic', 'working')];
    const item = runItem(aRun({ agents }));
    expect(item.text).toBe('$(organization) Writing the plan · 3 active · $0.12');
    expect(item.focus).toEqual({ tab: 'run' });
    expect(item.background).toBeUndefined();
  });

  it('puts phases in words and shows the pause', () => {
    expect(runItem(aRun({ phase: 'CODE_IMPLEMENTATION' })).text).toContain('Writing the code');
    const paused = runItem(aRun({ phase: 'PAUSED', pausedFrom: 'CODE_REVIEW' }));
    expect(paused.text.startsWith('$(debug-pause) Paused')).toBe(true);
    expect(paused.tooltip).toContain('paused while reviewing the code');
    expect(paused.text + paused.tooltip).not.toMatch(/[A-Z]{2,}_|CODE REVIEW|PAUSED/);
  });

  it('turns red with the reason in the tooltip when the run needs a person', () => {
    const item = runItem(aRun({ attention: 'The plan was rejected three times.' }));
    expect(item.background).toBe('error');
    expect(item.text.startsWith('$(warning)')).toBe(true);
    expect(item.tooltip).toContain('The plan was rejected three times.');
  });

  it('warns once the cost passes the budget and shows the budget in the tooltip', () => {
    expect(runItem(aRun({ costUsd: 1.5, budgetUsd: 1 })).background).toBe('warning');
    expect(runItem(aRun({ costUsd: 0.5, budgetUsd: 1 })).tooltip).toContain('$0.50 of $1.00');
  });

  it('shows the final state without an active count after the run', () => {
    expect(runItem(aRun({ phase: 'COMPLETED', costUsd: 0.34 })).text).toBe('$(check) Completed · $0.34');
    expect(runItem(aRun({ phase: 'FAILED' })).background).toBe('error');
  });
});

describe('agentItems', () => {
  it('gives each agent a codicon for its state, its display name and a click that opens it in the dashboard', () => {
    const items = agentItems(aRun({ agents: [anAgent('architect', 'working'), anAgent('secondary-coder', 'paused', { instance: 2 })], roles: BUILTIN_ROLES }), model);
    expect(items.map((item) => item.text)).toEqual(['$(sync~spin) Architect', '$(debug-pause) Coder 2']);
    expect(items[0]!.focus).toEqual({ tab: 'run', agentId: 'architect-1' });
  });

  it('colours needs-attention red and rate-limited amber, and leaves the others plain', () => {
    const items = agentItems(aRun({ agents: [anAgent('architect', 'working'), anAgent('debugger', 'needs-attention'), anAgent('primary-coder', 'waiting-rate-limit'), anAgent('organiser', 'done')] }), model);
    const byId = Object.fromEntries(items.map((item) => [item.id, item]));
    expect(byId['agent:debugger-1']!.background).toBe('error');
    expect(byId['agent:debugger-1']!.text).toBe('$(warning) Debugger');
    expect(byId['agent:primary-coder-1']!.background).toBe('warning');
    expect(byId['agent:primary-coder-1']!.text).toBe('$(watch) Primary Coder');
    expect(byId['agent:architect-1']!.background).toBeUndefined();
    expect(byId['agent:organiser-1']!.text).toBe('$(check) Organiser');
  });

  it('shows at most five items, the most urgent first, and sums up the rest in one "+N agents" item', () => {
    const agents = [
      anAgent('organiser', 'idle'),
      anAgent('architect', 'done'),
      anAgent('primary-coder', 'working'),
      anAgent('secondary-coder', 'working', { instance: 1 }),
      anAgent('secondary-coder', 'working', { instance: 2, currentStep: 'implementing src/b.ts' }),
      anAgent('code-sceptic', 'working'),
      anAgent('debugger', 'needs-attention'),
    ];
    const items = agentItems(aRun({ agents }), model);
    expect(items).toHaveLength(5);
    expect(items[0]!.id).toBe('agent:debugger-1');
    const overflow = items.at(-1)!;
    expect(overflow.text).toBe('+3 agents');
    expect(overflow.tooltip).toContain('Organiser: idle');
    expect(overflow.tooltip).toContain('Architect: done');
    expect(overflow.focus).toEqual({ tab: 'run' });
  });

  it('shows exactly five agents without an overflow item', () => {
    const agents = ['organiser', 'architect', 'primary-coder', 'code-sceptic', 'debugger'].map((role) => anAgent(role, 'working'));
    expect(agentItems(aRun({ agents }), model).map((item) => item.id)).not.toContain('agents-overflow');
  });

  it('leaves out terminated agents and shows nothing once the run has finished', () => {
    expect(agentItems(aRun({ agents: [anAgent('architect', 'terminated')] }), model)).toEqual([]);
    expect(agentItems(aRun({ phase: 'COMPLETED', agents: [anAgent('architect', 'done')] }), model)).toEqual([]);
  });
});

describe('agentItem tooltip', () => {
  it('names the role, model, current step, tokens and cost', () => {
    const item = agentItem(anAgent('primary-coder', 'working', { currentStep: 'implementing src/overdue.js', costUsd: 0.0234 }), 'openai/gpt-4.1');
    expect(item.tooltip).toContain('**Primary Coder** — working');
    expect(item.tooltip).toContain('Model: openai/gpt-4.1');
    expect(item.tooltip).toContain('Now: implementing src/overdue.js');
    expect(item.tooltip).toContain('Tokens: 1,200 in · 340 out');
    expect(item.tooltip).toContain('Cost: $0.02');
  });

  it('keeps agent-written text from becoming links or markup', () => {
    const item = agentItem(anAgent('architect', 'needs-attention', { lastError: 'see [this](http://x) <b>now</b>' }), undefined);
    expect(item.tooltip).toContain('see \\[this\\](http://x) \\<b\\>now\\</b\\>');
  });

  it('uses the name the user gave a role, and cuts a long one to fit the item', () => {
    expect(agentName({ role: 'secondary-coder', instance: 1 }, [{ id: 'secondary-coder', name: 'Implementer' }])).toBe('Implementer 1');
    expect(agentName({ role: 'security-auditor-extraordinaire-of-the-realm', instance: 1 })).toBe('Security Auditor Extrao…');
  });
});
