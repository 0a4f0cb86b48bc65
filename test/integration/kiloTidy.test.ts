import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startKiloRuntime } from '../../extension/cli/kiloRuntime';
import { Checkpoints } from '../../extension/engine/run/checkpoints';
import { OrchestrationRun } from '../../extension/engine/run/orchestrationRun';
import { checkpointRun } from '../../extension/engine/run/runCheckpoints';
import { KiloHttp } from '../../extension/kilo/kiloHttp';
import { agentDisplayName } from '../../extension/protocol/vocabulary';
import { aSampleWorkspace, kiloArgs } from './kiloRunHarness';

// A finished run leaves the user's Kilo and git tidy, on real `kilo serve` and the scripted model:
// its sessions are titled with the run and role and archived, and git shows only the agents' files.

const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' });

interface ListedSession {
  id: string;
  title: string;
  metadata?: { kiloOrchestra?: { runId?: string; agentId?: string } };
  time: { archived?: number };
}

describe('a finished run on real kilo serve leaves Kilo and git tidy', () => {
  it("titles every session 'Orchestra <run> · <Role>' and archives it at the end; git status and git log --all show no trace of the run", async () => {
    const workspace = aSampleWorkspace('kilo-tidy-');
    const runtime = await startKiloRuntime(kiloArgs(workspace), () => undefined);
    try {
      const run = await OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles: runtime.roles, backend: runtime.backend, maxActive: 4, onAttention: 'fail' });
      const checkpointing = await checkpointRun(run, new Checkpoints({ workspace, runId: run.runId }), { taken: () => undefined, failed: (label, error) => expect.fail(`checkpoint ${label}: ${String(error)}`) });
      const report = await run.start();
      await checkpointing.settled();
      expect(report.status).toBe('COMPLETED');

      // The server still runs: its own list of the workspace's sessions.
      const http = new KiloHttp({ connection: () => runtime.server.connection, directory: workspace });
      const sessions = (await http.listSessions('')) as ListedSession[];
      const agents = report.agents.map((agent) => agent.id);
      expect(sessions.length).toBeGreaterThanOrEqual(agents.length);
      for (const session of sessions) {
        const agentId = session.metadata?.kiloOrchestra?.agentId ?? '';
        expect(session.metadata?.kiloOrchestra?.runId).toBe(run.runId);
        expect(agents).toContain(agentId);
        const role = report.agents.find((agent) => agent.id === agentId)!.role;
        const instance = Number(/-(\d+)$/.exec(agentId)![1]);
        // The agent's one display name, as every other surface shows it.
        expect(session.title).toBe(`Orchestra ${run.runId} · ${agentDisplayName(role, instance, runtime.roles.roles)}`);
        expect(session.time.archived).toBeGreaterThan(0);
      }
      expect(new Set(sessions.map((s) => s.title))).toContain(`Orchestra ${run.runId} · Coder 2`);

      // git: the run's folder is not in status, and no checkpoint is in the history views' refs.
      const status = git(workspace, 'status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean);
      expect(status.length).toBeGreaterThan(0);
      expect(status.filter((line) => line.includes('.kilo-orchestra'))).toEqual([]);
      expect(git(workspace, 'log', '--all', '--oneline').trim().split('\n')).toEqual([expect.stringMatching(/^\w+ sample$/)]);
      expect((await new Checkpoints({ workspace, runId: run.runId }).load()).length).toBeGreaterThanOrEqual(2);
    } finally {
      await runtime.dispose();
    }
  }, 420_000);
});
