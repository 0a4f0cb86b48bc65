import path from 'node:path';
import { ReplayBackend } from '../engine/backends/replayBackend';
import { loadRolesConfigFile, simulatedRolesConfig } from '../engine/roles/rolesConfigFile';
import { resolveRoles } from '../engine/roles/roleValidation';
import { OrchestrationRun } from '../engine/run/orchestrationRun';
import { compareRuns } from '../engine/run/replayCompare';
import { replaySettings } from '../engine/run/replaySettings';
import type { ReplayArgs } from './replayArgs';
import { checkpointCli } from './cliCheckpoints';
import { freeRunId, openRecordedRun } from './recordedRun';
import { endRun, holdWorkspace, superviseRun } from './runEnding';
import { UsageError } from './usageError';

/**
 * Re-drives a recorded run: the same task, roles and workflow settings, every agent answered from
 * the run's replies.jsonl (no model call), in a new run folder `<id>-replay-<n>` of the workspace.
 * The files each turn changed are written back with the recorded content, so the workspace ends
 * as the run left it. Prints the summary line and whether the replay matches the run; exit code 0
 * when it does (whatever the run's own status was), 1 when it differs.
 */
export async function replayCommand(args: ReplayArgs, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { runsDir, originalDir, snapshot, recording } = await openRecordedRun(args);
  const config = args.rolesFile ? await loadRolesConfigFile(args.rolesFile) : simulatedRolesConfig();
  const roles = resolveRoles(config);
  if (roles.errors.length > 0) throw new UsageError(`Invalid roles configuration: ${roles.errors[0]!.message}`);
  for (const [role, profileId] of Object.entries(snapshot.profiles)) {
    const now = Object.hasOwn(roles.assignments, role) ? roles.assignments[role] : undefined;
    if (now !== profileId) out.write(`warning: ${role} ran on profile ${profileId} and is replayed on ${now ?? 'none'}; pass the run's --roles FILE.\n`);
  }
  const runId = freeRunId(runsDir, args.runId, 'replay');
  // The replay writes the run's files again: no other run may be writing them meanwhile.
  await holdWorkspace(args.workspace, runId, 'run', out);
  const backend = new ReplayBackend(recording);
  let run: OrchestrationRun;
  try {
    run = await OrchestrationRun.create({ runId, workspace: args.workspace, task: snapshot.task, roles, backend, ...replaySettings(snapshot), ...(config.allowControlFiles ? { allowControlFiles: config.allowControlFiles } : {}) });
  } catch (error) {
    await backend.dispose();
    throw error;
  }
  if (!args.quiet) out.write(`Replaying ${args.runId} as ${run.runId} from ${recording.length} recorded replies (no model calls) in ${args.workspace}\n`);
  // The replay writes each turn's recorded files back into the workspace: the files as they are now
  // are saved first (checkpoint 1 of the replay), so `rollback --run <replay> --to 1` undoes it.
  const checkpointing = await checkpointCli(run, args.workspace, args.quiet, out, 'before the replay');
  const report = await superviseRun(run, args.quiet, out, () => backend.dispose());
  await checkpointing.settled();
  const code = await endRun(report, args.reportFile ?? path.join(report.runDir, 'report.json'), out);
  const original = { status: snapshot.workflow.phase, states: ['IDLE', ...snapshot.transitions.map((t) => t.to)], runDir: originalDir };
  const differences = await compareRuns(original, report);
  const broken = backend.outOfOrder();
  if (broken.length > 0) out.write(`replay could not keep the recorded order ${broken.length === 1 ? 'once' : `${broken.length} times`} (first: ${broken[0]!.message}).\n`);
  if (differences.length === 0) {
    out.write(`replay matches ${args.runId}: same status, states, artifacts and decisions.\n`);
    // A faithful replay of a failed run succeeded at what it was asked; only an interruption is not.
    return report.interrupted ? code : 0;
  }
  out.write(`replay differs from ${args.runId} (${differences.length}):\n${differences.map((line) => `  ${line}`).join('\n')}\n`);
  return 1;
}
