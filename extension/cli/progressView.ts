import type { AgentRecord } from '../engine/agents/agentSchema';
import type { WorkflowState } from '../engine/workflow/workflowTypes';

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
 */
export class ProgressView {
  private drawnLines = 0;
  private lastReported = -1;
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly read: () => { workflow: WorkflowState; agents: AgentRecord[] },
  ) {}

  start(): void {
    if (this.out.isTTY) this.timer = setInterval(() => this.redraw(), 120);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.out.isTTY) this.redraw();
  }

  /** For non-TTY output (CI logs): a line per phase change. */
  phaseChanged(from: string, to: string, atMs: number): void {
    if (this.out.isTTY) return;
    this.out.write(`[${(atMs / 1000).toFixed(1)}s] ${from} → ${to}\n`);
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
    const lines = [`${workflow.phase}${workflow.pausedFrom ? ` (from ${workflow.pausedFrom})` : ''}   files ${bar(done, total)} ${done}/${total}`];
    for (const agent of agents) {
      const cost = agent.costUsd > 0 ? ` $${agent.costUsd.toFixed(4)}` : '';
      lines.push(`  ${LIGHTS[agent.status]} ${agent.id.padEnd(24)} ${agent.status.padEnd(18)} ${agent.currentStep ?? ''}${cost}`.slice(0, (this.out.columns ?? 120) - 1));
    }
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}F\x1b[J`);
    this.out.write(`${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }
}

function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}
