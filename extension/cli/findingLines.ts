import type { RecordedFinding } from '../engine/run/workRecorder';

/** At most this many findings are printed one per line; the report holds them all. */
export const PRINTED_FINDINGS = 20;

/** `2 findings: grant-violation ×1, refused-command ×1` (kinds in order of first appearance); '' when none. */
export function findingsSummary(findings: readonly RecordedFinding[]): string {
  if (findings.length === 0) return '';
  const counts = new Map<string, number>();
  for (const finding of findings) counts.set(finding.kind, (counts.get(finding.kind) ?? 0) + 1);
  const kinds = [...counts].map(([kind, count]) => `${kind} ×${count}`).join(', ');
  return `${findings.length} finding${findings.length === 1 ? '' : 's'}: ${kinds}`;
}

/**
 * One line per finding, first `limit` of them, each on one line whatever its message holds (a
 * model-chosen path can carry newlines), then how many more the report has.
 */
export function findingLines(findings: readonly RecordedFinding[], limit = PRINTED_FINDINGS): string[] {
  const lines = findings.slice(0, limit).map((finding) => {
    const who = finding.agentId ? ` (${finding.agentId})` : '';
    return `finding ${finding.kind}${who}: ${oneLine(finding.message)}`;
  });
  if (findings.length > limit) lines.push(`… and ${findings.length - limit} more findings in the report`);
  return lines;
}

function oneLine(text: string): string {
  const flat = text.replace(/[\r\n\t\u2028\u2029]+/g, ' ').replace(/\p{Cc}/gu, '');
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}
