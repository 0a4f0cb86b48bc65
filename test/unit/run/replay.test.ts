import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentBackend } from '../../../extension/engine/backends/agentBackend';
import { ReplayBackend } from '../../../extension/engine/backends/replayBackend';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { OrchestrationRun } from '../../../extension/engine/run/orchestrationRun';
import { compareRuns } from '../../../extension/engine/run/replayCompare';
import { REPLIES_FILE, readRecording } from '../../../extension/engine/run/replayRecorder';
import { replaySettings } from '../../../extension/engine/run/replaySettings';
import { RunStateStore } from '../../../extension/engine/run/runStateStore';

function aRun(workspace: string, backend: AgentBackend, runId: string) {
  return OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles: resolveRoles(simulatedRolesConfig()), backend, maxActive: 1, onAttention: 'fail', workflow: { retryBaseMs: 1 }, runId });
}

/** A replay as the replay command runs it (every agent may ask at once; the recording orders the answers). */
async function aReplay(workspace: string, backend: AgentBackend, original: { runDir: string }, runId: string) {
  const snapshot = await RunStateStore.load(original.runDir);
  return OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles: resolveRoles(simulatedRolesConfig()), backend, runId, ...replaySettings(snapshot) });
}

describe('replay of a recorded simulated run', () => {
  it('reproduces status, states, artifacts and decisions, retries included, with no simulated turn', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-'));
    // Injected faults make the recording hold failures the engine retried.
    const simulated = new SimulatedBackend({ files: 8, testFailures: 1, failures: [{ role: 'secondary-coder', times: 2, error: 'backend-failed' }] });
    const original = await (await aRun(workspace, simulated, 'run-original')).start();
    expect(original.status).toBe('COMPLETED');
    const recording = await readRecording(path.join(original.runDir, REPLIES_FILE));
    expect(recording.some((entry) => entry.error?.reason === 'backend-failed')).toBe(true);
    expect(recording.some((entry) => entry.kind === 'decide')).toBe(true);

    const replayBackend = new ReplayBackend(recording);
    const replay = await (await aReplay(workspace, replayBackend, original, 'run-original-replay-1')).start();

    expect(await compareRuns(original, replay)).toEqual([]);
    expect(replay.states).toEqual(original.states);
    const digest = (report: typeof original) => report.artifacts.map(({ type, version, status, summary }) => `${type} v${version} ${status} ${summary}`).sort();
    expect(digest(replay)).toEqual(digest(original));
    expect(replayBackend.unused()).toBe(0);
    expect(replayBackend.outOfOrder()).toEqual([]);
    // The replay recorded itself, the same replies again.
    expect((await readRecording(path.join(replay.runDir, REPLIES_FILE))).length).toBe(recording.length);
  }, 120_000);

  it('a request the recording does not have fails the run with replay-diverged', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-'));
    const original = await (await aRun(workspace, new SimulatedBackend({ files: 3 }), 'run-short')).start();
    const recording = (await readRecording(path.join(original.runDir, REPLIES_FILE))).filter((entry) => entry.kind !== 'review-code');
    const replay = await (await aReplay(workspace, new ReplayBackend(recording), original, 'run-short-replay-1')).start();
    expect(replay.status).not.toBe('COMPLETED');
    const differences = await compareRuns(original, replay);
    expect(differences[0]).toMatch(/^status: COMPLETED then/);
    expect(fs.readFileSync(path.join(replay.runDir, 'events.jsonl'), 'utf8')).toMatch(/replay-diverged: code-sceptic-1 was asked for \S+ which the recording does not have/);
  }, 120_000);

  it('reads a recording whose last line a killed process cut off, and refuses a bad line before the end', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-'));
    const file = path.join(dir, REPLIES_FILE);
    const line = JSON.stringify({ workId: 'w1', agentId: 'architect-1', kind: 'plan', role: 'architect', subject: '', attempt: 1, error: { reason: 'rate-limited', message: '429', retryable: true } });
    fs.writeFileSync(file, `${line}\n{"workId":"w2","age`);
    expect((await readRecording(file)).map((entry) => entry.workId)).toEqual(['w1']);
    fs.writeFileSync(file, `{"nonsense":true}\n${line}\n`);
    await expect(readRecording(file)).rejects.toThrow(`${file}:1 is not a recorded reply.`);
  });
});
