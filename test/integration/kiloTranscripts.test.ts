import { describe, expect, it } from 'vitest';
import { startKiloRuntime } from '../../extension/cli/kiloRuntime';
import { OrchestrationRun } from '../../extension/engine/run/orchestrationRun';
import { readTranscript, transcriptAgents } from '../../extension/engine/run/transcriptLog';
import { DashboardModel } from '../../extension/dashboard/dashboardModel';
import { aSampleWorkspace, kiloArgs } from './kiloRunHarness';

// What real `kilo serve` sends for an agent's message parts, as the run's transcripts keep it: the
// tool calls Kilo's own tools made (with the diff of every write and edit), and each step's tokens.

describe('transcripts of a run on real kilo serve', () => {
  it("keeps every agent's tool calls with their files and diffs, and its steps' tokens, and shows them after a reload", async () => {
    const workspace = aSampleWorkspace('kilo-transcripts-');
    const runtime = await startKiloRuntime(kiloArgs(workspace), () => undefined);
    try {
      const run = await OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles: runtime.roles, backend: runtime.backend, maxActive: 4, onAttention: 'fail' });
      const report = await run.start();
      expect(report.status).toBe('COMPLETED');

      const agents = await transcriptAgents(run.runDir);
      const lines = (await Promise.all(agents.map(async (agentId) => (await readTranscript(run.runDir, agentId)).lines))).flat();
      const tools = lines.filter((line) => line.part.kind === 'tool');
      const writes = tools.filter((line) => line.part.tool === 'write' || line.part.tool === 'edit');
      expect(writes.length).toBeGreaterThan(0);
      for (const write of writes.filter((line) => line.part.status === 'completed')) {
        expect(write.part.target).toMatch(/^[^/]/);
        expect(write.part.diff?.text).toMatch(/^[-+]/m);
      }
      expect(tools.every((line) => line.part.status !== 'running' && line.part.status !== 'pending')).toBe(true);
      expect(lines.some((line) => line.part.kind === 'step' && (line.part.tokens?.input ?? 0) > 0)).toBe(true);

      const rebuilt = await DashboardModel.fromRunFolder(run.runDir, { roles: runtime.roles });
      const shown = Object.values(rebuilt.state().parts ?? {}).flat();
      expect(shown.filter((part) => part.kind === 'tool')).toHaveLength(tools.length);
    } finally {
      await runtime.dispose();
    }
  }, 300_000);
});
