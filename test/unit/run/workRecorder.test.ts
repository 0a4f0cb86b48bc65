import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../../extension/engine/artifacts/artifactStore';
import type { AgentReply } from '../../../extension/engine/backends/agentBackend';
import { WorkRecorder, type RecordedFinding } from '../../../extension/engine/run/workRecorder';
import type { WorkItem } from '../../../extension/engine/workflow/workflowTypes';

function aWork(kind: WorkItem['kind'], fields: Partial<WorkItem> = {}): WorkItem {
  return { id: 'w1', kind, role: 'secondary-coder', instance: 1, grants: [], inputs: [], attempt: 1, ...fields };
}

function aReply(output: unknown, changedFiles: string[] = []): AgentReply {
  return { output, changedFiles, usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.001 } };
}

describe('WorkRecorder', () => {
  let workspace: string;
  let store: ArtifactStore;
  let findings: RecordedFinding[];
  let recorder: WorkRecorder;

  beforeEach(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'recorder-'));
    store = await ArtifactStore.open(path.join(workspace, '.kilo-orchestra', 'artifacts'));
    findings = [];
    recorder = new WorkRecorder({ store, workspace, onFinding: (f) => findings.push(f) });
  });

  it('records a plan and keeps only safe planned paths, reporting the hostile ones', async () => {
    const result = await recorder.record(
      aWork('plan', { role: 'architect' }),
      'architect-1',
      aReply({ summary: 'Two modules', content: '# Plan', files: [{ path: 'src/a.ts', purpose: 'a' }, { path: '../../etc/passwd' }, { path: '/root/.ssh/x' }] }),
    );
    expect(result.plannedFiles).toEqual([{ path: 'src/a.ts', purpose: 'a' }]);
    expect(findings.map((f) => f.kind)).toEqual(['unsafe-path', 'unsafe-path']);
    const plan = store.get(result.artifactIds[0]!)!;
    expect(plan.type).toBe('plan');
    expect(await store.loadContent(plan.id)).toContain('- src/a.ts');
  });

  it('rejects output that does not match the envelope as retryable invalid output', async () => {
    await expect(recorder.record(aWork('plan'), 'architect-1', aReply({ nonsense: true }))).rejects.toMatchObject({ reason: 'invalid-output', retryable: true });
    expect(store.count()).toBe(0);
  });

  it('rejects a review without a verdict', async () => {
    await expect(recorder.record(aWork('review-code', { file: 'src/a.ts' }), 'code-sceptic-1', aReply({ summary: 'Looks fine' }))).rejects.toMatchObject({ reason: 'invalid-output' });
  });

  it('stores the code the agent really wrote, read from the workspace', async () => {
    fs.mkdirSync(path.join(workspace, 'src'));
    fs.writeFileSync(path.join(workspace, 'src/a.ts'), 'export const a = 1;\n');
    const result = await recorder.record(aWork('implement', { file: 'src/a.ts', grants: ['src/a.ts'] }), 'secondary-coder-1', aReply({ summary: 'Implemented a' }, ['src/a.ts']));
    const code = store.get(result.fileArtifacts!['src/a.ts']!)!;
    expect(code.type).toBe('code');
    expect(await store.loadContent(code.id)).toBe('export const a = 1;\n');
    expect(findings).toEqual([]);
  });

  it('fails the work as retryable when the agent claims a file it never wrote', async () => {
    await expect(recorder.record(aWork('implement', { file: 'src/missing.ts', grants: ['src/missing.ts'] }), 'secondary-coder-1', aReply({ summary: 'done' }))).rejects.toMatchObject({
      reason: 'invalid-output',
      retryable: true,
    });
  });

  it('reports a change outside the grant as a finding and still records the work', async () => {
    fs.mkdirSync(path.join(workspace, 'src'));
    fs.writeFileSync(path.join(workspace, 'src/a.ts'), 'a');
    await recorder.record(aWork('implement', { file: 'src/a.ts', grants: ['src/a.ts'] }), 'secondary-coder-1', aReply({ summary: 'done' }, ['src/a.ts', 'package.json']));
    expect(findings).toEqual([expect.objectContaining({ kind: 'grant-violation', agentId: 'secondary-coder-1', message: expect.stringContaining('package.json') })]);
  });

  it('reports each write the backend refused as a grant finding', async () => {
    fs.mkdirSync(path.join(workspace, 'src'));
    fs.writeFileSync(path.join(workspace, 'src/a.ts'), 'a');
    const reply = { ...aReply({ summary: 'done' }, ['src/a.ts']), deniedWrites: ['src/b.ts'] };
    await recorder.record(aWork('implement', { file: 'src/a.ts', grants: ['src/a.ts'] }), 'secondary-coder-1', reply);
    expect(findings).toEqual([expect.objectContaining({ kind: 'grant-violation', message: expect.stringContaining('tried to write src/b.ts') })]);
  });

  it('a fix revises the existing code artifact instead of adding a new one', async () => {
    fs.mkdirSync(path.join(workspace, 'src'));
    fs.writeFileSync(path.join(workspace, 'src/a.ts'), 'v1');
    const first = await recorder.record(aWork('implement', { file: 'src/a.ts', grants: ['src/a.ts'] }), 'secondary-coder-1', aReply({ summary: 'v1' }));
    const codeId = first.artifactIds[0]!;
    fs.writeFileSync(path.join(workspace, 'src/a.ts'), 'v2');
    const fixed = await recorder.record(aWork('fix', { id: 'w2', file: 'src/a.ts', grants: ['src/a.ts'], inputs: [codeId] }), 'secondary-coder-1', aReply({ summary: 'guarded input' }));
    expect(fixed.artifactIds).toEqual([codeId]);
    expect(store.get(codeId)!.metadata.version).toBe(2);
    expect(await store.loadContent(codeId, 1)).toBe('v1');
    expect(await store.loadContent(codeId)).toBe('v2');
  });

  it('normalises test failures and drops file names that leave the workspace', async () => {
    const result = await recorder.record(
      aWork('test', { role: 'debugger' }),
      'debugger-1',
      aReply({ summary: '1 failed', tests: { passed: 3, failed: 2, failures: [{ file: './src/a.ts', test: 't', message: 'boom' }, { file: '../x', message: 'bad' }] } }),
    );
    expect(result.testFailures).toEqual([
      { file: 'src/a.ts', test: 't', message: 'boom' },
      { file: undefined, test: '', message: 'bad' },
    ]);
    expect(store.get(result.artifactIds[0]!)!.type).toBe('test-report');
  });
});
