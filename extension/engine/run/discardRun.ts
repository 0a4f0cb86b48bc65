import path from 'node:path';
import { OrchestraError } from '../util/errors';
import { transition } from '../workflow/workflowMachine';
import { EventLog } from './eventLog';
import { RunSnapshotSchema, SNAPSHOT_FORMAT_VERSION, type RunSnapshot } from './runSnapshot';
import { RunStateStore } from './runStateStore';
import { isResumable, readLockHolder, runFolder } from './unfinishedRuns';
import { WorkspaceLock, isStale, type LockOwner } from './workspaceLock';

/** The outcome a discarded run records; readers show it as the reason the run ended. */
export const DISCARDED_REASON = 'Discarded by the user: the run will not be continued.';

export interface DiscardOptions {
  now?: () => number;
  /** Tests: whether a lock's process is gone. */
  isStale?: (holder: LockOwner) => boolean;
}

/**
 * Ends an unfinished run for good: its state goes to CANCELLED through the workflow machine (with
 * DISCARDED_REASON), the event log says so, and a stale lock it left is removed, so neither
 * `resume` nor the window's offer picks it again. Its artifacts and files stay. Refused with
 * `workspace-busy` while a live process runs it, and with `invalid-input` when it has ended.
 */
export async function discardRun(workspace: string, runId: string, options: DiscardOptions = {}): Promise<RunSnapshot> {
  const now = options.now ?? Date.now;
  const runDir = runFolder(workspace, runId);
  refuseEnded(await RunStateStore.load(runDir));
  const holder = await readLockHolder(workspace);
  const holderLive = holder !== undefined && !(options.isStale ?? isStale)(holder);
  if (holderLive && holder.runId === runId) {
    throw new OrchestraError('workspace-busy', `Run ${runId} is running (${holder.by}, pid ${holder.pid} on ${holder.hostname}); cancel it there instead of discarding it.`);
  }
  // Held while writing, so a resume cannot start between the check and the write; another live run's lock is left alone.
  const lock = holderLive ? undefined : await WorkspaceLock.acquire(workspace, { runId, by: 'discard' });
  try {
    const snapshot = await RunStateStore.load(runDir);
    refuseEnded(snapshot);
    const from = snapshot.workflow.phase;
    const { state } = transition(snapshot.workflow, { type: 'CANCEL', reason: DISCARDED_REASON });
    const atMs = Math.max(0, now() - Date.parse(snapshot.startedAt));
    const { formatVersion: _version, ...rest } = snapshot;
    const ended = RunSnapshotSchema.parse({
      ...rest,
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      savedAt: new Date(now()).toISOString(),
      workflow: state,
      grants: {},
      transitions: [...snapshot.transitions, { from, to: state.phase, atMs }],
    });
    // The state first: it is what every reader decides by; the log then tells the dashboard's timeline.
    const { formatVersion: _written, ...toSave } = ended;
    await new RunStateStore(runDir).save(toSave);
    const log = await EventLog.open(path.join(runDir, 'events.jsonl'), { clock: now });
    void log.append({ kind: 'transition', runId, data: { from, to: state.phase, atMs, event: 'CANCEL' } });
    void log.append({ kind: 'run', runId, data: { event: 'finished', status: state.phase, reason: DISCARDED_REASON } });
    await log.close();
    return ended;
  } finally {
    await lock?.release();
  }
}

function refuseEnded(snapshot: RunSnapshot): void {
  if (!isResumable(snapshot)) throw new OrchestraError('invalid-input', `Run ${snapshot.runId} is ${snapshot.workflow.phase}; only an unfinished run can be discarded.`);
}
