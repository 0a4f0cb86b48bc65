import { describe, expect, it, vi } from 'vitest';
import type { AgentRecord } from '../../../extension/engine/agents/agentSchema';
import { TypedEmitter } from '../../../extension/engine/util/typedEvents';
import { agentDisplayName, agentNode, attentionBadge, runNode, type AgentsElement } from '../../../extension/views/agentsTree';
import type { AgentsSource } from '../../../extension/views/agentsView';
import type { TreeItem } from '../fakes/fakeVscode';

vi.mock('vscode', () => import('../fakes/fakeVscode'));
const { AgentsTreeProvider } = await import('../../../extension/views/agentsView');

const ROLE_NAMES: Record<string, string> = { organiser: 'Organiser', architect: 'Architect', 'secondary-coder': 'Secondary Coder' };
const roleNames = (roleId: string) => ROLE_NAMES[roleId];

function anAgent(role: string, instance: number, patch: Partial<AgentRecord> = {}): AgentRecord {
  return { id: `${role}-${instance}`, role, instance, profileId: 'p', status: 'idle', turns: 0, tokens: { input: 0, output: 0 }, costUsd: 0, lastHeartbeat: 0, createdAt: instance, ...patch };
}

/** A fake of the window's run session: the records the tree reads and the events it listens to. */
class FakeSession implements AgentsSource {
  readonly events = new TypedEmitter<{ changed: () => void; finished: () => void }>();
  live = true;
  run = { workflow: { phase: 'CODE_IMPLEMENTATION', task: 'Add overdue-loan tracking\nand a report' } };
  constructor(
    readonly runId: string,
    public records: AgentRecord[],
  ) {}
  agents(): AgentRecord[] {
    return this.records;
  }
  costUsd(): number {
    return this.records.reduce((sum, agent) => sum + agent.costUsd, 0);
  }
  modelOf(): string | undefined {
    return 'scripted/coder';
  }
}

function labels(provider: InstanceType<typeof AgentsTreeProvider>, elements: AgentsElement[]): string[] {
  return elements.map((element) => (provider.getTreeItem(element) as unknown as TreeItem).label);
}

describe('agentsTree', () => {
  it('names an agent as everywhere else (protocol/vocabulary): coders always numbered', () => {
    expect(agentDisplayName(anAgent('secondary-coder', 2), roleNames)).toBe('Coder 2');
    expect(agentDisplayName(anAgent('architect', 1), roleNames)).toBe('Architect');
    expect(agentDisplayName(anAgent('data-migrator', 1), roleNames)).toBe('Data Migrator');
  });

  it('shows the run by its task’s first line, with phase and cost', () => {
    const session = new FakeSession('r1', [anAgent('architect', 1, { costUsd: 0.1 }), anAgent('secondary-coder', 1, { costUsd: 0.25 })]);
    const node = runNode({ runId: 'r1', task: session.run.workflow.task, phase: 'CODE_IMPLEMENTATION', live: true, costUsd: session.costUsd(), agents: session.records });
    expect(node.label).toBe('Add overdue-loan tracking');
    expect(node.description).toBe('writing the code · $0.35');
    expect(runNode({ runId: 'r1', task: 't', phase: 'COMPLETED', live: false, costUsd: 1, agents: [] }).description).toBe('Completed · $1.00');
  });

  it('shows status and cost on an agent, and lets a person talk to, pause or resume only an agent of a live run', () => {
    const run = { runId: 'r1', task: 't', phase: 'CODE_IMPLEMENTATION', live: true, costUsd: 0, agents: [] };
    const coder = anAgent('secondary-coder', 2, { status: 'working', costUsd: 0.1234 });
    expect(agentNode(run, coder, roleNames)).toMatchObject({ label: 'Coder 2', description: 'working · $0.12', contextValue: 'agent talkable pausable' });
    expect(agentNode(run, anAgent('secondary-coder', 1, { status: 'paused' }), roleNames).contextValue).toBe('agent talkable agentPaused');
    expect(agentNode(run, anAgent('organiser', 1, { status: 'working' }), roleNames).contextValue).toBe('agent');
    expect(agentNode(run, anAgent('architect', 1, { status: 'done' }), roleNames).contextValue).toBe('agent');
    expect(agentNode({ ...run, live: false }, coder, roleNames).contextValue).toBe('agent');
    expect(agentNode(run, anAgent('architect', 1, { status: 'needs-attention', lastError: 'rate limited' }), roleNames).tooltip).toContain('Problem: rate limited');
  });
});

