import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReplayBackend } from '../../../extension/engine/backends/replayBackend';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import type { AgentBackend } from '../../../extension/engine/backends/agentBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { OrchestrationRun, type OrchestrationRunOptions } from '../../../extension/engine/run/orchestrationRun';
import { compareRuns } from '../../../extension/engine/run/replayCompare';
import { REPLIES_FILE, readRecording } from '../../../extension/engine/run/replayRecorder';
import { replaySettings } from '../../../extension/engine/run/replaySettings';
import { RunStateStore } from '../../../extension/engine/run/runStateStore';

const TASK = 'Add overdue-loan tracking';

/**
 * A simulated turn that takes a scrambled number of event-loop turns (no clock): four agents at
 * once then finish in an order no one planned, the way real turns land.
 */
function scrambledTurns(): (ms: number, signal: AbortSignal) => Promise<void> {
  let call = 0;
  return async () => {
    const turns = (call++ * 7) % 5;
    for (let n = 0; n < turns; n++) await new Promise<void>((resolve) => setImmediate(resolve));
  };
}

function aRun(workspace: string, backend: AgentBackend, runId: string, options: Partial<OrchestrationRunOptions>) {
  return OrchestrationRun.create({ workspace, task: TASK, roles: resolveRoles(simulatedRolesConfig()), backend, maxActive: 4, onAttention: 'fail', runId, ...options });
}

describe('replay reproduces the recorded order', () => {
  it('ten replays of one concurrent run, retries and review rounds included, all have its states, artifacts and decisions', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-exact-'));
    const simulated = new SimulatedBackend({
      files: 8,
      testFailures: 1,
      rejectEveryNthFile: 2,
      latencyMs: 1,
      sleep: scrambledTurns(),
      failures: [{ role: 'secondary-coder', kind: 'implement', times: 2, error: 'backend-failed' }],
    });
    // The retries go again at once, so no timer decides where they join an agent's queue.
    const original = await (await aRun(workspace, simulated, 'run-original', { workflow: { retryBaseMs: 0 } })).start();
    expect(original.status).toBe('COMPLETED');
    const snapshot = await RunStateStore.load(original.runDir);
    const recording = await readRecording(path.join(original.runDir, REPLIES_FILE));
    expect(recording.some((entry) => entry.error !== undefined)).toBe(true);
    // What each answer was, in the order the answers landed (ids aside: they follow that order).
    const landed = (entries: typeof recording) => entries.map((entry) => `${entry.role} ${entry.kind} ${entry.subject}${entry.error ? ' failed' : ''}`);

    for (let n = 1; n <= 10; n++) {
      const backend = new ReplayBackend(recording);
      const replay = await (await aRun(workspace, backend, `run-original-replay-${n}`, replaySettings(snapshot))).start();
      expect({ replay: n, states: replay.states }).toEqual({ replay: n, states: original.states });
      expect(await compareRuns(original, replay)).toEqual([]);
      expect(backend.outOfOrder()).toEqual([]);
      expect(backend.unused()).toBe(0);
      // The replay records itself: its answers landed in the run's order.
      expect(landed(await readRecording(path.join(replay.runDir, REPLIES_FILE)))).toEqual(landed(recording));
    }
  }, 240_000);
});
