import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentBackend, SessionSpec } from '../../../extension/engine/backends/agentBackend';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { OrchestrationRun } from '../../../extension/engine/run/orchestrationRun';

/** A simulated backend whose first session opens only when the test says so. */
function aGatedBackend(): { backend: AgentBackend; opening: Promise<void>; open: () => void } {
  const inner = new SimulatedBackend({ files: 2 });
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let signalOpening!: () => void;
  const opening = new Promise<void>((resolve) => (signalOpening = resolve));
  let first = true;
  const backend: AgentBackend = {
    kind: 'simulated',
    async startSession(spec: SessionSpec) {
      if (first) {
        first = false;
        signalOpening();
        await gate;
      }
      return inner.startSession(spec);
    },
    dispose: () => inner.dispose(),
  };
  return { backend, opening, open };
}

describe('a pause while work is being prepared', () => {
  it('holds the work instead of sending it to a paused agent, and sends it on resume', async () => {
    const { backend, opening, open } = aGatedBackend();
    const run = await OrchestrationRun.create({
      workspace: fs.mkdtempSync(path.join(os.tmpdir(), 'pause-preparing-')),
      task: 'Add overdue-loan tracking',
      roles: resolveRoles(simulatedRolesConfig()),
      backend,
      onAttention: 'fail',
      workflow: { retryBaseMs: 1 },
    });
    const finished = run.start();
    await opening; // the Architect's plan is being dispatched, its session not open yet
    await run.pause();
    const held = new Promise<void>((resolve) => {
      const subscription = run.events.on('workflow:changed', (state) => {
        if (Object.keys(state.inFlight).length > 0) return;
        subscription.dispose();
        resolve();
      });
    });
    open();
    await held;
    expect(run.workflow.phase).toBe('PAUSED');
    expect(run.workflow.deferred.map((effect) => (effect.type === 'dispatch' ? effect.work.kind : effect.type))).toEqual(['plan']);
    await run.resume();
    expect((await finished).status).toBe('COMPLETED');
  });
});
