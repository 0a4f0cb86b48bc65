import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Checkpoints, KEEP_CHECKPOINT_RUNS, type Checkpoint } from '../../../extension/engine/run/checkpoints';
import { checkpointRun, type CheckpointNotes } from '../../../extension/engine/run/runCheckpoints';
import type { RunEvents } from '../../../extension/engine/run/runTypes';
import { TypedEmitter } from '../../../extension/engine/util/typedEvents';
import { initialWorkflowState } from '../../../extension/engine/workflow/workflowMachine';
import type { Phase } from '../../../extension/engine/workflow/workflowTypes';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

function aRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-checkpoints-'));
  git(dir, 'init', '-q');
  fs.writeFileSync(path.join(dir, 'README.md'), 'readme\n');
  return dir;
}

/** A run reduced to what checkpointRun listens to, and notes that record what it reported. */
function aFakeRun() {
  const events = new TypedEmitter<RunEvents>();
  const transition = (from: Phase, to: Phase) => events.emit('workflow:transitioned', { from, to, atMs: 0 }, initialWorkflowState());
  const taken: Checkpoint[] = [];
  const failed: Array<{ label: string; noRepository: boolean }> = [];
  const notes: CheckpointNotes = { taken: (checkpoint) => taken.push(checkpoint), failed: (label, _error, noRepository) => failed.push({ label, noRepository }) };
  return { run: { events }, transition, taken, failed, notes };
}

describe('checkpointRun', () => {
  it('takes one before the run and one after each finished phase, none on the way into or out of PAUSED', async () => {
    const workspace = aRepo();
    const fake = aFakeRun();
    const checkpointing = await checkpointRun(fake.run, new Checkpoints({ workspace, runId: 'run-a' }), fake.notes);
    fake.transition('IDLE', 'PLANNING');
    fake.transition('PLANNING', 'PLAN_REVIEW');
    fake.transition('PLAN_REVIEW', 'PAUSED');
    fake.transition('PAUSED', 'PLAN_REVIEW');
    fake.transition('PLAN_REVIEW', 'COMPLETED');
    await checkpointing.settled();
    expect(fake.taken.map((checkpoint) => `${checkpoint.index} ${checkpoint.label}`)).toEqual(['1 before the run', '2 after writing the plan', '3 after reviewing the plan']);
    expect(fake.failed).toEqual([]);
    checkpointing.dispose();
    fake.transition('COMPLETED', 'IDLE');
    await checkpointing.settled();
    expect(fake.taken).toHaveLength(3);
  });

  it('a resumed run numbers on after the checkpoints it already has instead of overwriting them', async () => {
    const workspace = aRepo();
    const first = aFakeRun();
    await (await checkpointRun(first.run, new Checkpoints({ workspace, runId: 'run-b' }), first.notes)).settled();
    const again = aFakeRun();
    await checkpointRun(again.run, new Checkpoints({ workspace, runId: 'run-b' }), again.notes, 'before the resume');
    expect(again.taken.map((checkpoint) => `${checkpoint.index} ${checkpoint.label}`)).toEqual(['2 before the resume']);
    expect(git(workspace, '--git-dir', path.join(workspace, '.kilo-orchestra', 'checkpoints.git'), 'for-each-ref', '--format=%(refname) %(contents:subject)', 'refs/kilo-orchestra/run-b/').trim().split('\n')).toEqual([
      'refs/kilo-orchestra/run-b/1 Kilo Orchestra checkpoint: before the run',
      'refs/kilo-orchestra/run-b/2 Kilo Orchestra checkpoint: before the resume',
    ]);
  });

  it('where git cannot be run it reports once that there are no checkpoints and tries no more', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'run-checkpoints-nogit-'));
    const fake = aFakeRun();
    const checkpointing = await checkpointRun(fake.run, new Checkpoints({ workspace, runId: 'run-c', git: path.join(workspace, 'no-such-git') }), fake.notes);
    fake.transition('IDLE', 'PLANNING');
    fake.transition('PLANNING', 'PLAN_REVIEW');
    await checkpointing.settled();
    expect(fake.failed).toEqual([{ label: 'before the run', noRepository: true }]);
    expect(fake.taken).toEqual([]);
  });

  it('outside a git repository it takes its checkpoints all the same', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'run-checkpoints-nogit-'));
    fs.writeFileSync(path.join(workspace, 'README.md'), 'readme\n');
    const fake = aFakeRun();
    const checkpointing = await checkpointRun(fake.run, new Checkpoints({ workspace, runId: 'run-d' }), fake.notes);
    fake.transition('IDLE', 'PLANNING');
    fake.transition('PLANNING', 'COMPLETED');
    await checkpointing.settled();
    expect(fake.failed).toEqual([]);
    expect(fake.taken.map((checkpoint) => checkpoint.label)).toEqual(['before the run', 'after writing the plan']);
  });

  it('after its first checkpoint a run prunes the checkpoints of runs beyond the newest KEEP_CHECKPOINT_RUNS', async () => {
    const workspace = aRepo();
    const runIds = Array.from({ length: KEEP_CHECKPOINT_RUNS + 2 }, (_, n) => `run-${String(n).padStart(3, '0')}`);
    for (const runId of runIds) await new Checkpoints({ workspace, runId }).create('before the run');
    const fake = aFakeRun();
    const pruned: string[][] = [];
    const checkpointing = await checkpointRun(fake.run, new Checkpoints({ workspace, runId: 'run-999' }), { ...fake.notes, pruned: (ids) => pruned.push(ids) });
    await checkpointing.settled();
    // Newest by first checkpoint, then by id within one second: ids here grow with creation time.
    expect(pruned).toEqual([runIds.slice(0, 3)]);
    const kept = await new Checkpoints({ workspace, runId: 'x' }).runs();
    expect(kept).toEqual(['run-999', ...runIds.slice(3).reverse()]);
    expect(kept).toHaveLength(KEEP_CHECKPOINT_RUNS);
  });
});
