/*
 * What the status bar shows, as pure functions of the run's state (no `vscode` here, so the text,
 * tooltips, colours and overflow rules are unit-tested; runStatusItem/agentIndicators only apply it).
 */
import type { AgentRecord, AgentStatus } from '../engine/agents/agentSchema';
import { agentDisplayName, phaseInWords, type RoleNaming } from '../protocol/vocabulary';

/** The dashboard focus a click opens (the argument of kiloOrchestra.openDashboard). */
export interface DashboardFocus {
  tab: 'run' | 'roles';
  agentId?: string;
}

export interface StatusItemSpec {
  id: string;
  text: string;
  /** Markdown. */
  tooltip: string;
  /** The theme colour VS Code allows for status bar backgrounds, when the state calls for one. */
  background?: 'error' | 'warning';
  focus: DashboardFocus;
}

export interface RunStatusInput {
  runId: string;
  phase: string;
  /** Set while paused: the phase it will go back to. */
  pausedFrom?: string;
  task: string;
  agents: readonly AgentRecord[];
  costUsd: number;
  budgetUsd?: number;
  /** Set when the run stopped for a person. */
  attention?: string;
  /** The run's roles, so agents carry the names the dashboard gives them ("Coder 2"). */
  roles?: readonly RoleNaming[];
}

/** Agent id → "provider/model" (from the roles resolution). */
export type ModelOf = (agent: AgentRecord) => string | undefined;

export const MAX_AGENT_ITEMS = 5;

const STATUS_ICON: Record<AgentStatus, string> = {
  working: '$(sync~spin)',
  'waiting-rate-limit': '$(watch)',
  'needs-attention': '$(warning)',
  paused: '$(debug-pause)',
  done: '$(check)',
  idle: '$(circle-outline)',
  terminated: '$(circle-slash)',
};

const STATUS_WORDS: Record<AgentStatus, string> = {
  working: 'working',
  'waiting-rate-limit': 'waiting on a rate limit',
  'needs-attention': 'needs your attention',
  paused: 'paused',
  done: 'done',
  idle: 'idle',
  terminated: 'finished',
};

/** The order agents are shown in: what needs a person first, so the overflow never hides it. */
const STATUS_ORDER: AgentStatus[] = ['needs-attention', 'waiting-rate-limit', 'working', 'paused', 'idle', 'done', 'terminated'];

/** Longest agent name on an item: a custom role's name may be a sentence. */
const MAX_NAME = 24;

const FINISHED_ICON: Record<string, string> = { COMPLETED: '$(check)', CANCELLED: '$(circle-slash)', FAILED: '$(error)' };

/** The run's item: `$(organization) Writing the plan · 3 active · $0.12`. */
export function runItem(input: RunStatusInput): StatusItemSpec {
  const active = input.agents.filter((agent) => agent.status === 'working' || agent.status === 'waiting-rate-limit').length;
  const phase = phaseInWords(input.phase);
  const finished = FINISHED_ICON[input.phase];
  const icon = finished ?? (input.attention ? '$(warning)' : input.phase === 'PAUSED' ? '$(debug-pause)' : '$(organization)');
  const parts = [`${icon} ${phase}`];
  if (!finished) parts.push(`${active} active`);
  parts.push(money(input.costUsd));
  const lines = [`**Kilo Orchestra** — ${escapeMarkdown(truncate(input.task, 120))}`, '', `Phase: ${phase}${input.pausedFrom ? ` (paused while ${phaseInWords(input.pausedFrom).toLowerCase()})` : ''}`];
  lines.push(`Agents working: ${active} of ${input.agents.filter((agent) => agent.status !== 'terminated').length}`);
  lines.push(`Cost so far: ${money(input.costUsd)}${input.budgetUsd !== undefined ? ` of ${money(input.budgetUsd)}` : ''}`);
  if (input.attention) lines.push('', `$(warning) Needs you: ${escapeMarkdown(input.attention)}`);
  lines.push('', `Run ${input.runId} — click to open the dashboard`);
  const overBudget = input.budgetUsd !== undefined && input.costUsd > input.budgetUsd;
  const background = input.phase === 'FAILED' || input.attention ? 'error' : overBudget ? 'warning' : undefined;
  return { id: 'run', text: parts.join(' · '), tooltip: lines.join('  \n'), focus: { tab: 'run' }, ...(background ? { background } : {}) };
}

