import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../../extension/engine/artifacts/artifactStore';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { OrchestrationRun } from '../../../extension/engine/run/orchestrationRun';
import { RunStateStore } from '../../../extension/engine/run/runStateStore';

const FILES = 5;

function options(workspace: string) {
  return { workspace, task: 'Add overdue-loan tracking', roles: resolveRoles(simulatedRolesConfig()), backend: new SimulatedBackend({ files: FILES }), onAttention: 'fail' as const, workflow: { retryBaseMs: 1 } };
}

/**
 * Rewrites a stopped run's folder as the version before the journals wrote it: state.json with
 * format version 1 and no journal, artifacts.json with format 1 holding every record, no journals.
 */
async function asPreviousVersionWroteIt(runDir: string): Promise<void> {
  const store = await ArtifactStore.open(path.join(runDir, 'artifacts'));
  await store.compact();
  const indexFile = path.join(runDir, 'artifacts', 'artifacts.json');
  const { journalSeq: _index, ...index } = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(indexFile, JSON.stringify({ ...index, format: 1 }));
  fs.rmSync(path.join(runDir, 'artifacts', 'artifacts.journal.jsonl'), { force: true });
  const stateFile = path.join(runDir, 'state.json');
  const { journalSeq: _state, ...state } = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(stateFile, `${JSON.stringify({ ...state, formatVersion: 1 }, null, 1)}\n`);
  fs.rmSync(path.join(runDir, 'state.journal.jsonl'), { force: true });
}

describe('a run paused by the previous version', () => {
  it('resumes from its version-1 state.json and format-1 index and ends COMPLETED with nothing redone', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'old-format-'));
    const first = await OrchestrationRun.create(options(workspace));
    let codes = 0;
    first.events.on('artifact:recorded', (record) => {
      if (record.type === 'code' && ++codes === 2) void first.interrupt('SIGTERM');
    });
    const paused = await first.start();
    expect(paused.status).toBe('PAUSED');
    await asPreviousVersionWroteIt(first.runDir);

    const saved = await RunStateStore.load(first.runDir);
    expect(saved.formatVersion).toBe(1);
    expect(saved.workflow.phase).toBe('PAUSED');
    const kept = (await ArtifactStore.open(path.join(first.runDir, 'artifacts'))).list().filter((record) => record.type === 'code');
    expect(kept.length).toBeGreaterThanOrEqual(2);

    const resumed = await OrchestrationRun.create({ ...options(workspace), restoreFrom: saved });
    const report = await resumed.start();
    expect(report.status).toBe('COMPLETED');
    expect(report.files).toEqual({ planned: FILES, approved: FILES });
    const code = report.artifacts.filter((artifact) => artifact.type === 'code');
    expect(code).toHaveLength(FILES);
    for (const record of kept) expect(code.map((artifact) => artifact.id)).toContain(record.id);
    // The resumed process writes the new format from then on.
    expect((await RunStateStore.load(first.runDir)).formatVersion).toBe(2);
  });
});
