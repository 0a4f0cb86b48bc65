import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { OrchestrationRun } from '../engine/run/orchestrationRun';
import { Checkpoints } from '../engine/run/checkpoints';
import { chatMailboxHandler, serveRunMailbox } from '../engine/run/chatMailbox';
import type { RunReport } from '../engine/run/runReport';
import { summariseRun, writeRunSummary } from '../engine/run/runSummary';
import { parseSnapshot } from '../engine/run/runStateStore';
import { WorkspaceLock } from '../engine/run/workspaceLock';
import { writeFileAtomic } from '../engine/util/atomicWrite';
import { continueCommand, shellWord } from './continueHint';
import { findingLines, findingsSummary } from './findingLines';
import { ProgressView } from './progressView';
import { summaryLines } from './summaryLines';

/** The signals that interrupt a run, leaving it resumable; the same one again exits at once. */
const INTERRUPTING_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The workspace lock this process holds (a CLI process runs one run); released when its run ends or the process exits. */
let held: WorkspaceLock | undefined;
const releaseAtExit = (): void => held?.releaseSync();

/**
 * Takes the workspace's run lock before anything starts, so a busy workspace costs no server
 * start; throws `workspace-busy` (exit code 2) naming the other run. A stale lock is taken over with a note.
 */
export async function holdWorkspace(workspace: string, runId: string, by: 'run' | 'resume', out: NodeJS.WriteStream): Promise<void> {
  held = await WorkspaceLock.acquire(workspace, { runId, by });
  process.once('exit', releaseAtExit);
  const gone = held.tookOver;
  if (gone) out.write(`note: took over the lock of run ${gone.runId} (pid ${gone.pid}, since ${gone.startedAt}), whose process is gone.\n`);
}

/** Lets go of the lock taken by holdWorkspace (a run that could not be created, or one that ended). */
export async function releaseWorkspace(): Promise<void> {
  const lock = held;
  held = undefined;
  process.off('exit', releaseAtExit);
  await lock?.release();
}

/**
 * Runs a started or resumed run to its end with live progress (unless quiet), then disposes its
 * runtime and releases the workspace lock. SIGINT (Ctrl-C), SIGTERM and SIGHUP interrupt it: work
 * in flight is held as by Pause, state.json is marked interrupted and the report written, so
 * `resume` continues it; a second signal while it winds down marks state.json and exits at once.
 */
export async function superviseRun(run: OrchestrationRun, quiet: boolean, out: NodeJS.WriteStream, dispose: () => Promise<void>): Promise<RunReport> {
  const view = new ProgressView(out, () => ({ workflow: run.workflow, agents: run.agents() }));
  if (!quiet) {
    run.events.on('workflow:transitioned', (change) => view.phaseChanged(change.from, change.to, change.atMs));
    run.events.on('workflow:changed', () => view.fileProgress());
    view.start();
  }
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return forceExit(run.runDir, interrupted, signal);
    interrupted = signal;
    // After SIGHUP the terminal is gone: what would have been printed is in the report.
    if (signal === 'SIGHUP') out.on('error', () => undefined);
    view.stop();
    out.write(`\nInterrupting (${signal}): the work in flight is held for resume; ${signal === 'SIGINT' ? 'Ctrl-C' : signal} again exits at once.\n`);
    void run.interrupt(signal);
  };
  for (const signal of INTERRUPTING_SIGNALS) process.on(signal, onSignal);
  // `kilo-orchestra say` from another terminal reaches the Organiser through the run's mailbox.
  const mailbox = serveRunMailbox(run, chatMailboxHandler(run), (line) => quiet || out.write(`${line}\n`));
  try {
    return await run.start();
  } finally {
    mailbox.dispose();
    view.stop();
    await dispose();
    await releaseWorkspace();
    // Only now: a signal during the cleanup above still exits at once rather than killing us unmarked.
    for (const signal of INTERRUPTING_SIGNALS) process.off(signal, onSignal);
  }
}

/** The second signal: state.json says interrupted (if the winding down had not yet written it), the lock goes, the process exits. */
function forceExit(runDir: string, first: NodeJS.Signals, signal: NodeJS.Signals): never {
  try {
    const file = path.join(runDir, 'state.json');
    const snapshot = parseSnapshot(fsSync.readFileSync(file, 'utf8'), file);
    if (!snapshot.interrupted) {
      const temp = `${file}.${process.pid}.forced.tmp`;
      fsSync.writeFileSync(temp, `${JSON.stringify({ ...snapshot, interrupted: { at: new Date().toISOString(), signal: first } }, null, 1)}\n`);
      fsSync.renameSync(temp, file);
    }
  } catch (error) {
    process.stderr.write(`kilo-orchestra: could not mark ${runDir} interrupted: ${(error as Error).message}\n`);
  }
  process.stderr.write(`kilo-orchestra: ${signal} again, exiting now; continue with: kilo-orchestra resume --workspace ${shellWord(path.resolve(runDir, '../../..'))}\n`);
  // The lock, the Kilo server and the private home go in their exit hooks.
  process.exit(signalExitCode(signal));
}

/** 128 + the signal's number, as a shell reports a process ended by it. */
export function signalExitCode(signal: string): number {
  const number = (os.constants.signals as Record<string, number | undefined>)[signal];
  return number === undefined ? 1 : 128 + number;
}

/**
 * Writes the report and the ending a person reads: the summary line, one line per finding, where
 * the report is and, for a run stopped by its budget, how to continue. Resolves with the exit code.
 */
export async function endRun(report: RunReport, reportPath: string, out: NodeJS.WriteStream): Promise<number> {
  // An interrupted run has not ended: its summary comes when it does.
  const summary = report.interrupted ? undefined : await endingSummary(report, out);
  if (summary) report = { ...report, summary };
  await fs.mkdir(path.dirname(reportPath), { recursive: true });
  await writeFileAtomic(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  out.write(`${[summaryLine(report), ...findingLines(report.findings), ...(summary ? summaryLines(summary, report.workspace) : [])].join('\n')}\nreport: ${reportPath}\n`);
  const resume = continueCommand(report);
  if (resume) out.write(report.interrupted ? `Interrupted; continue with: ${resume}\n` : `to continue: ${resume}\n`);
  if (report.interrupted) return signalExitCode(report.interrupted.signal);
  return report.status === 'COMPLETED' ? 0 : 1;
}

/** The run's summary from its checkpoints (read back: the run wrote them), test report and estimate; a part that cannot be read is one warning line. */
async function endingSummary(report: RunReport, out: NodeJS.WriteStream): Promise<RunReport['summary']> {
  const checkpoints = await new Checkpoints({ workspace: report.workspace, runId: report.runId }).load().catch(() => []);
  const summary = await summariseRun({ report, checkpoints, onProblem: (problem) => out.write(`warning: ${problem}\n`) });
  // Beside state.json too, so the editor's dashboard shows this run's ending.
  await writeRunSummary(report.runDir, summary).catch((error: unknown) => out.write(`warning: the summary was not kept in ${report.runDir}: ${(error as Error).message}\n`));
  return summary;
}

/** A cost with unpriced models is a lower bound: say which models it does not count. */
function unpricedWords(report: RunReport): string {
  const unpriced = report.unpricedModels ?? [];
  return unpriced.length > 0 ? ` (unpriced: ${unpriced.join(', ')} ${unpriced.length === 1 ? 'has' : 'have'} no price, counted as $0)` : '';
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
    `organiser context ≤ ${report.organiser.maxContextTokens} tokens, cost $${report.costUsd.toFixed(4)}${unpricedWords(report)}${findings}`
  );
}
