import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// Runs the built CLI bundle (`npm test` builds it first) as a user would.
const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist', 'cli.js');

function runCli(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe('kilo-orchestra replay (built CLI)', () => {
  beforeAll(() => {
    if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does).');
  });

  it('replays a recorded simulated run into a new run folder and says the report matches', () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-replay-'));
    fs.cpSync(path.join(root, 'scripts', 'sample-project'), workspace, { recursive: true });
    const original = path.join(workspace, 'original.json');
    const ran = runCli(['run', '--task', 'x', '--workspace', workspace, '--backend', 'simulated', '--sim-files', '10', '--max-agents', '1', '--report', original, '--quiet']);
    expect(ran.status).toBe(0);
    const { runId, status, states } = JSON.parse(fs.readFileSync(original, 'utf8'));
    expect(fs.existsSync(path.join(workspace, '.kilo-orchestra', 'runs', runId, 'replies.jsonl'))).toBe(true);

    const replayFile = path.join(workspace, 'replay.json');
    const replayed = runCli(['replay', '--workspace', workspace, '--run', runId, '--report', replayFile, '--quiet']);
    expect(replayed.stderr).toBe('');
    expect(replayed.stdout).toContain(`replay matches ${runId}: same status, states, artifacts and decisions.`);
    expect(replayed.status).toBe(0);
    const replay = JSON.parse(fs.readFileSync(replayFile, 'utf8'));
    expect(replay.runId).toBe(`${runId}-replay-1`);
    expect({ status: replay.status, states: replay.states }).toEqual({ status, states });
  }, 180_000);

  it('a run with no such id is refused with one line and exit code 2', () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-replay-'));
    const result = runCli(['replay', '--workspace', workspace, '--run', 'run-nope']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`kilo-orchestra: No run run-nope in ${workspace}.\n`);
  });
});
