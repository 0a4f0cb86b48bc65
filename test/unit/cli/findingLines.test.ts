import { describe, expect, it } from 'vitest';
import { findingLines, findingsSummary } from '../../../extension/cli/findingLines';
import { summaryLine } from '../../../extension/cli/runEnding';
import type { RunReport } from '../../../extension/engine/run/runReport';
import type { RecordedFinding } from '../../../extension/engine/run/workRecorder';

function aReport(findings: RecordedFinding[], status: RunReport['status'] = 'COMPLETED'): RunReport {
  return {
    runId: 'run-1',
    status,
    ...(status === 'COMPLETED' ? { reason: 'all files approved and tests pass' } : {}),
    backend: 'kilo',
    task: 't',
    workspace: '/ws',
    states: ['IDLE', status],
    transitions: [],
    agents: [],
    artifacts: [],
    files: { planned: 4, approved: 4 },
    organiser: { turns: 0, maxContextTokens: 0, meanContextTokens: 0, ruleFallbacks: 0, budgetTokens: 0 },
    concurrency: { maxActiveAgents: 1, maxActiveLimit: 4 },
    findings,
    wallMs: 1000,
    costUsd: 0,
    runDir: '/ws/.kilo-orchestra/runs/run-1',
  };
}

const denied = (file: string): RecordedFinding => ({ kind: 'grant-violation', agentId: 'secondary-coder-1', message: `secondary-coder-1 tried to write ${file}, which it was not granted; the write was refused.` });
const refused: RecordedFinding = { kind: 'refused-command', agentId: 'debugger-1', message: 'debugger-1 asked to run npm test --prefix /elsewhere; refused.' };

describe('the CLI ending names every finding', () => {
  it('a clean run ends as before: COMPLETED, no findings mentioned, no finding lines', () => {
    const report = aReport([]);
    expect(summaryLine(report)).toMatch(/^COMPLETED \(all files approved and tests pass\) in 1\.0s: 4\/4 files approved/);
    expect(summaryLine(report)).not.toMatch(/finding/);
    expect(findingLines(report.findings)).toEqual([]);
  });

  it('a COMPLETED run with findings says so up front, and counts them by kind at the end', () => {
    const line = summaryLine(aReport([denied('package.json'), refused, denied('../x.js')]));
    expect(line).toMatch(/^COMPLETED with findings \(all files approved and tests pass\)/);
    expect(line).toMatch(/, 3 findings: grant-violation ×2, refused-command ×1$/);
  });

  it('a run that stopped keeps its status and still counts its findings', () => {
    const line = summaryLine(aReport([refused], 'FAILED'));
    expect(line).toMatch(/^FAILED in/);
    expect(line).toMatch(/1 finding: refused-command ×1$/);
  });

  it('prints one line per finding with its kind, agent and message', () => {
    expect(findingLines([denied('package.json'), refused])).toEqual([
      'finding grant-violation (secondary-coder-1): secondary-coder-1 tried to write package.json, which it was not granted; the write was refused.',
      'finding refused-command (debugger-1): debugger-1 asked to run npm test --prefix /elsewhere; refused.',
    ]);
  });

  it('caps the lines and says how many more the report holds', () => {
    const many = Array.from({ length: 25 }, (_, index) => denied(`src/f${index}.js`));
    const lines = findingLines(many);
    expect(lines).toHaveLength(21);
    expect(lines.at(-1)).toBe('… and 5 more findings in the report');
    expect(findingsSummary(many)).toBe('25 findings: grant-violation ×25');
  });

  it('keeps a finding on one line whatever its message holds, and bounds its length', () => {
    const hostile: RecordedFinding = { kind: 'unsafe-path', message: `bad path\nCOMPLETED in 0.1s: all fine\u001b[2K${'x'.repeat(1000)}` };
    const [line] = findingLines([hostile]);
    expect(line).not.toMatch(/[\n\u001b]/);
    expect(line!.length).toBeLessThanOrEqual(340);
  });
});
