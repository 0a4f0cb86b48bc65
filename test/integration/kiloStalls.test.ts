import { execFile, execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKiloRuntime, type KiloRuntime } from '../../extension/cli/kiloRuntime';
import type { AgentRecord } from '../../extension/engine/agents/agentSchema';
import { OrchestrationRun } from '../../extension/engine/run/orchestrationRun';
import { MIN_KILO_VERSION, probePermissionRules } from '../../extension/kilo/kiloFitness';
import { KiloHttp } from '../../extension/kilo/kiloHttp';
import { KiloServer } from '../../extension/kilo/kiloServer';
import { startKiloTeamServer } from '../../extension/kilo/kiloTeamServer';
import { orchestraScript } from '../../extension/scriptedModel/orchestraScript';
import type { ScriptRequest } from '../../extension/scriptedModel/scriptedModelServer';
import { isAlive } from '../unit/support/process';
import { rejection } from '../unit/support/errors';
import { SAMPLE_TASK, aSampleWorkspace, chatRequests, kiloArgs } from './kiloRunHarness';

// Kilo fit for purpose, on real binaries: an old Kilo is refused at start, and a whole run on the
// pinned Kilo survives a connection reset mid-answer (Kilo's network wait is answered) and a
// request that hangs (the turn is reported stalled, then retried) without the ten-minute timeout.
const root = path.resolve(__dirname, '../..');
const OLD_KILO_VERSION = '7.0.33';
const RUN_TIMEOUT_MS = 300_000;
/** Short enough for a fast test, long enough that a healthy turn on a busy machine is not taken for a stall. */
const STALL_MS = 8_000;

