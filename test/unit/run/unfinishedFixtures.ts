import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunStateStore, type RunSnapshot } from '../../../extension/engine/run/runStateStore';
import { playRun } from '../workflow/workflowFixtures';

// Run folders as runs leave them when they stop: shared by the finder, discard and dashboard tests.

type Saved = Omit<RunSnapshot, 'formatVersion'>;

/** Snapshots of one run at the moment it stopped, built by driving the pure machine. */
export class SnapshotBuilder {
  private snapshot: Saved;

  constructor(runId: string, savedAt: string) {
    const driver = playRun({ until: (d) => d.inFlight('implement').length > 0 });
    this.snapshot = {
      runId,
      task: 'Add overdue-loan tracking\nwith a second line',
      workspace: '/ws',
      backend: 'simulated',
      startedAt: '2026-01-01T00:00:00.000Z',
      savedAt,
      workflow: driver.state,
      agents: [],
      todo: [],
      grants: {},
      transitions: [{ from: 'IDLE', to: 'PLANNING', atMs: 0 }],
      findings: [],
      profiles: {},
      budgets: {},
      spent: { totalUsd: 0.25, byRole: {} },
    };
  }

  /** Paused by a person (or a budget) out of the coding phase. */
  paused(): this {
    const driver = playRun({ until: (d) => d.inFlight('implement').length > 0 });
    driver.send({ type: 'PAUSE', reason: 'Paused by the user.' });
    this.snapshot.workflow = driver.state;
    return this;
  }

  /** Stopped by a signal: paused through the machine and marked. */
  interrupted(signal = 'SIGTERM'): this {
    this.paused();
    this.snapshot.interrupted = { at: this.snapshot.savedAt, signal };
    return this;
  }

  finished(): this {
    this.snapshot.workflow = playRun().state;
    return this;
  }

  /** The task and the cost so far, for tests that show them. */
  about(task: string, spentUsd: number): this {
    this.snapshot.task = task;
    this.snapshot.spent = { totalUsd: spentUsd, byRole: {} };
    return this;
  }

  notStarted(): this {
    this.snapshot.workflow = { ...this.snapshot.workflow, phase: 'IDLE' };
    return this;
  }

  async writtenIn(workspace: string): Promise<string> {
    const runDir = path.join(workspace, '.kilo-orchestra', 'runs', this.snapshot.runId);
    await new RunStateStore(runDir).save(this.snapshot);
    return runDir;
  }
}

export const aRun = (runId: string, savedAt = '2026-01-01T00:00:10.000Z') => new SnapshotBuilder(runId, savedAt);
export const aWorkspace = () => fs.mkdtempSync(path.join(os.tmpdir(), 'unfinished-'));

/** A pid that belonged to a process which has exited (as a `kill -9`'d run leaves in its lock). */
export function aDeadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

