import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { OrchestrationRun } from '../../../extension/engine/run/orchestrationRun';
import { whenPhase } from '../support/runEvents';

/**
 * A run on the simulated backend whose coders hold their first turn until `release` is called, so
 * the chat speaks to a run that is surely still implementing, whatever the machine's speed.
 */
async function aRun(workspace: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const sleep = async (_ms: number, signal: AbortSignal, agentId: string) => {
    if (agentId.startsWith('secondary-coder')) await Promise.race([released, new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
  };
  const run = await OrchestrationRun.create({
    workspace,
    task: 'Add overdue-loan tracking',
    roles: resolveRoles(simulatedRolesConfig()),
    backend: new SimulatedBackend({ files: 3, latencyMs: 1, sleep }),
    onAttention: 'fail',
  });
  return { run, release };
}

describe('the Organiser chat acts on a running run', () => {
  it('"Also add src/report.js …" during implementation is proposed, applied, and ends implemented and approved', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-acts-'));
    const { run, release } = await aRun(workspace);
    const coding = whenPhase(run, 'CODE_IMPLEMENTATION');
    const done = run.start();
    await coding;

    const outcome = await run.chat('Also add src/report.js that lists overdue loans by member');
    expect(outcome.applied).toEqual([]);
    expect(outcome.proposals.map((proposal) => proposal.said)).toEqual(['add src/report.js to the plan (lists overdue loans by member)']);
    expect(await run.applyProposal(outcome.proposals[0]!.id)).toMatchObject({ applied: true });
    release();

    const report = await done;
    expect(report.status).toBe('COMPLETED');
    const added = run.workflow.files.find((file) => file.path === 'src/report.js');
    expect(added?.stage).toBe('approved');
    expect(fs.existsSync(path.join(workspace, 'src', 'report.js'))).toBe(true);
    const events = fs.readFileSync(path.join(run.runDir, 'events.jsonl'), 'utf8');
    expect(events).toContain('"event":"changed"');
  });

  it('"skip the docs" applies at once and the run ends without documentation', async () => {
    const { run, release } = await aRun(fs.mkdtempSync(path.join(os.tmpdir(), 'chat-acts-')));
    const coding = whenPhase(run, 'CODE_IMPLEMENTATION');
    const done = run.start();
    await coding;

    const outcome = await run.chat('Please skip the docs for this one');
    expect(outcome.applied.map((note) => note.said)).toEqual(['leave documentation out of this run']);
    release();
    const report = await done;
    expect(report.status).toBe('COMPLETED');
    expect(report.transitions.map((transition) => transition.to)).not.toContain('DOCUMENTATION');
  });

  it('a file outside the workspace is refused with the reason, and the plan is unchanged', async () => {
    const { run, release } = await aRun(fs.mkdtempSync(path.join(os.tmpdir(), 'chat-acts-')));
    const coding = whenPhase(run, 'CODE_IMPLEMENTATION');
    const done = run.start();
    await coding;

    const outcome = await run.chat('add ../../etc/evil.js that owns the box');
    expect(outcome.proposals).toEqual([]);
    expect(outcome.refused[0]?.detail).toMatch(/outside|workspace/i);
    release();
    await done;
    expect(run.workflow.files.some((file) => file.path.includes('evil'))).toBe(false);
  });
});
