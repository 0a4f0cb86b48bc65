import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../../extension/engine/artifacts/artifactStore';
import type { AgentReply } from '../../../extension/engine/backends/agentBackend';
import { WorkRecorder, type RecordedFinding } from '../../../extension/engine/run/workRecorder';
import type { WorkItem } from '../../../extension/engine/workflow/workflowTypes';

// The recorder checks where paths lead on disk: symlinks out of the workspace, control files, wildcards.

function aWork(kind: WorkItem['kind'], fields: Partial<WorkItem> = {}): WorkItem {
  return { id: 'w1', kind, role: 'secondary-coder', instance: 1, grants: [], inputs: [], attempt: 1, ...fields };
}

function aReply(output: unknown, changedFiles: string[] = []): AgentReply {
  return { output, changedFiles, usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.001 } };
}

describe('WorkRecorder and the file system', () => {
  let workspace: string;
  let outsideFile: string;
  let outsideDir: string;
  let store: ArtifactStore;
  let findings: RecordedFinding[];
  let recorder: WorkRecorder;

  beforeEach(async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'recorder-links-'));
    workspace = path.join(parent, 'workspace');
    outsideDir = path.join(parent, 'outside');
    fs.mkdirSync(path.join(workspace, 'src'), { recursive: true });
    fs.mkdirSync(outsideDir);
    outsideFile = path.join(outsideDir, 'secret.txt');
    fs.writeFileSync(outsideFile, 'TOP SECRET outside content\n');
    store = await ArtifactStore.open(path.join(workspace, '.kilo-orchestra', 'artifacts'));
    findings = [];
    recorder = new WorkRecorder({ store, workspace, onFinding: (f) => findings.push(f) });
  });

  it('never reads a file through a link out of the workspace into an artifact, and names the link', async () => {
    fs.symlinkSync(outsideFile, path.join(workspace, 'src', 'fines.js'));
    const result = await recorder.record(aWork('implement', { file: 'src/fines.js', grants: ['src/fines.js'] }), 'secondary-coder-1', aReply({ summary: 'done' }, ['src/fines.js']));

    const content = await store.loadContent(result.fileArtifacts!['src/fines.js']!);
    expect(content).not.toContain('TOP SECRET');
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.kind === 'symlink')).toBe(true);
    expect(findings[0]!.message).toContain('src/fines.js is a symbolic link to');
  });

  it('reports a changed file whose folder links outside', async () => {
    fs.symlinkSync(outsideDir, path.join(workspace, 'lib'));
    await recorder.record(aWork('document', { role: 'documentation-writer', grants: ['lib/a.md'] }), 'documentation-writer-1', aReply({ summary: 'done' }, ['lib/a.md']));
    expect(findings).toEqual([expect.objectContaining({ kind: 'symlink', message: expect.stringContaining('lib is a symbolic link') })]);
  });

  it('leaves wildcards, links out and control files out of a plan, with a finding and a problem for the Architect each', async () => {
    fs.symlinkSync(outsideFile, path.join(workspace, 'src', 'fines.js'));
    fs.symlinkSync(outsideDir, path.join(workspace, 'vendor'));
    const files = ['src/a.ts', 'src/*', 'src/fines.js', 'vendor/x.js', 'kilo.json', '.kilo/agent/code.md', '../escape.ts'].map((p) => ({ path: p, purpose: p }));
    const result = await recorder.record(aWork('plan', { role: 'architect' }), 'architect-1', aReply({ summary: 'Plan', files }));

    expect(result.plannedFiles?.map((f) => f.path)).toEqual(['src/a.ts']);
    expect(result.planProblems).toHaveLength(6);
    expect(result.planProblems?.[0]).toContain('"src/*"');
    expect(findings.map((f) => f.kind)).toEqual(['plan-problem', 'symlink', 'symlink', 'control-file', 'control-file', 'unsafe-path']);
    expect(await store.loadContent(result.artifactIds[0]!)).not.toContain('src/fines.js');
  });

  it('keeps a control file the user allowed by name', async () => {
    const allowing = new WorkRecorder({ store, workspace, onFinding: (f) => findings.push(f), allowControlFiles: ['kilo.json'] });
    const result = await allowing.record(aWork('plan', { role: 'architect' }), 'architect-1', aReply({ summary: 'Plan', files: [{ path: 'kilo.json' }] }));
    expect(result.plannedFiles?.map((f) => f.path)).toEqual(['kilo.json']);
    expect(findings).toEqual([]);
  });

  it('reports a plan with no usable file as a plan problem', async () => {
    const result = await recorder.record(aWork('plan', { role: 'architect' }), 'architect-1', aReply({ summary: 'Nothing to do', files: [] }));
    expect(result.plannedFiles).toEqual([]);
    expect(findings).toEqual([expect.objectContaining({ kind: 'plan-problem', message: expect.stringContaining('lists no file') })]);
  });

  it('takes out a grant that became a link since planning, and records the refused file without a turn', async () => {
    fs.symlinkSync(outsideFile, path.join(workspace, 'src', 'fines.js'));
    const work = aWork('implement', { file: 'src/fines.js', grants: ['src/fines.js'] });
    expect(await recorder.grantable(work, 'secondary-coder-1')).toEqual([]);
    const result = await recorder.recordRefused(work, 'secondary-coder-1', ['src/fines.js']);

    const content = await store.loadContent(result.fileArtifacts!['src/fines.js']!);
    expect(content).toMatch(/^\(not written: src\/fines\.js is a symbolic link/);
    expect(findings).toEqual([expect.objectContaining({ kind: 'symlink', message: expect.stringContaining('was not granted src/fines.js') })]);
    expect(fs.readFileSync(outsideFile, 'utf8')).toBe('TOP SECRET outside content\n');
  });
});
