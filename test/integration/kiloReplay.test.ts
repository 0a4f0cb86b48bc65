import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startKiloRuntime } from '../../extension/cli/kiloRuntime';
import { ReplayBackend } from '../../extension/engine/backends/replayBackend';
import { OrchestrationRun } from '../../extension/engine/run/orchestrationRun';
import { compareRuns } from '../../extension/engine/run/replayCompare';
import { REPLIES_FILE, readRecording } from '../../extension/engine/run/replayRecorder';
import { replaySettings } from '../../extension/engine/run/replaySettings';
import { RunStateStore } from '../../extension/engine/run/runStateStore';
import { SAMPLE_TASK, aSampleWorkspace, chatRequests, kiloArgs } from './kiloRunHarness';

// A run on real `kilo serve` (scripted model, two coders at once), replayed from its recording.
describe('replay of a recorded real-Kilo run', () => {
  it('reproduces its status, states, artifacts and decisions with no request to the model', async () => {
    const workspace = aSampleWorkspace('kilo-replay-');
    const runtime = await startKiloRuntime(kiloArgs(workspace), () => undefined);
    const scripted = runtime.scripted!;
    try {
      const original = await (await OrchestrationRun.create({ workspace, task: SAMPLE_TASK, roles: runtime.roles, backend: runtime.backend, maxActive: 4, onAttention: 'fail' })).start();
      expect(original.status).toBe('COMPLETED');
      const asked = chatRequests(scripted).length;
      expect(asked).toBeGreaterThan(0);
      const recording = await readRecording(path.join(original.runDir, REPLIES_FILE));
      expect(recording.length).toBeGreaterThan(0);

      // The model server stays up, so a request that reached it would be counted.
      const backend = new ReplayBackend(recording);
      const snapshot = await RunStateStore.load(original.runDir);
      const replay = await (await OrchestrationRun.create({ workspace, task: SAMPLE_TASK, roles: runtime.roles, backend, runId: `${original.runId}-replay-1`, ...replaySettings(snapshot) })).start();

      expect(chatRequests(scripted).length).toBe(asked);
      expect(replay.status).toBe('COMPLETED');
      expect(replay.states).toEqual(original.states);
      expect(await compareRuns(original, replay)).toEqual([]);
      expect(backend.outOfOrder()).toEqual([]);
      expect(backend.unused()).toBe(0);
    } finally {
      await runtime.dispose();
    }
  }, 600_000);
});
