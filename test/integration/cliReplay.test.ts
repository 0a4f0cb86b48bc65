import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { aSampleCopy, requireBuiltCli, runCli } from './builtCli';

// Runs the built CLI bundle (`npm test` builds it first) as a user would.


describe('kilo-orchestra replay (built CLI)', () => {
  beforeAll(() => {
    requireBuiltCli();
  });

  it('replays a recorded concurrent simulated run into a new run folder with the same states, and says it matches', () => {
    const workspace = aSampleCopy('cli-replay-');
    const original = path.join(workspace, 'original.json');
    const ran = runCli(['run', '--task', 'x', '--workspace', workspace, '--backend', 'simulated', '--sim-files', '10', '--max-agents', '4', '--sim-latency-ms', '5', '--report', original, '--quiet']);
    expect(ran.status).toBe(0);
    const { runId, status, states } = JSON.parse(fs.readFileSync(original, 'utf8'));
    expect(fs.existsSync(path.join(workspace, '.kilo-orchestra', 'runs', runId, 'replies.jsonl'))).toBe(true);

    const replayFile = path.join(workspace, 'replay.json');
    const replayed = runCli(['replay', '--workspace', workspace, '--run', runId, '--report', replayFile, '--quiet']);
    expect(replayed.stderr).toBe('');
    const replay = JSON.parse(fs.readFileSync(replayFile, 'utf8'));
    expect(replay.runId).toBe(`${runId}-replay-1`);
    expect(replay.status).toBe(status);
    // Status, states, artifacts and decisions are all reproduced: exit 0, nothing said about the order.
    expect(replayed.stdout).toContain(`replay matches ${runId}: same status, states, artifacts and decisions.`);
    expect(replayed.stdout).not.toContain('could not keep the recorded order');
    expect(replayed.status).toBe(0);
    expect(replay.states).toEqual(states);
  }, 180_000);

  it('saves the files as they are before replaying over them, so rollback brings back an edit made after the run', () => {
    const workspace = aSampleCopy('cli-replay-git-');
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', ...args], { cwd: workspace, encoding: 'utf8' });
    for (const args of [['init', '-q'], ['add', '-A'], ['commit', '-qm', 'sample']]) expect(git(...args).status).toBe(0);
    const original = path.join(workspace, 'original.json');
    expect(runCli(['run', '--task', 'x', '--workspace', workspace, '--backend', 'simulated', '--sim-files', '3', '--max-agents', '1', '--report', original, '--quiet']).status).toBe(0);
    const { runId } = JSON.parse(fs.readFileSync(original, 'utf8')) as { runId: string };
    // A file the run created (the run folder and the report aside).
    const created = git('ls-files', '--others', '--exclude-standard').stdout.split('\n').filter((name) => name.startsWith('src/'));
    const file = created[0]!;
    expect(file).toBeDefined();
    fs.writeFileSync(path.join(workspace, file), '// my own edit after the run\n');

    const replayed = runCli(['replay', '--workspace', workspace, '--run', runId, '--quiet']);
    expect(replayed.status).toBe(0);
    expect(fs.readFileSync(path.join(workspace, file), 'utf8')).not.toBe('// my own edit after the run\n');
    const rolledBack = runCli(['rollback', '--workspace', workspace, '--run', `${runId}-replay-1`, '--to', '1']);
    expect(rolledBack.status).toBe(0);
    expect(fs.readFileSync(path.join(workspace, file), 'utf8')).toBe('// my own edit after the run\n');
  }, 180_000);

  it('forks a simulated run at a mid transition into a new run that ends COMPLETED on the changed model, with the states before it the run\'s', () => {
    const workspace = aSampleCopy('cli-fork-');
    const original = path.join(workspace, 'original.json');
    expect(runCli(['run', '--task', 'x', '--workspace', workspace, '--backend', 'simulated', '--sim-files', '4', '--report', original, '--quiet']).status).toBe(0);
    const { runId, states } = JSON.parse(fs.readFileSync(original, 'utf8')) as { runId: string; states: string[] };
    const at = states.indexOf('CODE_IMPLEMENTATION');
    expect(at).toBeGreaterThan(1);

    const forkFile = path.join(workspace, 'fork.json');
    const forked = runCli(['replay', '--workspace', workspace, '--run', runId, '--fork-at', String(at), '--model', 'secondary-coder=other/cheap-coder', '--backend', 'simulated', '--report', forkFile, '--quiet']);
    expect(forked.stderr).toBe('');
    expect(forked.status).toBe(0);
    expect(forked.stdout).toContain(`fork replayed ${runId} up to transition ${at} (CODE_IMPLEMENTATION) and went on live.`);
    const fork = JSON.parse(fs.readFileSync(forkFile, 'utf8'));
    expect(fork.runId).toBe(`${runId}-fork-1`);
    expect(fork.status).toBe('COMPLETED');
    expect(fork.states.slice(0, at + 1)).toEqual(states.slice(0, at + 1));
    const saved = JSON.parse(fs.readFileSync(path.join(workspace, '.kilo-orchestra', 'runs', fork.runId, 'state.json'), 'utf8'));
    expect(saved.forkedFrom).toEqual({ runId, atTransition: at });
    expect(saved.profiles['secondary-coder']).toBe('other-cheap-coder');
    // The coders are on the new model, and their turns after the hand-over were live ones: a recorded
    // turn costs what it cost then, a live one on the unpriced model is billed at the default price.
    type Agent = { id: string; role: string; profile: string; costUsd: number };
    const coders = (report: { agents: Agent[] }) => report.agents.filter((agent) => agent.role === 'secondary-coder');
    expect(coders(fork).map((agent) => agent.profile)).toEqual(['other/cheap-coder', 'other/cheap-coder']);
    const before = JSON.parse(fs.readFileSync(original, 'utf8')) as { agents: Agent[] };
    expect(coders(fork).map((agent) => agent.costUsd)).not.toEqual(coders(before).map((agent) => agent.costUsd));

    const beyond = runCli(['replay', '--workspace', workspace, '--run', runId, '--fork-at', String(states.length)]);
    expect(beyond.status).toBe(2);
    expect(beyond.stderr).toBe(`kilo-orchestra: --fork-at ${states.length}: run ${runId} made ${states.length - 1} transitions (its state.json); fork at 1 to ${states.length - 1}.\n`);
  }, 180_000);

  it('a run with no such id is refused with one line and exit code 2', () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-replay-'));
    const result = runCli(['replay', '--workspace', workspace, '--run', 'run-nope']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`kilo-orchestra: No run run-nope in ${workspace}.\n`);
  });
});
