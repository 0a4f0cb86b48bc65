import path from 'node:path';
import { ForkBackend } from '../engine/backends/forkBackend';
import { projectChecker } from '../engine/diagnostics/projectChecker';
import { ReplayBackend } from '../engine/backends/replayBackend';
import { SimulatedBackend } from '../engine/backends/simulatedBackend';
import type { RolesConfig } from '../engine/roles/roleSchema';
import { loadRolesConfigFile, simulatedRolesConfig } from '../engine/roles/rolesConfigFile';
import { resolveRoles } from '../engine/roles/roleValidation';
import { OrchestrationRun } from '../engine/run/orchestrationRun';
import { replaySettings } from '../engine/run/replaySettings';
import type { RunArgs } from './cliArgs';
import { checkpointCli } from './cliCheckpoints';
import { startKiloRuntime } from './kiloRuntime';
import type { ModelAssignments } from './modelArgs';
import { freeRunId, openRecordedRun } from './recordedRun';
import type { ForkArgs, ReplayArgs } from './replayArgs';
import { endRun, holdWorkspace, superviseRun } from './runEnding';
import { UsageError } from './usageError';

/**
 * `replay --fork-at N`: replays the recorded run's transitions 1..N into a new run folder
 * `<id>-fork-<n>` (state.json says `forkedFrom`), then goes on live from there, on the simulated
 * agents or real Kilo, with the roles `--model` changes: the way to compare two models on the same
 * work. Prints whether the states up to N are the run's; the exit code is the fork's own.
 */
export async function forkCommand(args: ReplayArgs, fork: ForkArgs, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { runsDir, snapshot, recording } = await openRecordedRun(args);
  const recorded = snapshot.transitions.length;
  if (fork.atTransition > recorded) throw new UsageError(`--fork-at ${fork.atTransition}: run ${args.runId} made ${recorded} transitions (its state.json); fork at 1 to ${recorded}.`);
  const runId = freeRunId(runsDir, args.runId, 'fork');
  await holdWorkspace(args.workspace, runId, 'run', out);
  const backendKind = fork.backend ?? (snapshot.backend === 'kilo' ? 'kilo' : 'simulated');
  const runArgs: RunArgs = {
    command: 'run',
    task: snapshot.task,
    workspace: args.workspace,
    backend: backendKind,
    ...(args.rolesFile ? { rolesFile: args.rolesFile } : {}),
    maxAgents: fork.maxAgents,
    simFiles: fork.simFiles,
    simLatencyMs: fork.simLatencyMs,
    ...(fork.kiloPath ? { kiloPath: fork.kiloPath } : {}),
    models: fork.models,
    quiet: args.quiet,
  };
  const runtime = backendKind === 'kilo' ? await startKiloRuntime(runArgs, (line) => out.write(`${line}\n`), { runId }) : await simulatedLive(runArgs);
  const { roles } = runtime;
  if (roles.errors.length > 0) {
    await runtime.dispose();
    throw new UsageError(`Invalid roles configuration: ${roles.errors[0]!.message}`);
  }
  // The gate's checks are the run's own work, not recorded turns: the fork runs them live.
  const diagnostics = projectChecker({ workspace: args.workspace, workflow: roles.workflow });
  const backend = new ForkBackend({ replay: new ReplayBackend(recording), live: runtime.backend, atTransition: fork.atTransition, liveMaxActive: fork.maxAgents });
  let run: OrchestrationRun;
  try {
    run = await OrchestrationRun.create({
      runId,
      workspace: args.workspace,
      task: snapshot.task,
      roles,
      backend,
      ...replaySettings(snapshot),
      forkedFrom: { runId: args.runId, atTransition: fork.atTransition },
      ...(runtime.allowControlFiles ? { allowControlFiles: runtime.allowControlFiles } : {}),
      ...(diagnostics ? { diagnostics } : {}),
    });
  } catch (error) {
    await runtime.dispose();
    throw error;
  }
  // The N-th phase change hands over: what it dispatches, and everything after, is asked live.
  run.events.on('workflow:transitioned', () => backend.noteTransition());
  if (!args.quiet) out.write(`Forking ${args.runId} as ${run.runId}: transitions 1 to ${fork.atTransition} from its recording, then live on ${runtime.description} in ${args.workspace}\n`);
  const checkpointing = await checkpointCli(run, args.workspace, args.quiet, out, 'before the fork');
  const report = await superviseRun(run, args.quiet, out, () => runtime.dispose());
  await checkpointing.settled();
  const code = await endRun(report, args.reportFile ?? path.join(report.runDir, 'report.json'), out);
  const before = ['IDLE', ...snapshot.transitions.map((transition) => transition.to)].slice(0, fork.atTransition + 1);
  const replayed = report.states.slice(0, fork.atTransition + 1);
  if (replayed.join() === before.join()) out.write(`fork replayed ${args.runId} up to transition ${fork.atTransition} (${before.at(-1)}) and went on live.\n`);
  else out.write(`fork differs from ${args.runId} before transition ${fork.atTransition}: ${replayed.join(' → ')} against ${before.join(' → ')}.\n`);
  return code;
}

/** The simulated agents for the live part, on the roles with each `--model` as that role's profile. */
async function simulatedLive(args: RunArgs) {
  const config = withModels(args.rolesFile ? await loadRolesConfigFile(args.rolesFile) : simulatedRolesConfig(), args.models);
  const backend = new SimulatedBackend({ files: args.simFiles, latencyMs: args.simLatencyMs });
  const allowControlFiles = config.allowControlFiles;
  return { backend, roles: resolveRoles(config), description: 'simulated agents', ...(allowControlFiles ? { allowControlFiles } : {}), dispose: () => backend.dispose() };
}

/** The roles with each changed assignment as its role's profile (a profile named after the model). */
function withModels(config: RolesConfig, models: ModelAssignments): RolesConfig {
  const profiles = [...config.profiles];
  const assignments = { ...config.assignments };
  for (const [role, model] of Object.entries(models)) {
    const id = `${model.providerID}-${model.modelID}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
    if (!profiles.some((profile) => profile.id === id)) profiles.push({ id, label: `${model.providerID}/${model.modelID}`, providerID: model.providerID, modelID: model.modelID });
    assignments[role] = id;
  }
  return { ...config, profiles, assignments };
}
