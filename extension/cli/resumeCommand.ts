import fs from 'node:fs/promises';
import path from 'node:path';
import { describeGate, projectChecker } from '../engine/diagnostics/projectChecker';
import { OrchestrationRun } from '../engine/run/orchestrationRun';
import type { RunSnapshot } from '../engine/run/runStateStore';
import { RunNotResumable, mergeBudgets, unfinishedRun as findRunToResume } from '../engine/run/unfinishedRuns';
import { STORE_DIR_NAME } from '../engine/util/paths';
import type { ResumeArgs, RunArgs } from './cliArgs';
import { checkpointCli } from './cliCheckpoints';
import { startKiloRuntime } from './kiloRuntime';
import { endRun, holdWorkspace, superviseRun } from './runEnding';
import { simulatedRuntime } from './runCommand';
import { UsageError } from './usageError';
import { describeReattach, type SavedSession } from '../kilo/kiloSessionReattach';

// Kept importable from here for the CLI's own tests; its one home is the engine.
export { mergeBudgets };

/**
 * Continues an unfinished run of the workspace headless (paused, or cut off by a crash): its state,
 * artifacts and event log are reopened, approved work is kept, work that was held or in flight is
 * sent again, and the cost so far counts against the budget. Resolves with the exit code.
 */
export async function resumeCommand(args: ResumeArgs, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const snapshot = await unfinishedRun(args.workspace, args.runId);
  const backendKind = args.backend ?? snapshot.backend;
  await holdWorkspace(args.workspace, snapshot.runId, 'resume', out);
  if (backendKind !== 'simulated' && backendKind !== 'kilo') throw new UsageError(`Run ${snapshot.runId} ran on "${backendKind}"; pass --backend simulated or kilo.`);
  const runArgs: RunArgs = { ...args, command: 'run', task: snapshot.task, backend: backendKind };
  const reportPath = args.reportFile ?? path.join(args.workspace, STORE_DIR_NAME, 'runs', snapshot.runId, 'report.json');
  // Found now rather than after the run, when the report would be lost.
  await fs.mkdir(path.dirname(reportPath), { recursive: true }).catch((error: unknown) => {
    throw new UsageError(`--report ${reportPath}: its folder cannot be created (${(error as Error).message}).`);
  });

  let sessions: string | undefined;
  const startKilo = async () => {
    // The home is the run's own, so the agents' sessions are still in it after a crash.
    const kilo = await startKiloRuntime(runArgs, (line) => out.write(`${line}\n`), { runId: snapshot.runId });
    sessions = describeReattach(await kilo.reattachSessions(savedSessions(snapshot)));
    return kilo;
  };
  const runtime = backendKind === 'kilo' ? await startKilo() : await simulatedRuntime(runArgs);
  const { backend, roles } = runtime;
  if (roles.errors.length > 0) {
    await runtime.dispose();
    throw new UsageError(`Invalid roles configuration: ${roles.errors[0]!.message}`);
  }
  for (const [role, profileId] of Object.entries(snapshot.profiles)) {
    const now = Object.hasOwn(roles.assignments, role) ? roles.assignments[role] : undefined;
    if (now !== profileId) out.write(`warning: ${role} ran on profile ${profileId} and now runs on ${now ?? 'none'}.\n`);
  }
  const budgets = mergeBudgets(snapshot.budgets, args.budgets);
  // The gate follows the rules the run started with (in its state); the checker is found again now.
  const diagnostics = projectChecker({ workspace: args.workspace, workflow: roles.workflow });
  let run: OrchestrationRun;
  try {
    run = await OrchestrationRun.create({ workspace: args.workspace, task: snapshot.task, roles, backend, maxActive: args.maxAgents, onAttention: 'fail', budgets, restoreFrom: snapshot, ...(args.providerLimits ? { providerLimits: args.providerLimits } : {}), ...(runtime.allowControlFiles ? { allowControlFiles: runtime.allowControlFiles } : {}), ...(diagnostics ? { diagnostics } : {}) });
  } catch (error) {
    await runtime.dispose();
    throw error;
  }
  if (!args.quiet) {
    out.write(`Resuming ${run.runId} on ${runtime.description} in ${args.workspace} (spent so far $${snapshot.spent.totalUsd.toFixed(4)})\n`);
    if (sessions !== undefined) out.write(`${sessions}\n`);
    const gateLine = describeGate(diagnostics, snapshot.workflow.config.rules?.diagnosticsRounds);
    if (gateLine) out.write(`${gateLine}\n`);
  }
  // Numbering goes on from the checkpoints the run took before it stopped.
  const checkpointing = await checkpointCli(run, args.workspace, args.quiet, out, 'before the resume');
  const report = await superviseRun(run, args.quiet, out, () => runtime.dispose());
  await checkpointing.settled();
  return endRun(report, reportPath, out);
}

/** The Kilo session each agent of the run had (the terminated ones take no more work). */
function savedSessions(snapshot: RunSnapshot): SavedSession[] {
  return snapshot.agents.flatMap((agent) => (agent.sessionId !== undefined && agent.status !== 'terminated' ? [{ agentId: agent.id, sessionId: agent.sessionId }] : []));
}

/** The shared rule (engine/run/unfinishedRuns.ts); its refusals are usage errors (exit 2), a state it cannot read is not. */
async function unfinishedRun(workspace: string, runId: string | undefined): Promise<RunSnapshot> {
  try {
    return await findRunToResume(workspace, runId);
  } catch (error) {
    if (error instanceof RunNotResumable) throw new UsageError(error.message);
    throw error;
  }
}