describe(`an unfit Kilo (${OLD_KILO_VERSION}, which drops the permission rules of a session update)`, () => {
  let oldKilo: string | undefined;
  let unavailable = '';
  const temps: string[] = [];

  beforeAll(async () => {
    // The same script a person runs to test every claimed version; idempotent, so cached after once.
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, 'scripts', 'kiloVersions.mjs'), OLD_KILO_VERSION], { timeout: 240_000 });
      oldKilo = stdout.trim().split(' ')[1];
    } catch (error) {
      unavailable = `Kilo ${OLD_KILO_VERSION} could not be fetched with scripts/kiloVersions.mjs (npm registry unreachable?): ${String(error).slice(0, 300)}`;
    }
  }, 250_000);

  afterEach(() => {
    for (const temp of temps.splice(0)) fs.rmSync(temp, { recursive: true, force: true });
  });

  function aGitWorkspace(): { workspace: string; home: string } {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-unfit-'));
    temps.push(temp);
    const workspace = path.join(temp, 'workspace');
    fs.mkdirSync(workspace);
    fs.writeFileSync(path.join(workspace, 'README.md'), '# sample\n');
    for (const args of [['init', '-q'], ['add', '-A'], ['-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '-qm', 'init']]) execFileSync('git', args, { cwd: workspace });
    return { workspace, home: path.join(temp, 'home') };
  }

  /** Processes still running the old binary (its server must not outlive the refusal). */
  function runningOldKilo(): string[] {
    return execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(oldKilo!) && !/^\s*\d+\s+Z/.test(line));
  }

  it('is refused by version at server start, in one line naming its version, the minimum and how to get a newer one', async ({ skip }) => {
    if (!oldKilo) return skip(unavailable);
    const { workspace, home } = aGitWorkspace();
    const error = await rejection(startKiloTeamServer({ binary: oldKilo, workspace, home, kiloConfig: {}, log: () => undefined }));
    expect(error.reason).toBe('invalid-config');
    expect(error.message).toBe(
      `Kilo at ${oldKilo} is ${OLD_KILO_VERSION}; Kilo Orchestra needs ${MIN_KILO_VERSION} or newer to enforce file grants: update the Kilo Code extension, or point kiloOrchestra.kiloPath / --kilo-path at a newer \`kilo\`.`,
    );
    expect(runningOldKilo()).toEqual([]);
  }, 90_000);

  it('fails the permission probe too: its session update answers 200 but the rules are not kept', async ({ skip }) => {
    if (!oldKilo) return skip(unavailable);
    const { workspace, home } = aGitWorkspace();
    const server = new KiloServer({ binary: oldKilo, cwd: workspace, home, offline: true, startTimeoutMs: 60_000 });
    try {
      const connection = await server.start();
      expect(connection.version).toBe(OLD_KILO_VERSION);
      const http = new KiloHttp({ connection: () => server.connection, directory: workspace });
      const error = await rejection(probePermissionRules(http, { version: connection.version, binary: oldKilo }));
      expect(error.reason).toBe('invalid-config');
      expect(error.message).toContain(`Kilo ${OLD_KILO_VERSION} at ${oldKilo} drops the permission rules of a session update, so file grants would not hold`);
    } finally {
      await server.dispose();
    }
  }, 90_000);

  it('makes the built CLI exit 2 with that one line', async ({ skip }) => {
    if (!oldKilo) return skip(unavailable);
    const cli = path.join(root, 'dist', 'cli.js');
    if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: run `node esbuild.config.mjs` first (npm test builds it).');
    const { workspace } = aGitWorkspace();
    const result = spawnSync(process.execPath, [cli, 'run', '--backend', 'kilo', '--kilo-path', oldKilo, '--task', SAMPLE_TASK, '--workspace', workspace, '--quiet'], { encoding: 'utf8', timeout: 120_000 });
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^kilo-orchestra: Kilo at .* is ${OLD_KILO_VERSION.replace(/\./g, '\\.')}; Kilo Orchestra needs ${MIN_KILO_VERSION.replace(/\./g, '\\.')} or newer .*--kilo-path`));
    expect(runningOldKilo()).toEqual([]);
  }, 150_000);
});

describe('a run on real kilo serve whose model connection resets once and hangs once', () => {
  let runtime: KiloRuntime | undefined;
  let workspace: string | undefined;

  afterEach(async () => {
    const pid = runtime?.server.connection?.pid;
    await runtime?.dispose();
    runtime = undefined;
    if (pid !== undefined) expect(isAlive(pid), `kilo serve pid ${pid} is still running`).toBe(false);
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('answers Kilo\'s network wait after the reset, retries the stalled turn after the hang, and completes with a stalled finding', async () => {
    workspace = aSampleWorkspace('kilo-stalls-');
    // The hang falls on the Code Sceptic's second request: the run is well under way by then.
    let scepticRequests = 0;
    const secondScepticRequest = (request: ScriptRequest) => request.role === 'code-sceptic' && ++scepticRequests === 2;
    runtime = await startKiloRuntime(kiloArgs(workspace, { simLatencyMs: 50 }), () => undefined, {
      stallMs: STALL_MS,
      scripted: {
        script: orchestraScript(),
        faults: [
          { when: (request) => request.role === 'primary-coder', fault: { type: 'drop' } },
          { when: secondScepticRequest, fault: { type: 'hang' } },
        ],
      },
    });
    const run = await OrchestrationRun.create({ workspace, task: SAMPLE_TASK, roles: runtime.roles, backend: runtime.backend, maxActive: 4, onAttention: 'fail' });
    const steps: AgentRecord[] = [];
    run.events.on('agent:statusChanged', (agent) => agent.currentStep !== undefined && steps.push(agent));

    const report = await run.start();

    expect(report.status).toBe('COMPLETED');
    const requests = chatRequests(runtime.scripted!);
    const dropped = requests.filter((request) => request.fault === 'drop');
    const hung = requests.filter((request) => request.fault === 'hang');
    expect(dropped.map((request) => request.role)).toEqual(['primary-coder']);
    expect(hung.map((request) => request.role)).toEqual(['code-sceptic']);
    // Kilo asked again only because its network wait was answered: the coder was shown waiting on the network.
    expect(requests.some((request) => request.role === 'primary-coder' && request.at >= dropped[0]!.endedAt!)).toBe(true);
    expect(steps.some((agent) => agent.role === 'primary-coder' && agent.currentStep!.startsWith('waiting: network error'))).toBe(true);
    // The hung request was given up (Kilo aborted it) and the Sceptic's work was asked for again.
    expect(hung[0]!.endedAt).toBeDefined();
    expect(requests.some((request) => request.role === 'code-sceptic' && request.at >= hung[0]!.endedAt!)).toBe(true);
    expect(steps.some((agent) => agent.role === 'code-sceptic' && agent.currentStep!.startsWith('stalled: no progress for'))).toBe(true);
    const stalled = report.findings.filter((finding) => finding.kind === 'stalled');
    expect(stalled.some((finding) => finding.agentId?.startsWith('code-sceptic') && /has shown no progress for \d+ s/.test(finding.message))).toBe(true);
    // Nothing but stalls was found: the reset cost a retry, not a finding.
    expect(report.findings.filter((finding) => finding.kind !== 'stalled')).toEqual([]);
  }, RUN_TIMEOUT_MS);
});
