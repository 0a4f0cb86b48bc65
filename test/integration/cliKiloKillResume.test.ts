import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { StateChangeSchema } from '../../extension/engine/run/runStateJournal';
import { parseSnapshot } from '../../extension/engine/run/runStateStore';
import type { RequestLogEntry } from '../../extension/scriptedModel/requestLog';
import { CLI_PATH, requireBuiltCli } from './builtCli';
import { KILO_UNDER_TEST, SAMPLE_TASK, aSampleWorkspace } from './kiloRunHarness';

// The built CLI on real `kilo serve` and the scripted model, killed with SIGKILL during
// implementation as a crash would, then resumed: what was finished is not asked for again.

interface Started {
  child: ChildProcess;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function startCli(args: string[], env: NodeJS.ProcessEnv): Started {
  const kiloPath = process.env.KILO_ORCHESTRA_KILO_PATH ? ['--kilo-path', KILO_UNDER_TEST] : [];
  const child = spawn(process.execPath, [CLI_PATH, ...args, ...kiloPath], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, stdout: () => stdout, exited };
}

interface SavedFile {
  path: string;
  stage: string;
}

/** The run's saved file stages, as the run writes them: state.json plus its journal of changes (none until both hold a plan). */
function savedFiles(workspace: string): SavedFile[] {
  const runs = path.join(workspace, '.kilo-orchestra', 'runs');
  const runId = fs.existsSync(runs) ? fs.readdirSync(runs)[0] : undefined;
  if (!runId) return [];
  try {
    const file = path.join(runs, runId, 'state.json');
    let journal = '';
    try {
      journal = fs.readFileSync(path.join(runs, runId, 'state.journal.jsonl'), 'utf8');
    } catch {
      // no changes since state.json
    }
    // A line being appended right now is not a change yet.
    const changes = journal.split('\n').flatMap((line) => {
      try {
        const change = StateChangeSchema.safeParse(JSON.parse(line));
        return change.success ? [change.data] : [];
      } catch {
        return [];
      }
    });
    return parseSnapshot(fs.readFileSync(file, 'utf8'), file, changes).workflow.files;
  } catch {
    return []; // not written yet
  }
}

/** Resolves once state.json shows `moment`, re-checking on every change in the run folder (written by rename); rejects if the CLI ends first. */
function when(workspace: string, started: Started, moment: (files: SavedFile[]) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = fs.watch(workspace, { recursive: true });
    const check = () => {
      if (!moment(savedFiles(workspace))) return;
      watcher.close();
      resolve();
    };
    watcher.on('change', check);
    void started.exited.then(({ code, stderr }) => {
      watcher.close();
      reject(new Error(`The CLI ended (exit ${code}) before implementation approved a file: ${stderr}\n${started.stdout()}`));
    });
    check();
  });
}

function readLog(file: string): RequestLogEntry[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RequestLogEntry);
}

describe('kill -9 of the built CLI on real Kilo during implementation, then resume', () => {
  beforeAll(() => {
    requireBuiltCli();
  });

  it('ends COMPLETED, re-attaches the agents to their Kilo sessions, and never asks for a file finished before the kill', async () => {
    const workspace = aSampleWorkspace('cli-kilo-kill-');
    // Outside the workspace, so no agent's diff shows it; both processes append to it.
    const requestLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-kilo-kill-log-')), 'requests.jsonl');
    const env = { ...process.env, KILO_ORCHESTRA_SCRIPTED_LOG: requestLog };

    const first = startCli(['run', '--backend', 'kilo', '--task', SAMPLE_TASK, '--workspace', workspace, '--sim-latency-ms', '200', '--quiet'], env);
    const approved = (files: SavedFile[]) => files.filter((file) => file.stage === 'approved').length;
    // The first approved file while others are still being written or reviewed.
    await when(workspace, first, (files) => approved(files) >= 1 && approved(files) < files.length);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    // "Finished" as the run saved it at the kill: approved files, and files whose code was done (under review).
    const atKill = savedFiles(workspace);
    const finished = atKill.filter((file) => file.stage === 'approved').map((file) => file.path);
    const coded = atKill.filter((file) => file.stage === 'reviewing').map((file) => file.path);
    expect(finished.length).toBeGreaterThanOrEqual(1);
    const before = readLog(requestLog);
    // Baseline for telling a re-attached session: a new session's first request holds one user message.
    const firstOfRole = (entries: RequestLogEntry[], role: string) => entries.find((entry) => entry.role === role && entry.work !== undefined);
    expect(firstOfRole(before, 'primary-coder')?.userMessages).toBe(1);

    const resumed = startCli(['resume', '--workspace', workspace], env);
    const ended = await resumed.exited;
    const out = resumed.stdout();
    expect(ended.stderr, out).toBe('');
    expect(ended.code, out).toBe(0);

    // The home outlived the kill, so the sessions were still there.
    const sessions = /Kilo sessions: (\d+) re-attached \(their conversations go on\), (\d+) started fresh/.exec(out);
    expect(sessions, out).not.toBeNull();
    expect(Number(sessions![1])).toBeGreaterThanOrEqual(1);

    const runs = path.join(workspace, '.kilo-orchestra', 'runs');
    const [runId] = fs.readdirSync(runs);
    const report = JSON.parse(fs.readFileSync(path.join(runs, runId!, 'report.json'), 'utf8')) as { status: string; files: { planned: number; approved: number } };
    expect(report.status).toBe('COMPLETED');
    expect(report.files.approved).toBe(report.files.planned);

    const after = readLog(requestLog).slice(before.length);
    const asked = (kinds: string[], files: string[]) => after.filter((entry) => entry.work !== undefined && kinds.includes(entry.work.kind) && entry.work.files.some((file) => files.includes(file)));
    expect(after.filter((entry) => entry.work !== undefined).length).toBeGreaterThan(0);
    // Nothing approved is implemented, fixed or reviewed again; nothing coded is implemented again; the plan is not redone.
    expect(asked(['implement', 'fix', 'review-code'], finished)).toEqual([]);
    expect(asked(['implement'], coded)).toEqual([]);
    expect(after.filter((entry) => ['plan', 'revise-plan', 'review-plan', 'structure'].includes(entry.work?.kind ?? ''))).toEqual([]);
    // A re-attached agent's first request after the kill carries its earlier conversation.
    const roles = [...new Set(after.map((entry) => entry.role).filter((role): role is string => role !== undefined && role !== 'organiser'))];
    expect(roles.some((role) => (firstOfRole(after, role)?.userMessages ?? 0) > 1), JSON.stringify(after.map((e) => [e.role, e.work, e.userMessages]))).toBe(true);

    // The run finished, so its private Kilo home is gone.
    expect(fs.existsSync(path.join(os.tmpdir(), `kilo-orchestra-home-${runId}`))).toBe(false);
  }, 600_000);
});