/**
 * One compact item per agent still in the run (most urgent first), at most `max`; the rest are
 * summarised in one "+N agents" item. Nothing once the run has finished.
 */
export function agentItems(input: Pick<RunStatusInput, 'phase' | 'agents' | 'roles'>, modelOf: ModelOf, max = MAX_AGENT_ITEMS): StatusItemSpec[] {
  if (FINISHED_ICON[input.phase]) return [];
  const shown = input.agents
    .filter((agent) => agent.status !== 'terminated')
    .sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || a.createdAt - b.createdAt);
  // An overflow item of one would take the place of the agent it hides.
  const visible = shown.length > max ? shown.slice(0, max - 1) : shown;
  const hidden = shown.slice(visible.length);
  const items = visible.map((agent) => agentItem(agent, modelOf(agent), input.roles));
  if (hidden.length > 0) {
    const lines = hidden.map((agent) => `${STATUS_ICON[agent.status]} ${escapeMarkdown(agentName(agent, input.roles))}: ${STATUS_WORDS[agent.status]}${agent.currentStep ? ` — ${escapeMarkdown(truncate(agent.currentStep, 60))}` : ''}`);
    const worst = hidden.map((agent) => backgroundOf(agent.status)).find((colour) => colour !== undefined);
    items.push({ id: 'agents-overflow', text: `+${hidden.length} agents`, tooltip: lines.join('  \n'), focus: { tab: 'run' }, ...(worst ? { background: worst } : {}) });
  }
  return items;
}

export function agentItem(agent: AgentRecord, model: string | undefined, roles?: readonly RoleNaming[]): StatusItemSpec {
  const name = agentName(agent, roles);
  const lines = [
    `**${escapeMarkdown(name)}** — ${STATUS_WORDS[agent.status]}`,
    ...(model ? [`Model: ${escapeMarkdown(model)}`] : []),
    ...(agent.currentStep ? [`Now: ${escapeMarkdown(truncate(agent.currentStep, 120))}`] : []),
    ...(agent.status === 'needs-attention' && agent.lastError ? [`Problem: ${escapeMarkdown(truncate(agent.lastError, 160))}`] : []),
    `Tokens: ${count(agent.tokens.input)} in · ${count(agent.tokens.output)} out`,
    `Cost: ${money(agent.costUsd)}`,
    '',
    'Click to open this agent in the dashboard',
  ];
  const background = backgroundOf(agent.status);
  return {
    id: `agent:${agent.id}`,
    text: `${STATUS_ICON[agent.status]} ${name}`,
    tooltip: lines.join('  \n'),
    focus: { tab: 'run', agentId: agent.id },
    ...(background ? { background } : {}),
  };
}

/** The agent's one display name (see protocol/vocabulary.ts), cut to fit a status bar item. */
export function agentName(agent: Pick<AgentRecord, 'role' | 'instance'>, roles?: readonly RoleNaming[]): string {
  return truncate(agentDisplayName(agent.role, agent.instance, roles), MAX_NAME);
}

export function money(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

function backgroundOf(status: AgentStatus): 'error' | 'warning' | undefined {
  if (status === 'needs-attention') return 'error';
  if (status === 'waiting-rate-limit') return 'warning';
  return undefined;
}

function count(tokens: number): string {
  return Math.round(tokens).toLocaleString('en-US');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Agent-written text must not turn into links or formatting in a tooltip. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (char) => `\\${char}`);
}
