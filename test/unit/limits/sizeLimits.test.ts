import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../../extension/engine/artifacts/artifactStore';
import { AgentOutputSchema, capAgentOutput } from '../../../extension/engine/backends/agentOutput';
import { WorkRecorder, type RecordedFinding } from '../../../extension/engine/run/workRecorder';
import { workPrompt } from '../../../extension/engine/run/workPrompts';
import { renderPrompt } from '../../../extension/engine/run/promptInputs';
import { countTokens } from '../../../extension/engine/tokens/tokenCounter';
import { LIMITS, capText, checkTaskSize } from '../../../extension/engine/util/limits';
import { isOrchestraError } from '../../../extension/engine/util/errors';
import { failuresNote, findingsNote } from '../../../extension/engine/workflow/workNotes';
import type { WorkItem } from '../../../extension/engine/workflow/workflowTypes';

const huge = (chars: number, unit = 'x') => unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);

describe('capText', () => {
  it('returns text within the limit unchanged and cuts longer text with a marker saying how much', () => {
    expect(capText('short', 10)).toBe('short');
    const cut = capText(huge(1_000), 200);
    expect(cut.length).toBeLessThanOrEqual(200);
    expect(cut).toMatch(/\[… cut: 8\d\d of 1,000 characters left out\]$/);
  });

  it('cuts a one-line field with an ellipsis and never splits a surrogate pair', () => {
    const cut = capText('😀'.repeat(100), 11, true);
    expect(cut.length).toBeLessThanOrEqual(11);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).not.toMatch(/[\uD800-\uDBFF]…$/);
  });
});

describe('checkTaskSize', () => {
  it('accepts a task at the limit and refuses a longer one with one line naming the limit', () => {
    expect(checkTaskSize(huge(LIMITS.taskChars))).toHaveLength(LIMITS.taskChars);
    let error: unknown;
    try {
      checkTaskSize(huge(150_000));
    } catch (caught) {
      error = caught;
    }
    expect(isOrchestraError(error, 'invalid-input')).toBe(true);
    expect((error as Error).message).toContain('150,000 characters, over the limit of 100,000');
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('capAgentOutput', () => {
  it('leaves an output within the limits as it is, with no cuts', () => {
    const output = AgentOutputSchema.parse({ summary: 'ok', content: 'body', files: [{ path: 'src/a.ts', purpose: 'a' }], findings: [{ severity: 'minor', message: 'm' }] });
    expect(capAgentOutput(output)).toEqual({ output, cuts: [] });
  });

  it('cuts every oversized field and list and says what it cut', () => {
    const output = AgentOutputSchema.parse({
      summary: huge(200_000, 'summary '),
      content: huge(300_000),
      files: Array.from({ length: 700 }, (_, i) => ({ path: `src/f${i}.ts`, purpose: huge(5_000) })),
      findings: Array.from({ length: 300 }, () => ({ severity: 'major', message: huge(10_000) })),
      tests: { passed: 1, failed: 400, failures: Array.from({ length: 400 }, () => ({ test: huge(5_000), message: huge(10_000) })) },
      spawnRequests: Array.from({ length: 50 }, () => ({ role: 'debugger', reason: huge(5_000) })),
    });
    const { output: capped, cuts } = capAgentOutput(output);
    expect(capped.summary.length).toBeLessThanOrEqual(LIMITS.summaryChars);
    expect(capped.content.length).toBeLessThanOrEqual(LIMITS.contentChars);
    expect(capped.content).toContain('characters left out]');
    expect(capped.files).toHaveLength(LIMITS.plannedFiles);
    expect(capped.files.every((f) => f.purpose.length <= LIMITS.purposeChars)).toBe(true);
    expect(capped.findings).toHaveLength(LIMITS.findings);
    expect(capped.findings.every((f) => f.message.length <= LIMITS.findingChars)).toBe(true);
    expect(capped.tests!.failures).toHaveLength(LIMITS.testFailures);
    expect(capped.tests!.failures.every((f) => f.message.length <= LIMITS.failureChars && f.test.length <= LIMITS.failureChars)).toBe(true);
    expect(capped.spawnRequests).toHaveLength(LIMITS.spawnRequests);
    expect(cuts.join('; ')).toContain('700 files, only the first 500 kept');
    expect(cuts.join('; ')).toContain('the summary of 200,000 characters cut to 2,000');
  });

  it('leaves a path too long to be real out of the plan', () => {
    const output = AgentOutputSchema.parse({ summary: 's', files: [{ path: `src/${huge(5_000)}.ts` }, { path: 'src/a.ts' }] });
    expect(capAgentOutput(output).output.files.map((f) => f.path)).toEqual(['src/a.ts']);
  });
});

describe('an oversized answer does not grow the prompts that quote it', () => {
  function aWork(kind: WorkItem['kind'], fields: Partial<WorkItem> = {}): WorkItem {
    return { id: 'w1', kind, role: 'code-sceptic', instance: 1, grants: [], inputs: [], attempt: 1, ...fields };
  }

  it('stores a 200 KB review summary cut, reports the cut, and the fix prompt built from it stays small', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'limits-'));
    const store = await ArtifactStore.open(path.join(workspace, '.kilo-orchestra', 'artifacts'));
    const findings: RecordedFinding[] = [];
    const recorder = new WorkRecorder({ store, workspace, onFinding: (f) => findings.push(f) });
    const output = { summary: huge(200_000, 'bad code '), approved: false, findings: Array.from({ length: 150 }, () => ({ severity: 'major', message: huge(50_000, 'fix it ') })) };

    const result = await recorder.record(aWork('review-code', { file: 'src/a.ts' }), 'code-sceptic-1', { output, changedFiles: [], usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } });

    expect(findings.map((f) => f.kind)).toEqual(['oversized-output']);
    expect(findings[0]!.message).not.toContain('\n');
    const review = store.get(result.artifactIds[0]!)!;
    const content = await store.loadContent(review.id);
    expect(countTokens(review.summary)).toBeLessThanOrEqual(50);
    const note = findingsNote(result.findings);
    expect(note.length).toBeLessThanOrEqual(LIMITS.noteChars);
    const prompt = renderPrompt(workPrompt('task', aWork('fix', { role: 'secondary-coder', file: 'src/a.ts', grants: ['src/a.ts'], note })), [
      { id: review.id, type: 'review', summary: review.summary, files: ['src/a.ts'], content },
    ]);
    // Was 450 KB: the whole summary twice over, plus every finding in full.
    expect(prompt.length).toBeLessThan(LIMITS.noteChars + LIMITS.promptInputChars + 2_000);
  });

  it('caps a failures note however many failures arrive', () => {
    const note = failuresNote(Array.from({ length: 5_000 }, (_, i) => ({ test: `t${i}`, message: huge(3_000) })));
    expect(note.length).toBeLessThanOrEqual(LIMITS.noteChars);
    expect(note).toContain('characters left out]');
  });
});

