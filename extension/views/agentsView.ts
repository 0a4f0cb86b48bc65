import * as vscode from 'vscode';
import type { AgentRecord } from '../engine/agents/agentSchema';
import type { Disposable } from '../engine/util/disposable';
import { agentChildren, agentNode, attentionBadge, runNode, stepNode, type AgentsElement, type AgentsTreeRun, type RoleNames } from './agentsTree';
import { treeItem } from './treeItems';

/** What the view reads of the window's run; a RunSession is one. */
export interface AgentsSource {
  readonly runId: string;
  readonly live: boolean;
  readonly run: { readonly workflow: { readonly phase: string; readonly task: string } };
  agents(): AgentRecord[];
  costUsd(): number;
  modelOf(agent: AgentRecord): string | undefined;
  readonly events: { on(event: 'changed' | 'finished', listener: () => void): Disposable };
}

export interface AgentsTreeOptions {
  /** The window's live or last run. */
  session(): AgentsSource | undefined;
  roleNames: RoleNames;
}

/**
 * The Agents view: the window's run → its agents → each one's current step. It redraws on the
 * run's own `changed` and `finished` events (no polling); `follow()` moves it to a new run.
 */
export class AgentsTreeProvider implements vscode.TreeDataProvider<AgentsElement>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<AgentsElement | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private followed: AgentsSource | undefined;
  private subscriptions: Disposable[] = [];

  constructor(private readonly options: AgentsTreeOptions) {
    this.follow();
  }

  /** Call when the window's run may have changed; subscribes to the new one's events. */
  follow(): void {
    const session = this.options.session();
    if (session === this.followed) return;
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
    this.followed = session;
    if (session) this.subscriptions.push(session.events.on('changed', () => this.changed.fire(undefined)), session.events.on('finished', () => this.changed.fire(undefined)));
    this.changed.fire(undefined);
  }

  getChildren(element?: AgentsElement): AgentsElement[] {
    const run = this.snapshot();
    if (!run) return [];
    if (!element) return [{ kind: 'run', runId: run.runId }];
    if (element.runId !== run.runId) return [];
    if (element.kind === 'run') return agentChildren(run);
    if (element.kind === 'agent') {
      const agent = run.agents.find((candidate) => candidate.id === element.agentId);
      return agent?.currentStep ? [{ kind: 'step', runId: run.runId, agentId: agent.id }] : [];
    }
    return [];
  }

  getTreeItem(element: AgentsElement): vscode.TreeItem {
    const run = this.snapshot();
    const agent = element.kind === 'run' ? undefined : run?.agents.find((candidate) => candidate.id === element.agentId);
    if (!run || element.runId !== run.runId || (element.kind !== 'run' && !agent)) return new vscode.TreeItem('(gone)');
    if (element.kind === 'run') return treeItem(runNode(run));
    if (element.kind === 'agent') return treeItem(agentNode(run, agent!, this.options.roleNames, this.followed?.modelOf(agent!)));
    return treeItem(stepNode(run, agent!) ?? { id: `step:${run.runId}:${agent!.id}`, label: '', tooltip: '', icon: { id: 'blank' }, collapsible: 'none', contextValue: 'step' });
  }

  getParent(element: AgentsElement): AgentsElement | undefined {
    if (element.kind === 'run') return undefined;
    if (element.kind === 'agent') return { kind: 'run', runId: element.runId };
    return { kind: 'agent', runId: element.runId, agentId: element.agentId };
  }

  dispose(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
    this.changed.dispose();
  }

  /** The activity bar's badge: agents that need a person. */
  badge(): { value: number; tooltip: string } | undefined {
    return attentionBadge(this.snapshot());
  }

  /** Read once per call: the tree never mixes two moments of the run. */
  private snapshot(): AgentsTreeRun | undefined {
    const session = this.followed;
    if (!session) return undefined;
    return { runId: session.runId, task: session.run.workflow.task, phase: session.run.workflow.phase, live: session.live, costUsd: session.costUsd(), agents: session.agents() };
  }
}
