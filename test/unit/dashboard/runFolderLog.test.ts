import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DashboardModel } from '../../../extension/dashboard/dashboardModel';
import { loadRunFolder } from '../../../extension/dashboard/runFolder';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { OrchestrationRun } from '../../../extension/engine/run/orchestrationRun';

async function aFinishedRunFolder(): Promise<string> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'run-folder-log-'));
  const run = await OrchestrationRun.create({
    workspace,
    task: 'Add overdue-loan tracking',
    roles: resolveRoles(simulatedRolesConfig()),
    backend: new SimulatedBackend({ files: 3 }),
    onAttention: 'fail',
    workflow: { retryBaseMs: 1 },
  });
  expect((await run.start()).status).toBe('COMPLETED');
  return run.runDir;
}

describe('rebuilding a finished run from its folder, through the event log schema', () => {
  it('a damaged line in events.jsonl costs that entry only, not the timeline, and is shown as a finding', async () => {
    const runDir = await aFinishedRunFolder();
    const whole = (await loadRunFolder(new DashboardModel(), runDir)).state();
    expect(whole.run?.phase).toBe('COMPLETED');
    expect(whole.timeline.length).toBeGreaterThan(5);

    // Replace the first transition line with garbage; everything after it must still be read.
    const file = path.join(runDir, 'events.jsonl');
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    const damaged = lines.findIndex((line) => JSON.parse(line).kind === 'transition');
    lines[damaged] = '{"seq": oops';
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const rebuilt = (await loadRunFolder(new DashboardModel(), runDir)).state();
    expect(rebuilt.run?.phase).toBe('COMPLETED');
    const skipped = rebuilt.timeline.filter((entry) => entry.kind === 'finding' && entry.title === 'event-log');
    expect(skipped).toEqual([expect.objectContaining({ detail: expect.stringContaining(`line ${damaged + 1} is not valid JSON`) })]);
    // One transition lost, one finding saying so.
    expect(rebuilt.timeline.length).toBe(whole.timeline.length);
    expect(rebuilt.timeline.filter((entry) => entry.kind !== 'finding')).toHaveLength(whole.timeline.length - 1);
    expect(rebuilt.agents.map((agent) => agent.status)).toEqual(whole.agents.map((agent) => agent.status));
  }, 60_000);
});
