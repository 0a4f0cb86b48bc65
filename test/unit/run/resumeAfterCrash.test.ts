import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../../extension/engine/artifacts/artifactStore';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { OrchestrationRun } from '../../../extension/engine/run/orchestrationRun';
import { RunStateStore } from '../../../extension/engine/run/runStateStore';

const FILES = 6;
const TASK = 'Add overdue-loan tracking';

function options(workspace: string) {
  return { workspace, task: TASK, roles: resolveRoles(simulatedRolesConfig()), backend: new SimulatedBackend({ files: FILES }), onAttention: 'fail' as const, workflow: { retryBaseMs: 1 } };
}

/**
 * What a `kill -9` at this instant would leave on disk. Files are copied against the order the run
 * writes them (state and its journal, then index and its journal, then content, then the rest), so a write finishing during the
 * copy can only make the copy look like a later crash, never name content it lacks.
 */
function copyAsKilled(workspace: string, runDir: string): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'killed-'));
  const target = path.join(copy, path.relative(workspace, runDir));
  const first = ['state.json', 'state.journal.jsonl', 'events.jsonl', path.join('artifacts', 'artifacts.json'), path.join('artifacts', 'artifacts.journal.jsonl')];
  for (const name of first) {
    if (!fs.existsSync(path.join(runDir, name))) continue;
    fs.mkdirSync(path.dirname(path.join(target, name)), { recursive: true });
    fs.copyFileSync(path.join(runDir, name), path.join(target, name));
  }
  fs.cpSync(workspace, copy, { recursive: true, force: false });
  return copy;
}

const runDirOf = (workspace: string) => path.join(workspace, '.kilo-orchestra', 'runs', fs.readdirSync(path.join(workspace, '.kilo-orchestra', 'runs'))[0]!);
const approvedFiles = async (runDir: string) => (await RunStateStore.load(runDir)).workflow.files.filter((file) => file.stage === 'approved').map((file) => file.path).sort();

async function approvedArtifacts(runDir: string): Promise<Map<string, number>> {
  const store = await ArtifactStore.open(path.join(runDir, 'artifacts'));
  return new Map(store.list().filter((record) => record.metadata.approvalStatus === 'approved').map((record) => [record.id, record.metadata.version]));
}

const countByType = (artifacts: Array<{ type: string }>) => {
  const counts: Record<string, number> = {};
  for (const { type } of artifacts) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
};

/** Runs the task to the end, killing (copying) it after `killAt` accepted events; resolves with the copy. */
async function runAndKill(killAt: number): Promise<{ report: Awaited<ReturnType<OrchestrationRun['start']>>; killed: string | undefined; events: number }> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'uninterrupted-'));
  const run = await OrchestrationRun.create(options(workspace));
  let events = 0;
  let killed: string | undefined;
  run.events.on('workflow:changed', () => {
    events += 1;
    if (events === killAt) killed = copyAsKilled(workspace, run.runDir);
  });
  const report = await run.start();
  return { report, killed, events };
}

describe('resume after a crash at a random moment (simulated backend)', () => {
  it('ends COMPLETED with every artifact approved before the kill kept and the approved files of an uninterrupted run', async () => {
    const baseline = await runAndKill(0);
    expect(baseline.report.status).toBe('COMPLETED');
    const expectedFiles = await approvedFiles(baseline.report.runDir);
    expect(expectedFiles).toHaveLength(FILES);

    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: baseline.events - 1 }), async (killAt) => {
        const { report, killed } = await runAndKill(killAt);
        expect(report.status).toBe('COMPLETED');
        expect(killed).toBeDefined();
        const runDir = runDirOf(killed!);
        const before = await approvedArtifacts(runDir);

        const saved = await RunStateStore.load(runDir);
        const resumed = await OrchestrationRun.create({ ...options(killed!), restoreFrom: saved });
        const ended = await resumed.start();

        expect(ended.status).toBe('COMPLETED');
        expect(await approvedFiles(runDir)).toEqual(expectedFiles);
        const after = new Map((await ArtifactStore.open(path.join(runDir, 'artifacts'))).list().map((record) => [record.id, record.metadata.version]));
        for (const [id, version] of before) expect(after.get(id) ?? 0).toBeGreaterThanOrEqual(version);
        expect(ended.files).toEqual({ planned: FILES, approved: FILES });
        // Nothing finished is redone: one plan, one pseudocode and one code artifact per file, as uninterrupted
        // (reviews may differ: a fresh simulated Sceptic rejects the first plan it sees once more).
        expect(countByType(ended.artifacts)).toEqual(expect.objectContaining({ plan: 1, pseudocode: FILES, code: FILES }));
        fs.rmSync(killed!, { recursive: true, force: true });
      }),
      { numRuns: 6 },
    );
  }, 120_000);
});
