import type { RunReport } from '../engine/run/runReport';

/**
 * The command that continues a run a budget paused, with the stopping limit doubled as a
 * suggestion; undefined for a run that did not stop on a budget.
 */
export function continueCommand(report: RunReport): string | undefined {
  const stop = report.budget?.stoppedBy;
  if (report.status !== 'PAUSED' || !stop) return undefined;
  const raised = (Math.ceil(stop.limitUsd * 200) / 100).toFixed(2);
  const flag = stop.scope === 'run' ? `--budget-usd ${raised}` : `--role-budget ${stop.role}=${raised}`;
  return `kilo-orchestra resume --workspace ${shellWord(report.workspace)} --run ${report.runId} ${flag}`;
}

/** A path as one word for a POSIX shell. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
