/*
 * The Agents view as pure functions of the window's run: the run, its agents (name, status, cost)
 * and each agent's current step. No `vscode` here, so the tree is unit-tested as data.
 */
import type { AgentRecord, AgentStatus } from '../engine/agents/agentSchema';
import { COMMANDS } from '../commands/commandIds';
import { agentDisplayName as displayName, phaseInWords } from '../protocol/vocabulary';
import { money } from '../statusBar/statusBarText';
import { ITEM_FLAGS } from './viewIds';
import { escapeMarkdown, firstLine, type TreeNodeSpec } from './treeNode';

/** The tree's elements: ids only, so a refresh never shows stale copies of an agent. */
export type AgentsElement = { kind: 'run'; runId: string } | { kind: 'agent'; runId: string; agentId: string } | { kind: 'step'; runId: string; agentId: string };

/** What the tree reads of the run (a RunSession in the extension). */
export interface AgentsTreeRun {
  runId: string;
  task: string;
  phase: string;
  live: boolean;
  costUsd: number;
  agents: readonly AgentRecord[];
}

/** Role id → its display name ("Secondary Coder"); unknown ids are shown title-cased. */
export type RoleNames = (roleId: string) => string | undefined;

const STATUS: Record<AgentStatus, { words: string; icon: string; color?: string }> = {
  working: { words: 'working', icon: 'sync~spin' },
  'waiting-rate-limit': { words: 'waiting on a rate limit', icon: 'watch', color: 'list.warningForeground' },
  'needs-attention': { words: 'needs you', icon: 'warning', color: 'list.errorForeground' },
  paused: { words: 'paused', icon: 'debug-pause' },
  done: { words: 'done', icon: 'check', color: 'testing.iconPassed' },
  idle: { words: 'idle', icon: 'circle-outline' },
  terminated: { words: 'finished', icon: 'circle-slash' },
};

const FINISHED_WORDS: Record<string, string> = { COMPLETED: 'Completed', CANCELLED: 'Cancelled', FAILED: 'Failed' };

const PHASE_ICON: Record<string, { id: string; color?: string }> = {
  COMPLETED: { id: 'pass', color: 'testing.iconPassed' },
  CANCELLED: { id: 'circle-slash' },
  FAILED: { id: 'error', color: 'list.errorForeground' },
  PAUSED: { id: 'debug-pause' },
};

/** The one display name of an agent (protocol/vocabulary.ts): "Coder 2", or the name the user gave the role. */
export function agentDisplayName(agent: Pick<AgentRecord, 'role' | 'instance'>, roleNames: RoleNames): string {
  const name = roleNames(agent.role);
  return displayName(agent.role, agent.instance, [{ id: agent.role, ...(name ? { name } : {}) }]);
}

export function runNode(run: AgentsTreeRun): TreeNodeSpec {
  const phase = phaseInWords(run.phase);
  const finished = FINISHED_WORDS[run.phase];
  return {
    id: `run:${run.runId}`,
    label: firstLine(run.task, 60) || run.runId,
    description: `${finished ?? phase.toLowerCase()} · ${money(run.costUsd)}`,
    tooltip: [`**${escapeMarkdown(firstLine(run.task, 200))}**`, '', `Phase: ${phase}`, `Cost so far: ${money(run.costUsd)}`, `Agents: ${run.agents.length}`, '', `Run ${run.runId}`].join('  \n'),
    icon: PHASE_ICON[run.phase] ?? { id: 'organization' },
    collapsible: 'expanded',
    contextValue: `run${run.live ? ' live' : ''}`,
    command: { command: COMMANDS.openDashboard, title: 'Open Dashboard', arguments: [{ tab: 'run' }] },
  };
}

/** The agents in the order they joined the run. */
export function agentChildren(run: AgentsTreeRun): AgentsElement[] {
  return [...run.agents].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)).map((agent) => ({ kind: 'agent', runId: run.runId, agentId: agent.id }));
}

export function agentNode(run: AgentsTreeRun, agent: AgentRecord, roleNames: RoleNames, model?: string): TreeNodeSpec {
  const status = STATUS[agent.status];
  const name = agentDisplayName(agent, roleNames);
  const talkable = run.live && agent.role !== 'organiser' && agent.status !== 'done' && agent.status !== 'terminated';
  const lines = [
    `**${escapeMarkdown(name)}** — ${status.words}`,
    ...(model ? [`Model: ${escapeMarkdown(model)}`] : []),
    ...(agent.currentStep ? [`Now: ${escapeMarkdown(firstLine(agent.currentStep, 160))}`] : []),
    ...(agent.status === 'needs-attention' && agent.lastError ? [`Problem: ${escapeMarkdown(firstLine(agent.lastError, 160))}`] : []),
    `Turns: ${agent.turns} · Cost: ${money(agent.costUsd)}`,
  ];
  return {
    id: `agent:${run.runId}:${agent.id}`,
    label: name,
    description: `${status.words} · ${money(agent.costUsd)}`,
    tooltip: lines.join('  \n'),
    icon: { id: status.icon, ...(status.color ? { color: status.color } : {}) },
    collapsible: agent.currentStep ? 'expanded' : 'none',
    contextValue: ['agent', ...(talkable ? [ITEM_FLAGS.talkable] : []), ...(talkable && agent.status !== 'paused' ? [ITEM_FLAGS.pausable] : []), ...(talkable && agent.status === 'paused' ? [ITEM_FLAGS.agentPaused] : [])].join(' '),
    command: { command: COMMANDS.openDashboard, title: 'Open in Dashboard', arguments: [{ tab: 'run', agentId: agent.id }] },
  };
}

/** The agent's current step, or nothing when it has none. */
export function stepNode(run: AgentsTreeRun, agent: AgentRecord): TreeNodeSpec | undefined {
  if (!agent.currentStep) return undefined;
  return {
    id: `step:${run.runId}:${agent.id}`,
    label: firstLine(agent.currentStep, 100),
    tooltip: escapeMarkdown(agent.currentStep.slice(0, 500)),
    icon: { id: 'arrow-small-right' },
    collapsible: 'none',
    contextValue: 'step',
  };
}

/** The view's badge: how many agents of a live run need a person, or nothing when none does. */
export function attentionBadge(run: Pick<AgentsTreeRun, 'live' | 'agents'> | undefined): { value: number; tooltip: string } | undefined {
  const count = run?.live ? run.agents.filter((agent) => agent.status === 'needs-attention').length : 0;
  return count === 0 ? undefined : { value: count, tooltip: count === 1 ? 'An agent needs you' : `${count} agents need you` };
}

