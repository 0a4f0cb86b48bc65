import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startKiloRuntime } from '../../extension/cli/kiloRuntime';
import { OrchestrationRun } from '../../extension/engine/run/orchestrationRun';
import { aSampleWorkspace, chatRequests, kiloArgs, untilPhase } from './kiloRunHarness';

// The Organiser's chat on real `kilo serve` with the scripted model: a message during implementation
// adds a file to the approved plan, through Kilo's structured output and our proposal, and the run
// ends with that file written by Kilo's own tools, reviewed and approved.
describe('the Organiser chat on real kilo serve', () => {
  it('"Also add src/report.js …" during implementation ends the run with src/report.js approved', async () => {
    const workspace = aSampleWorkspace('kilo-chat-');
    const runtime = await startKiloRuntime(kiloArgs(workspace), () => undefined);
    try {
      const run = await OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles: runtime.roles, backend: runtime.backend, maxActive: 4, onAttention: 'fail' });
      const coding = untilPhase(run, 'CODE_IMPLEMENTATION');
      const done = run.start();
      await coding;

      const outcome = await run.chat('Also add src/report.js that lists overdue loans by member');
      expect(outcome.dropped).toEqual([]);
      expect(outcome.proposals.map((proposal) => proposal.said)).toEqual(['add src/report.js to the plan (lists overdue loans by member)']);
      expect(await run.applyProposal(outcome.proposals[0]!.id)).toMatchObject({ applied: true });
      const report = await done;

      expect(report.status).toBe('COMPLETED');
      expect(run.workflow.files.find((file) => file.path === 'src/report.js')?.stage).toBe('approved');
      expect(fs.readFileSync(path.join(workspace, 'src', 'report.js'), 'utf8')).toContain('export function report(');
      // The file went through the team like any other: a coder wrote it and the Code Sceptic reviewed it.
      const aboutReport = chatRequests(runtime.scripted!).filter((request) => request.lastUser?.includes('src/report.js'));
      expect(aboutReport.some((request) => request.role === 'code-sceptic')).toBe(true);
      expect(aboutReport.some((request) => request.role === 'secondary-coder')).toBe(true);
    } finally {
      await runtime.dispose();
    }
  }, 180_000);
});