describe('capSummary on hostile summaries', () => {
  it('cuts a 200 KB summary, of prose or of one character, to the token cap with an ellipsis', async () => {
    const { capSummary } = await import('../../../extension/engine/artifacts/summarise');
    for (const text of [huge(200_000, 'the summary goes on '), 'a'.repeat(200_000), ' '.repeat(100_000) + 'x'.repeat(100_000)]) {
      const capped = capSummary(text);
      expect(capped.tokens).toBeLessThanOrEqual(50);
      expect(capped.tokens).toBe(countTokens(capped.summary));
      expect(capped.summary.endsWith('…')).toBe(true);
    }
  });
});

describe('the run refuses an oversized task whatever the front end', () => {
  it('OrchestrationRun.create throws invalid-input with one line before creating anything', async () => {
    const { OrchestrationRun } = await import('../../../extension/engine/run/orchestrationRun');
    const { SimulatedBackend } = await import('../../../extension/engine/backends/simulatedBackend');
    const { resolveRoles } = await import('../../../extension/engine/roles/roleValidation');
    const { simulatedRolesConfig } = await import('../../../extension/engine/roles/rolesConfigFile');
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'limits-run-'));
    const started = OrchestrationRun.create({ workspace, task: huge(150_000), roles: resolveRoles(simulatedRolesConfig()), backend: new SimulatedBackend(), onAttention: 'fail' });
    await expect(started).rejects.toMatchObject({ reason: 'invalid-input', message: expect.stringMatching(/^The task is 150,000 characters, over the limit of 100,000;[^\n]*$/) });
    expect(fs.existsSync(path.join(workspace, '.kilo-orchestra'))).toBe(false);
  });
});
