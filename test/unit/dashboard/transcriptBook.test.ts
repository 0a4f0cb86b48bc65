import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { OrchestrationRun } from '../../../extension/engine/run/orchestrationRun';
import { DashboardModel } from '../../../extension/dashboard/dashboardModel';
import { TranscriptBook, replyInWords } from '../../../extension/dashboard/transcriptBook';

describe('transcripts in words', () => {
  it('names the work by its step and the agent by its display name in the worker’s short replies', () => {
    const steps: Record<string, string> = { w20: 'implementing src/a.ts', w21: 'reviewing src/a.ts' };
    const stepOf = (id: string) => steps[id];
    expect(replyInWords('w20 was aborted before secondary-coder-1 finished it.', stepOf)).toBe('Implementing src/a.ts was stopped before Coder 1 finished it.');
    expect(replyInWords('w21 was aborted before code-sceptic-1 started it.', stepOf)).toBe('Reviewing src/a.ts was stopped before Code Sceptic started it.');
    expect(replyInWords('secondary-coder-2 finished implement w20.', stepOf)).toBe('Coder 2 finished implementing src/a.ts.');
    expect(replyInWords('primary-coder-1 could not finish w20: The model refused (429).', stepOf)).toBe('Primary Coder could not finish implementing src/a.ts: The model refused (429).');
    expect(replyInWords('organiser-1 finished decide d2-ask1.', stepOf)).toBe('Organiser finished the decision.');
    expect(replyInWords('w99 was aborted before architect-1 finished it.', stepOf)).toBe('The work was stopped before Architect finished it.');
    expect(replyInWords('Here is my answer about w20 and secondary-coder-1.', stepOf)).toBe('Here is my answer about w20 and secondary-coder-1.');
  });

  it('learns each step from the work request and uses the names the user gave the roles', () => {
    const book = new TranscriptBook();
    expect(book.textOf({ from: 'organiser', to: 'secondary-coder-1', messageType: 'request', content: 'implementing src/b.ts', correlationId: 'w3' })).toBe('implementing src/b.ts');
    const reply = { from: 'secondary-coder-1', to: 'organiser', messageType: 'status', content: 'w3 was aborted before secondary-coder-1 finished it.', correlationId: 'w3' };
    expect(book.textOf(reply, [{ id: 'secondary-coder', name: 'Implementer' }])).toBe('Implementing src/b.ts was stopped before Implementer 1 finished it.');
  });

  it('leaves no work id or agent id in the transcripts of a whole run, live or read back from its folder', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'transcripts-'));
    const roles = resolveRoles(simulatedRolesConfig());
    const run = await OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles, backend: new SimulatedBackend({ files: 4 }), onAttention: 'fail', workflow: { retryBaseMs: 1 } });
    const model = new DashboardModel();
    model.attach(run, { roles, canRollBack: () => false, backend: 'simulated' });
    await run.start();

    const rebuilt = await DashboardModel.fromRunFolder(run.runDir, { roles });
    for (const state of [model.state(), rebuilt.state()]) {
      const replies = Object.values(state.transcripts).flatMap((lines) => lines.filter((line) => line.direction === 'from-agent').map((line) => line.text));
      expect(replies.length).toBeGreaterThan(5);
      expect(replies.filter((text) => /\bw\d+\b|[a-z]-\d+\b/.test(text))).toEqual([]);
      expect(replies).toContain('Architect finished writing the plan.');
    }
  });
});
