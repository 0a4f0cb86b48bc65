import type { RunReport } from '../engine/run/runReport';

/**
 * The command that continues a run a budget paused, with the stopping limit doubled as a
 * suggestion, or one a signal interrupted; undefined for a run that did not stop so.
 */
export function continueCommand(report: RunReport): string | undefined {
  // A run a signal interrupted continues as it was.
  if (report.interrupted && report.status === 'PAUSED') return `kilo-orchestra resume --workspace ${shellWord(report.workspace)} --run ${report.runId}`;
  const stop = report.budget?.stoppedBy;
  if (report.status !== 'PAUSED' || !stop) return undefined;
  const raised = (Math.ceil(stop.limitUsd * 200) / 100).toFixed(2);
  const flag = stop.scope === 'run' ? `--budget-usd ${raised}` : `--role-budget ${stop.role}=${raised}`;
  return `kilo-orchestra resume --workspace ${shellWord(report.workspace)} --run ${report.runId} ${flag}`;
}

/** A path as one word for a POSIX shell. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
