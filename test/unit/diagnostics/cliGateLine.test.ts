import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunArgs } from '../../../extension/cli/cliArgs';
import { runCommand } from '../../../extension/cli/runCommand';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import type { WorkflowDefinition } from '../../../extension/protocol/workflowDefinition';

// `run` on the simulated agents with a roles file whose workflow sets the gate: the CLI says which
// checker the gate uses (nothing when it is off), and a checker that cannot start is reported once
// with what to do, while the files still go to review.

const temp: string[] = [];
afterAll(() => {
  for (const dir of temp) fs.rmSync(dir, { recursive: true, force: true });
});

function aFolder(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temp.push(dir);
  return dir;
}

/** A terminal that keeps what was written. */
function aTerminal(): { out: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const out = { isTTY: false, columns: 120, write: (chunk: string) => chunks.push(chunk) > 0, on: () => out } as unknown as NodeJS.WriteStream;
  return { out, text: () => chunks.join('') };
}

async function runWith(workflow: WorkflowDefinition, workspace = aFolder('cli-gate-')): Promise<{ code: number; output: string; report: { status: string; findings: Array<{ kind: string; message: string }> } }> {
  const rolesFile = path.join(aFolder('cli-gate-roles-'), 'roles.json');
  fs.writeFileSync(rolesFile, JSON.stringify({ ...simulatedRolesConfig(), workflow }));
  const reportFile = path.join(aFolder('cli-gate-report-'), 'report.json');
  const args: RunArgs = { command: 'run', task: 'Add overdue-loan tracking', workspace, backend: 'simulated', rolesFile, reportFile, maxAgents: 4, simFiles: 2, simLatencyMs: 1, models: {}, quiet: false };
  const terminal = aTerminal();
  const code = await runCommand(args, terminal.out);
  return { code, output: terminal.text(), report: JSON.parse(fs.readFileSync(reportFile, 'utf8')) };
}

describe("the CLI's line about the diagnostics gate", () => {
  it('names the configured checker and its rounds, and the run completes', async () => {
    // The check notes each time it ran (in the workspace, its working directory).
    const command = `${process.execPath} -e require('fs').appendFileSync('checks.log','x')`;
    const workspace = aFolder('cli-gate-');
    const { code, output, report } = await runWith({ diagnostics: { command, maxRounds: 3 } }, workspace);
    expect(output).toContain(`\nChecks before review: ${command} (errors go back to the coder, at most 3 rounds)\n`);
    expect(report.status).toBe('COMPLETED');
    expect(code).toBe(0);
    // One check per coded file (two simulated files), before each review.
    expect(fs.readFileSync(path.join(workspace, 'checks.log'), 'utf8').length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('prints nothing about the gate when it is off', async () => {
    const { output } = await runWith({ diagnostics: { enabled: false, command: `${process.execPath} -e 0` } });
    expect(output).not.toContain('Checks before review');
  }, 60_000);

  it('reports a checker that cannot start once, with what to do, and the files still go to review', async () => {
    const { report } = await runWith({ diagnostics: { command: '/no/such/checker --strict' } });
    expect(report.status).toBe('COMPLETED');
    const broken = report.findings.filter((finding) => finding.kind === 'checker-failed');
    expect(broken).toHaveLength(1);
    expect(broken[0]!.message).toContain('/no/such/checker was not found');
    expect(broken[0]!.message).toContain('workflow.diagnostics.command');
  }, 60_000);
});
