import type { AgentRecord } from '../engine/agents/agentSchema';
import type { WorkflowState } from '../engine/workflow/workflowTypes';
import { agentDisplayName, phaseInWords, sinceStartInWords, type RoleNaming } from '../protocol/vocabulary';

/** Agent statuses in words, as the status bar says them. */
const STATUS_WORDS: Record<AgentRecord['status'], string> = {
  idle: 'idle',
  working: 'working',
  'waiting-rate-limit': 'rate-limited',
  'needs-attention': 'needs you',
  paused: 'paused',
  done: 'done',
  terminated: 'finished',
};

const LIGHTS: Record<AgentRecord['status'], string> = {
  idle: '○',
  working: '●',
  'waiting-rate-limit': '◐',
  'needs-attention': '▲',
  paused: '‖',
  done: '✓',
  terminated: '×',
};

/**
 * Live progress in the terminal: one line per agent and a progress bar over the files. On a TTY the
 * block is redrawn in place; otherwise only phase changes and every tenth of the files are printed.
 * Agents and phases carry the names the editor shows (protocol/vocabulary.ts): "Coder 2", "Writing the code".
 */
export class ProgressView {
  private drawnLines = 0;
  private lastReported = -1;
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly read: () => { workflow: WorkflowState; agents: AgentRecord[] },
    /** The run's roles, for names the user gave them; built-in names otherwise. */
    private readonly roles: readonly RoleNaming[] = [],
  ) {}

  start(): void {
    if (this.out.isTTY) this.timer = setInterval(() => this.redraw(), 120);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.out.isTTY) this.redraw();
  }

  /** For non-TTY output (CI logs): a line per phase change, timed from the run's start. */
  phaseChanged(from: string, to: string, atMs: number): void {
    if (this.out.isTTY) return;
    this.out.write(phaseLine(from, to, atMs));
  }

  fileProgress(): void {
    if (this.out.isTTY) return;
    const { workflow } = this.read();
    const total = workflow.files.length;
    if (total === 0) return;
    const done = workflow.files.filter((f) => f.stage === 'approved').length;
    const tenth = Math.floor((done / total) * 10);
    if (tenth === this.lastReported) return;
    this.lastReported = tenth;
    this.out.write(`  files ${bar(done, total)} ${done}/${total} approved\n`);
  }

  private redraw(): void {
    const { workflow, agents } = this.read();
    const total = workflow.files.length;
    const done = workflow.files.filter((f) => f.stage === 'approved').length;
    const lines = [`${phaseHeading(workflow)}   files ${bar(done, total)} ${done}/${total}`];
    for (const agent of agents) lines.push(agentLine(agent, this.roles).slice(0, (this.out.columns ?? 120) - 1));
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}F\x1b[J`);
    this.out.write(`${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }
}

/** "Paused (while writing the code)", "Reviewing the plan". */
export function phaseHeading(workflow: Pick<WorkflowState, 'phase' | 'pausedFrom'>): string {
  return `${phaseInWords(workflow.phase)}${workflow.pausedFrom ? ` (while ${phaseInWords(workflow.pausedFrom).toLowerCase()})` : ''}`;
}

/** `+1m 20s  Writing the plan → Reviewing the plan`. */
export function phaseLine(from: string, to: string, atMs: number): string {
  return `${sinceStartInWords(atMs).padEnd(9)} ${phaseInWords(from)} → ${phaseInWords(to)}\n`;
}

/** `  ● Coder 2              working       implementing src/a.ts $0.0123`. */
export function agentLine(agent: AgentRecord, roles: readonly RoleNaming[] = []): string {
  const cost = agent.costUsd > 0 ? ` $${agent.costUsd.toFixed(4)}` : '';
  return `  ${LIGHTS[agent.status]} ${agentDisplayName(agent.role, agent.instance, roles).padEnd(22)} ${STATUS_WORDS[agent.status].padEnd(13)} ${agent.currentStep ?? ''}${cost}`;
}

function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}
