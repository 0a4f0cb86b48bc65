import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, aSampleCopy, requireBuiltCli, stdoutMatch } from './builtCli';

// `kilo-orchestra say` from a second process, to a run the built CLI is running (or has paused).
// The simulated turns are slow enough that the run is still working while `say` and `--apply` go out.
const SIM = ['--backend', 'simulated', '--sim-files', '8', '--sim-latency-ms', '600'];

interface Report {
  status: string;
  files: { planned: number; approved: number };
}
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

async function aRunningRun(workspace: string) {
  const child = spawn(process.execPath, [CLI_PATH, 'run', '--task', 'Add overdue-loan tracking', '--workspace', workspace, ...SIM], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  // The progress lines name each phase as the run enters it.
  const [, runId] = await stdoutMatch(child, /^Run (\S+) on [\s\S]*→ Writing the code/m);
  // Read on, so the run never blocks on a full pipe.
  child.stdout!.resume();
  return { child, runId: runId!, runDir: path.join(workspace, '.kilo-orchestra', 'runs', runId!), exited };
}

const say = (workspace: string, ...words: string[]) => spawnSync(process.execPath, [CLI_PATH, 'say', '--workspace', workspace, ...words], { encoding: 'utf8', timeout: 120_000 });

describe('kilo-orchestra say (built CLI)', () => {
  beforeAll(() => {
    requireBuiltCli();
  });

  it('adds a file to a running run through a proposal applied from another terminal; the run ends with it approved', async () => {
    const workspace = aSampleCopy('cli-say-');
    const { runDir, exited } = await aRunningRun(workspace);

    const asked = say(workspace, 'Also add src/report.js that lists overdue loans by member');
    expect(asked.stderr).toBe('');
    expect(asked.status).toBe(0);
    expect(asked.stdout).toContain('proposed (p1): add src/report.js to the plan (lists overdue loans by member)');
    expect(asked.stdout).toContain('--apply p1');

    const applied = say(workspace, '--apply', 'p1');
    expect(applied.stdout).toContain('Done: add src/report.js to the plan');
    expect(applied.status).toBe(0);

    const [code] = await exited;
    expect(code).toBe(0);
    const report = readJson<Report>(path.join(runDir, 'report.json'));
    expect(report).toMatchObject({ status: 'COMPLETED', files: { planned: 9, approved: 9 } });
    expect(fs.existsSync(path.join(workspace, 'src', 'report.js'))).toBe(true);
  }, 180_000);

  it('leaves a message for a paused run, answered when it is resumed: "skip the docs" then takes effect', async () => {
    const workspace = aSampleCopy('cli-say-paused-');
    const { child, runDir, exited } = await aRunningRun(workspace);
    child.kill('SIGINT');
    await exited;

    const queued = say(workspace, 'Please skip the docs');
    expect(queued.status).toBe(0);
    expect(queued.stdout).toMatch(/is interrupted; the message waits in its mailbox/);
    expect(queued.stdout).toContain('kilo-orchestra resume --workspace');

    const resumed = spawnSync(process.execPath, [CLI_PATH, 'resume', '--workspace', workspace, ...SIM.slice(2), '--quiet'], { encoding: 'utf8', timeout: 120_000 });
    expect(resumed.status).toBe(0);
    const answers = fs.readdirSync(path.join(runDir, 'mailbox')).filter((name) => name.endsWith('.answer.json'));
    expect(answers).toHaveLength(1);
    const answer = readJson<{ ok: boolean; actions: Array<{ status: string; said: string }> }>(path.join(runDir, 'mailbox', answers[0]!));
    expect(answer.actions).toEqual([{ status: 'applied', said: 'leave documentation out of this run' }]);
    const events = fs.readFileSync(path.join(runDir, 'events.jsonl'), 'utf8');
    expect(events).not.toMatch(/"to":"DOCUMENTATION"/);
  }, 180_000);

  it('says plainly when the workspace has no run to talk to', () => {
    const result = say(aSampleCopy('cli-say-none-'), 'hello');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/No run of .* is running or paused/);
    expect(result.stderr).toContain('kilo-orchestra run --workspace');
  }, 60_000);
});
