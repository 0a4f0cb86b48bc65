import path from 'node:path';
import { SimulatedBackend } from '../engine/backends/simulatedBackend';
import type { AgentBackend } from '../engine/backends/agentBackend';
import { loadRolesConfigFile, simulatedRolesConfig } from '../engine/roles/rolesConfigFile';
import { resolveRoles, type RoleResolution } from '../engine/roles/roleValidation';
import { OrchestrationRun } from '../engine/run/orchestrationRun';
import { unenforceableBudgets } from '../engine/run/unpricedModels';
import { newRunId } from '../engine/run/runServices';
import { recordCostEstimate } from '../engine/run/costEstimate';
import { startEstimate } from '../config/runEstimate';
import { describeGate, projectChecker } from '../engine/diagnostics/projectChecker';
import { resolveWorkflow } from '../protocol/workflowDefinition';
import { UsageError, type RunArgs } from './cliArgs';
import { checkpointCli } from './cliCheckpoints';
import { startKiloRuntime } from './kiloRuntime';
import { endRun, holdWorkspace, superviseRun } from './runEnding';

/** Runs one orchestrated task headless; resolves with the process exit code. */
export async function runCommand(args: RunArgs, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  // One run per workspace: refused here, before any server starts, when another run is live.
  const runId = newRunId(Date.now());
  await holdWorkspace(args.workspace, runId, 'run', out);
  // Its private Kilo home is named by the run, so a resume after a crash finds the agents' sessions.
  const runtime = args.backend === 'kilo' ? await startKiloRuntime(args, (line) => out.write(`${line}\n`), { runId }) : await simulatedRuntime(args);
  const { backend, roles } = runtime;
  if (roles.errors.length > 0) {
    await runtime.dispose();
    const more = roles.errors.length > 1 ? ` (and ${roles.errors.length - 1} more)` : '';
    throw new UsageError(`Invalid roles configuration: ${roles.errors[0]!.message}${more}`);
  }
  for (const warning of roles.warnings) out.write(`warning: ${warning.message}\n`);
  for (const warning of unenforceableBudgets(roles, args.budgets ?? {})) out.write(`warning: ${warning}\n`);

  // The gate's checker headless: the roles file's command, else the project's own tsc, else none.
  const diagnostics = projectChecker({ workspace: args.workspace, workflow: roles.workflow });
  let run: OrchestrationRun;
  try {
    run = await OrchestrationRun.create({
      runId,
      workspace: args.workspace,
      task: args.task,
      roles,
      backend,
      maxActive: args.maxAgents,
      onAttention: 'fail',
      budgets: args.budgets,
      ...(args.providerLimits ? { providerLimits: args.providerLimits } : {}),
      ...(runtime.allowControlFiles ? { allowControlFiles: runtime.allowControlFiles } : {}),
      ...(diagnostics ? { diagnostics } : {}),
    });
  } catch (error) {
    // A refused task (over the size limit) must not leave the Kilo server and scripted model running.
    await runtime.dispose();
    throw error;
  }
  if (!args.quiet) out.write(`Run ${run.runId} on ${runtime.description} in ${args.workspace}\n`);
  if (!args.quiet) out.write(`Task: ${taskHeadline(args.task)}\n`);
  if (!args.quiet) for (const line of runtime.roleLines ?? []) out.write(`${line}\n`);
  const gateLine = describeGate(diagnostics, resolveWorkflow(roles.workflow).diagnostics.maxRounds);
  if (!args.quiet && gateLine) out.write(`${gateLine}\n`);
  // Recorded before any turn, so the ending compares the cost with what was expected, not with a figure made afterwards.
  await recordCostEstimate(run.runDir, () => startEstimate(roles));
  const checkpointing = await checkpointCli(run, args.workspace, args.quiet, out);
  const report = await superviseRun(run, args.quiet, out, () => runtime.dispose());
  await checkpointing.settled();
  return endRun(report, args.reportFile ?? path.join(report.runDir, 'report.json'), out);
}

/** The simulated backend: deterministic scripted agents in this process, no Kilo needed. */
export async function simulatedRuntime(args: RunArgs): Promise<{ backend: AgentBackend; roles: RoleResolution; description: string; roleLines?: string[]; allowControlFiles?: string[]; dispose(): Promise<void> }> {
  const config = args.rolesFile ? await loadRolesConfigFile(args.rolesFile) : simulatedRolesConfig();
  const backend = new SimulatedBackend({ files: args.simFiles, latencyMs: args.simLatencyMs });
  const allowed = config.allowControlFiles;
  return { backend, roles: resolveRoles(config), description: 'simulated agents', ...(allowed ? { allowControlFiles: allowed } : {}), dispose: () => backend.dispose() };
}

/** The task's first line, shortened for the terminal: the full text is in the report. */
export function taskHeadline(task: string): string {
  const first = task.trim().split('\n')[0] ?? '';
  return first.length > 160 ? `${first.slice(0, 159)}…` : first;
}
