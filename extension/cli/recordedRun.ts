import fs from 'node:fs';
import path from 'node:path';
import { REPLIES_FILE, readRecording, type RecordedReply } from '../engine/run/replayRecorder';
import { RunStateStore, type RunSnapshot } from '../engine/run/runStateStore';
import { STORE_DIR_NAME } from '../engine/util/paths';
import type { ReplayArgs } from './replayArgs';
import { UsageError } from './usageError';

/** The recorded run `args` names: its folder, saved state and recording; a missing one is refused in one line. */
export async function openRecordedRun(args: Pick<ReplayArgs, 'workspace' | 'runId'>): Promise<{ runsDir: string; originalDir: string; snapshot: RunSnapshot; recording: RecordedReply[] }> {
  const runsDir = path.join(args.workspace, STORE_DIR_NAME, 'runs');
  const originalDir = path.join(runsDir, args.runId);
  if (!fs.existsSync(path.join(originalDir, 'state.json'))) throw new UsageError(`No run ${args.runId} in ${args.workspace}.`);
  const snapshot = await RunStateStore.load(originalDir);
  const recording = await readRecording(path.join(originalDir, REPLIES_FILE));
  return { runsDir, originalDir, snapshot, recording };
}

/** `<id>-replay-<n>` (or `-fork-<n>`), the first n whose folder does not exist yet. */
export function freeRunId(runsDir: string, runId: string, kind: 'replay' | 'fork'): string {
  // A replay of a replay is numbered on from the run's own, not `-replay-1-replay-1`.
  const base = runId.replace(new RegExp(`-${kind}-\\d+$`), '').slice(0, 80);
  for (let n = 1; ; n++) {
    const id = `${base}-${kind}-${n}`;
    if (!fs.existsSync(path.join(runsDir, id))) return id;
  }
}
