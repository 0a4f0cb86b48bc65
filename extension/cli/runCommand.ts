import fs from 'node:fs/promises';
import path from 'node:path';
import { SimulatedBackend } from '../engine/backends/simulatedBackend';
import type { AgentBackend } from '../engine/backends/agentBackend';
import { loadRolesConfigFile, simulatedRolesConfig } from '../engine/roles/rolesConfigFile';
import { resolveRoles, type RoleResolution } from '../engine/roles/roleValidation';
import { OrchestrationRun } from '../engine/run/orchestrationRun';
import type { RunReport } from '../engine/run/runReport';
import { writeFileAtomic } from '../engine/util/atomicWrite';
import { UsageError, type RunArgs } from './cliArgs';
import { continueCommand } from './continueHint';
import { findingLines, findingsSummary } from './findingLines';
import { startKiloRuntime } from './kiloRuntime';
import { ProgressView } from './progressView';

/** Runs one orchestrated task headless; resolves with the process exit code. */
export async function runCommand(args: RunArgs, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const runtime = args.backend === 'kilo' ? await startKiloRuntime(args, (line) => out.write(`${line}\n`)) : await simulatedRuntime(args);
  const { backend, roles } = runtime;
  if (roles.errors.length > 0) {
    await runtime.dispose();
    const more = roles.errors.length > 1 ? ` (and ${roles.errors.length - 1} more)` : '';
    throw new UsageError(`Invalid roles configuration: ${roles.errors[0]!.message}${more}`);
  }
  for (const warning of roles.warnings) out.write(`warning: ${warning.message}\n`);

  const run = await OrchestrationRun.create({
    workspace: args.workspace,
    task: args.task,
    roles,
    backend,
    maxActive: args.maxAgents,
    onAttention: 'fail',
    budgets: args.budgets,
    ...(args.providerLimits ? { providerLimits: args.providerLimits } : {}),
    ...(runtime.allowControlFiles ? { allowControlFiles: runtime.allowControlFiles } : {}),
  });
  const view = new ProgressView(out, () => ({ workflow: run.workflow, agents: run.agents() }));
  if (!args.quiet) {
    out.write(`Run ${run.runId} on ${runtime.description} in ${args.workspace}\n`);
    run.events.on('workflow:transitioned', (change) => view.phaseChanged(change.from, change.to, change.atMs));
    run.events.on('workflow:changed', () => view.fileProgress());
    view.start();
  }
  // Ctrl-C cancels the run cleanly (agents aborted, report written); a second one exits at once.
  const onSigint = (): void => {
    process.off('SIGINT', onSigint);
    void run.cancel('Cancelled from the terminal (Ctrl-C).');
  };
  process.on('SIGINT', onSigint);
  let report: RunReport;
  try {
    report = await run.start();
  } finally {
    process.off('SIGINT', onSigint);
    view.stop();
    await runtime.dispose();
  }
  const reportPath = args.reportFile ?? path.join(report.runDir, 'report.json');
  await fs.mkdir(path.dirname(reportPath), { recursive: true });
  await writeFileAtomic(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  out.write(`${[summaryLine(report), ...findingLines(report.findings)].join('\n')}\nreport: ${reportPath}\n`);
  const resume = continueCommand(report);
  if (resume) out.write(`to continue: ${resume}\n`);
  return report.status === 'COMPLETED' ? 0 : 1;
}

/** The simulated backend: deterministic scripted agents in this process, no Kilo needed. */
export async function simulatedRuntime(args: RunArgs): Promise<{ backend: AgentBackend; roles: RoleResolution; description: string; allowControlFiles?: string[]; dispose(): Promise<void> }> {
  const config = args.rolesFile ? await loadRolesConfigFile(args.rolesFile) : simulatedRolesConfig();
  const backend = new SimulatedBackend({ files: args.simFiles, latencyMs: args.simLatencyMs });
  const allowed = config.allowControlFiles;
  return { backend, roles: resolveRoles(config), description: 'simulated agents', ...(allowed ? { allowControlFiles: allowed } : {}), dispose: () => backend.dispose() };
}

export function summaryLine(report: RunReport): string {
  const seconds = (report.wallMs / 1000).toFixed(1);
  const why = report.reason ? ` (${report.reason})` : '';
  // A COMPLETED run with findings (refused writes, commands …) must not read as a clean one.
  const status = report.status === 'COMPLETED' && report.findings.length > 0 ? 'COMPLETED with findings' : report.status;
  const findings = report.findings.length > 0 ? `, ${findingsSummary(report.findings)}` : '';
  return (
    `${status}${why} in ${seconds}s: ${report.files.approved}/${report.files.planned} files approved, ` +
    `${report.artifacts.length} artifacts, ${report.agents.length} agents (at most ${report.concurrency.maxActiveAgents} at once), ` +
    `organiser context ≤ ${report.organiser.maxContextTokens} tokens, cost $${report.costUsd.toFixed(4)}${findings}`
  );
}
