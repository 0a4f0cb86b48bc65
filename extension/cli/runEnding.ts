import fs from 'node:fs/promises';
import path from 'node:path';
import type { OrchestrationRun } from '../engine/run/orchestrationRun';
import type { RunReport } from '../engine/run/runReport';
import { writeFileAtomic } from '../engine/util/atomicWrite';
import { continueCommand } from './continueHint';
import { findingLines, findingsSummary } from './findingLines';
import { ProgressView } from './progressView';

/**
 * Runs a started or resumed run to its end with live progress (unless quiet), then disposes its
 * runtime. Ctrl-C cancels the run cleanly (agents aborted, report written); a second one exits at once.
 */
export async function superviseRun(run: OrchestrationRun, quiet: boolean, out: NodeJS.WriteStream, dispose: () => Promise<void>): Promise<RunReport> {
  const view = new ProgressView(out, () => ({ workflow: run.workflow, agents: run.agents() }));
  if (!quiet) {
    run.events.on('workflow:transitioned', (change) => view.phaseChanged(change.from, change.to, change.atMs));
    run.events.on('workflow:changed', () => view.fileProgress());
    view.start();
  }
  const onSigint = (): void => {
    process.off('SIGINT', onSigint);
    void run.cancel('Cancelled from the terminal (Ctrl-C).');
  };
  process.on('SIGINT', onSigint);
  try {
    return await run.start();
  } finally {
    process.off('SIGINT', onSigint);
    view.stop();
    await dispose();
  }
}

/**
 * Writes the report and the ending a person reads: the summary line, one line per finding, where
 * the report is and, for a run stopped by its budget, how to continue. Resolves with the exit code.
 */
export async function endRun(report: RunReport, reportPath: string, out: NodeJS.WriteStream): Promise<number> {
  await fs.mkdir(path.dirname(reportPath), { recursive: true });
  await writeFileAtomic(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  out.write(`${[summaryLine(report), ...findingLines(report.findings)].join('\n')}\nreport: ${reportPath}\n`);
  const resume = continueCommand(report);
  if (resume) out.write(`to continue: ${resume}\n`);
  return report.status === 'COMPLETED' ? 0 : 1;
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
