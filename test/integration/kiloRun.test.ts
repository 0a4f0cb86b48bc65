import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startKiloRuntime } from '../../extension/cli/kiloRuntime';
import { OrchestrationRun } from '../../extension/engine/run/orchestrationRun';
import { KiloHttp } from '../../extension/kilo/kiloHttp';
import { modelChoices } from '../../extension/kilo/kiloModels';
import { aSampleWorkspace, kiloArgs } from './kiloRunHarness';

// A whole orchestrated task through real `kilo serve` 7.7.7 and the scripted model: every role is
// a real Kilo session, files are written by Kilo's own tools, the Debugger runs the sample's tests.

/** Pairs of requests whose [at, endedAt] intervals overlap. */
function overlapping(requests: Array<{ at: number; endedAt?: number }>): number {
  let pairs = 0;
  for (let i = 0; i < requests.length; i++) {
    for (let j = i + 1; j < requests.length; j++) {
      const a = requests[i]!;
      const b = requests[j]!;
      if (a.at < (b.endedAt ?? Infinity) && b.at < (a.endedAt ?? Infinity)) pairs += 1;
    }
  }
  return pairs;
}

describe('an orchestrated run on real kilo serve', () => {
  it('completes with every role on its own model, two coders at once, and a rejected file fixed', async () => {
    const workspace = aSampleWorkspace();
    // The two coders' first requests are held until both are open (or a minute passes): on a loaded
    // machine Kilo may start the second only after the first's short latency, which is not the question.
    const meetUp = { role: 'secondary-coder', count: 2, maxWaitMs: 60_000 };
    const runtime = await startKiloRuntime(kiloArgs(workspace), () => undefined, { scripted: { meetUp } });
    try {
      const run = await OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles: runtime.roles, backend: runtime.backend, maxActive: 4, onAttention: 'fail' });
      const report = await run.start();

      expect(report.status).toBe('COMPLETED');
      expect(report.backend).toBe('kilo');
      expect(report.states).toEqual(expect.arrayContaining(['PLAN_REVISION', 'STRUCTURE_CREATION', 'CODE_IMPLEMENTATION', 'CODE_REVIEW', 'CODE_FIXING', 'DOCUMENTATION', 'COMPLETED']));
      // The tests run beside the documents; TESTING shows only when they outlast them or fail.
      expect(report.artifacts.filter((artifact) => artifact.type === 'test-report')).toHaveLength(1);
      expect(report.findings).toEqual([]);
      expect(new Set(report.agents.map((a) => a.profile)).size).toBeGreaterThanOrEqual(5);
      expect(report.concurrency.maxActiveAgents).toBeGreaterThanOrEqual(2);
      // Cost is Kilo's own figure from the models' prices: the Architect's model costs more than a coder's.
      const costOf = (role: string) => report.agents.filter((a) => a.role === role).reduce((sum, a) => sum + a.costUsd, 0);
      expect(costOf('architect')).toBeGreaterThan(costOf('primary-coder'));
      expect(report.costUsd).toBeGreaterThan(0);

      // The model's own request log proves the routing: each role's requests went to its model.
      const chats = runtime.scripted!.requests.filter((r) => r.path === '/v1/chat/completions' && r.role);
      expect(new Set(chats.map((r) => r.role))).toEqual(new Set(['organiser', 'architect', 'code-sceptic', 'primary-coder', 'secondary-coder', 'documentation-writer', 'debugger']));
      for (const request of chats) expect(request.model).toBe(`${request.role}-model`);
      // Two Secondary Coders worked at the same time.
      expect(overlapping(chats.filter((r) => r.role === 'secondary-coder'))).toBeGreaterThan(0);

      // Kilo's tools really wrote the code; the rejected file carries the fix and its artifact a second version.
      expect(fs.readFileSync(path.join(workspace, 'src', 'overdue.js'), 'utf8')).toContain("throw new TypeError('input must be an object')");
      expect(fs.existsSync(path.join(workspace, 'docs', 'OVERVIEW.md'))).toBe(true);
      const overdue = report.artifacts.find((a) => a.type === 'code' && a.summary.includes('src/overdue.js'));
      expect(overdue?.version).toBeGreaterThanOrEqual(2);
      expect(report.artifacts.find((a) => a.type === 'test-report')?.summary).toMatch(/^\d+ tests passed, 0 failed/);

      // The role dropdowns' source: the server lists our scripted models as connected, first.
      const http = new KiloHttp({ connection: () => runtime.server.connection, directory: workspace });
      const choices = modelChoices(await http.providers());
      expect(choices[0]?.connected).toBe(true);
      expect(choices.filter((c) => c.providerID === 'scripted').map((c) => c.modelID)).toContain('architect-model');
    } finally {
      await runtime.dispose();
    }
  }, 120_000);
});