describe('attentionBadge', () => {
  it('counts the agents of a live run that need a person, and shows nothing otherwise', () => {
    const agents = [anAgent('architect', 1, { status: 'needs-attention' }), anAgent('secondary-coder', 1, { status: 'needs-attention' }), anAgent('organiser', 1, { status: 'working' })];
    expect(attentionBadge({ live: true, agents })).toEqual({ value: 2, tooltip: '2 agents need you' });
    expect(attentionBadge({ live: true, agents: agents.slice(1) })).toEqual({ value: 1, tooltip: 'An agent needs you' });
    expect(attentionBadge({ live: true, agents: agents.slice(2) })).toBeUndefined();
    expect(attentionBadge({ live: false, agents })).toBeUndefined();
    expect(attentionBadge(undefined)).toBeUndefined();
  });
});

describe('AgentsTreeProvider', () => {
  it('is empty without a run, so the view shows its welcome text', () => {
    const provider = new AgentsTreeProvider({ session: () => undefined, roleNames });
    expect(provider.getChildren()).toEqual([]);
  });

  it('lists the run, then its agents in the order they joined, then an agent’s current step', () => {
    const session = new FakeSession('r1', [anAgent('secondary-coder', 1, { createdAt: 30, currentStep: 'implementing src/loans.ts' }), anAgent('organiser', 1, { createdAt: 10 }), anAgent('architect', 1, { createdAt: 20 })]);
    const provider = new AgentsTreeProvider({ session: () => session, roleNames });
    const [run, ...rest] = provider.getChildren();
    expect(rest).toEqual([]);
    expect(labels(provider, [run!])).toEqual(['Add overdue-loan tracking']);
    const agents = provider.getChildren(run);
    expect(labels(provider, agents)).toEqual(['Organiser', 'Architect', 'Coder 1']);
    expect(provider.getChildren(agents[0])).toEqual([]);
    expect(labels(provider, provider.getChildren(agents[2]))).toEqual(['implementing src/loans.ts']);
    expect(provider.getParent(provider.getChildren(agents[2])[0]!)).toEqual(agents[2]);
  });

  it('redraws on the run’s own events and reads the agents as they are then', () => {
    const session = new FakeSession('r1', [anAgent('architect', 1)]);
    const provider = new AgentsTreeProvider({ session: () => session, roleNames });
    const fired = vi.fn();
    provider.onDidChangeTreeData(fired);
    const architect: AgentsElement = { kind: 'agent', runId: 'r1', agentId: 'architect-1' };
    expect((provider.getTreeItem(architect) as unknown as TreeItem).description).toBe('idle · $0.00');

    session.records = [anAgent('architect', 1, { status: 'working', costUsd: 0.5 })];
    session.events.emit('changed');
    expect(fired).toHaveBeenCalledTimes(1);
    expect((provider.getTreeItem(architect) as unknown as TreeItem).description).toBe('working · $0.50');
    session.events.emit('finished');
    expect(fired).toHaveBeenCalledTimes(2);
  });

  it('moves to the next run on follow() and stops listening to the previous one', () => {
    const first = new FakeSession('r1', [anAgent('architect', 1)]);
    const second = new FakeSession('r2', [anAgent('organiser', 1)]);
    let current: FakeSession = first;
    const provider = new AgentsTreeProvider({ session: () => current, roleNames });
    const fired = vi.fn();
    provider.onDidChangeTreeData(fired);
    current = second;
    provider.follow();
    expect(fired).toHaveBeenCalledTimes(1);
    expect(provider.getChildren()).toEqual([{ kind: 'run', runId: 'r2' }]);
    // An element of the old run has no children in the new one.
    expect(provider.getChildren({ kind: 'run', runId: 'r1' })).toEqual([]);
    first.events.emit('changed');
    expect(fired).toHaveBeenCalledTimes(1);
    second.events.emit('changed');
    expect(fired).toHaveBeenCalledTimes(2);
    provider.dispose();
    second.events.emit('changed');
    expect(fired).toHaveBeenCalledTimes(2);
  });
});
