import type { RunSummary } from '../engine/run/runSummary';
import { shellWord } from './continueHint';

/** Files named on the "Changed" line before "and N more". */
const NAMED_FILES = 5;

/**
 * The run's ending in a few short lines: what changed, the tests, cost against the estimate,
 * findings and how to roll back, e.g. "Changed 5 files (+120 −8): src/a.js, …".
 */
export function summaryLines(summary: RunSummary, workspace: string): string[] {
  return [changedLine(summary), testsLine(summary.tests), costLine(summary.cost), findingsLine(summary.findings), ...rollBackLine(summary, workspace)];
}

function changedLine(summary: RunSummary): string {
  const files = summary.files;
  if (!files) return 'Changed files: not known (no checkpoints were taken).';
  if (files.total === 0) return 'No files changed.';
  const named = files.changed.slice(0, NAMED_FILES).map((change) => `${oneLine(change.path)}${change.change === 'modified' ? '' : ` (${change.change})`}`);
  const more = files.total - named.length;
  return `Changed ${plural(files.total, 'file')} (+${files.additions} −${files.deletions}): ${named.join(', ')}${more > 0 ? `, and ${more} more` : ''}`;
}

function testsLine(tests: RunSummary['tests']): string {
  const counts = `${tests.passed} passed${tests.failed > 0 ? `, ${tests.failed} failed` : ''}`;
  switch (tests.result) {
    case 'passed':
    case 'failed':
      return `Tests: ${counts}`;
    case 'not-run':
      return `Tests: not run${tests.note ? ` (${oneLine(tests.note)})` : ''}${tests.passed + tests.failed > 0 ? `; last report: ${counts}` : ''}`;
    case 'none':
      return 'Tests: none were run.';
  }
}

function costLine(cost: RunSummary['cost']): string {
  const estimate = cost.estimatedUsd === undefined ? 'no estimate recorded' : `estimated ${usd(cost.estimatedUsd)}`;
  const unpriced = cost.unpricedModels.length > 0 ? `; unpriced, counted as $0: ${cost.unpricedModels.map(oneLine).join(', ')}` : '';
  return `Cost: ${usd(cost.actualUsd)} (${estimate}${unpriced})`;
}

function findingsLine(findings: RunSummary['findings']): string {
  if (findings.total === 0) return 'Findings: none.';
  return `Findings: ${findings.total} (${findings.byKind.map((entry) => `${entry.kind} ×${entry.count}`).join(', ')})`;
}

function rollBackLine(summary: RunSummary, workspace: string): string[] {
  if (!summary.checkpoint || !summary.files || summary.files.total === 0) return [];
  return [`Roll back these changes with: kilo-orchestra rollback --workspace ${shellWord(workspace)} --run ${summary.runId} --to ${summary.checkpoint.index}`];
}

/** "$0.41", or "$0.0042" for a small amount. */
function usd(amount: number): string {
  return amount > 0 && amount < 0.01 ? `$${amount.toFixed(4)}` : `$${amount.toFixed(2)}`;
}

function plural(count: number, one: string): string {
  return `${count} ${count === 1 ? one : `${one}s`}`;
}

/** A model-chosen path can carry newlines or control characters: one line, printable. */
function oneLine(text: string): string {
  const flat = text.replace(/[\r\n\t\u2028\u2029]+/g, ' ').replace(/\p{Cc}/gu, '');
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}
