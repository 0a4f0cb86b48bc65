import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, aSampleCopy, requireBuiltCli } from './builtCli';

// Runs the built CLI bundle (`npm test` builds it first) and kills it with SIGKILL, as a crash would.
const FILES = 20;
const SIM = ['--backend', 'simulated', '--sim-files', String(FILES), '--sim-latency-ms', '50', '--quiet'];

function aGitWorkspace(): string {
  const workspace = aSampleCopy('cli-kill-');
  const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], { cwd: workspace, encoding: 'utf8' });
  if (!fs.existsSync(path.join(workspace, '.git'))) {
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'sample project');
  }
  return workspace;
}

interface Started {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function startCli(args: string[]): Started {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, exited };
}

/** The fields of a state or artifact journal line this test reads. */
interface JournalLine {
  seq: number;
  workflow?: { set?: { phase?: string } };
  record?: { id: string; type: string };
}

/** What the run folder shows now: the saved phase and the artifacts the index names, by type. */
function observe(workspace: string): { phase?: string; counts: Record<string, number> } {
  const runs = path.join(workspace, '.kilo-orchestra', 'runs');
  const runId = fs.existsSync(runs) ? fs.readdirSync(runs)[0] : undefined;
  if (!runId) return { counts: {} };
  const read = (file: string): unknown => {
    try {
      return JSON.parse(fs.readFileSync(path.join(runs, runId, file), 'utf8'));
    } catch {
      return undefined; // not written yet
    }
  };
  // Each store is a snapshot plus a journal of changes after it (whole lines only; the last may be mid-write).
  const journal = (file: string): JournalLine[] => {
    let text = '';
    try {
      text = fs.readFileSync(path.join(runs, runId, file), 'utf8');
    } catch {
      return []; // not written yet
    }
    return text.split('\n').flatMap((line) => {
      try {
        return line === '' ? [] : [JSON.parse(line) as JournalLine];
      } catch {
        return [];
      }
    });
  };
  const state = read('state.json') as { journalSeq?: number; workflow?: { phase?: string } } | undefined;
  let phase = state?.workflow?.phase;
  for (const change of journal('state.journal.jsonl')) if (change.seq > (state?.journalSeq ?? 0) && change.workflow?.set?.phase) phase = change.workflow.set.phase;
  const index = read(path.join('artifacts', 'artifacts.json')) as { journalSeq?: number; artifacts?: Array<{ id: string; type: string }> } | undefined;
  const records = new Map((index?.artifacts ?? []).map((record) => [record.id, record]));
  for (const change of journal(path.join('artifacts', 'artifacts.journal.jsonl'))) if (change.record && change.seq > (index?.journalSeq ?? 0)) records.set(change.record.id, change.record);
  const counts: Record<string, number> = {};
  for (const record of records.values()) counts[record.type] = (counts[record.type] ?? 0) + 1;
  return { phase, counts };
}

/**
 * Resolves once the run folder shows `moment`, watching the workspace for changes (the run appends
 * to its journals or writes its state and index by rename, so every step is a change event); rejects if the process ends first.
 */
function when(workspace: string, started: Started, moment: (seen: ReturnType<typeof observe>) => boolean): Promise<ReturnType<typeof observe>> {
  return new Promise((resolve, reject) => {
    const watcher = fs.watch(workspace, { recursive: true });
    const check = () => {
      const seen = observe(workspace);
      if (!moment(seen)) return;
      watcher.close();
      resolve(seen);
    };
    watcher.on('change', check);
    void started.exited.then(({ code, stderr }) => {
      watcher.close();
      reject(new Error(`The CLI ended (exit ${code}) before the moment to kill it: ${stderr} ${JSON.stringify(observe(workspace))}`));
    });
    check();
  });
}

async function killAt(workspace: string, started: Started, moment: (seen: ReturnType<typeof observe>) => boolean): Promise<ReturnType<typeof observe>> {
  const seen = await when(workspace, started, moment);
  started.child.kill('SIGKILL');
  const { signal } = await started.exited;
  expect(signal).toBe('SIGKILL');
  return seen;
}

describe('kill -9 of the built CLI, then resume (simulated backend)', () => {
  beforeAll(() => {
    requireBuiltCli();
  });

  it('three kills at observed moments, each followed by resume, end COMPLETED with every file approved and none redone', async () => {
    const workspace = aGitWorkspace();
    const resume = () => startCli(['resume', '--workspace', workspace, ...SIM]);

    const code = (seen: ReturnType<typeof observe>) => seen.counts.code ?? 0;
    // 1: the first run, once a few files are coded (implementation and review overlap on the board).
    const first = await killAt(workspace, startCli(['run', '--task', 'Add overdue-loan tracking', '--workspace', workspace, ...SIM]), (seen) => code(seen) >= 3);
    // 2: the first resume, once it has coded more files.
    const second = await killAt(workspace, resume(), (seen) => code(seen) >= code(first) + 4);
    // 3: the second resume, once it has written more reviews.
    const reviews = second.counts.review ?? 0;
    const third = await killAt(workspace, resume(), (seen) => (seen.counts.review ?? 0) >= reviews + 3);
    expect(code(first)).toBeLessThan(code(second));
    expect(third.phase).not.toBe('COMPLETED');

    const last = resume();
    const ended = await last.exited;
    expect(ended.stderr).toBe('');
    expect(ended.code).toBe(0);
    const runs = path.join(workspace, '.kilo-orchestra', 'runs');
    const [runId] = fs.readdirSync(runs);
    const report = JSON.parse(fs.readFileSync(path.join(runs, runId!, 'report.json'), 'utf8')) as {
      status: string;
      files: { planned: number; approved: number };
      artifacts: Array<{ type: string; version: number }>;
    };
    expect(report.status).toBe('COMPLETED');
    expect(report.files).toEqual({ planned: FILES, approved: FILES });
    const count = (type: string) => report.artifacts.filter((artifact) => artifact.type === type).length;
    expect(count('plan')).toBe(1);
    expect(count('pseudocode')).toBe(FILES);
    expect(count('code')).toBe(FILES);
    // The event log of all four processes reads back whole, numbered without a gap or a repeat.
    const lines = fs.readFileSync(path.join(runs, runId!, 'events.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines.map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual(lines.map((_, index) => index + 1));
    // No content file, temp file or second run folder is left over from the kills.
    expect(fs.readdirSync(runs)).toEqual([runId]);
    const leftovers = fs.readdirSync(path.join(runs, runId!), { recursive: true }).map(String).filter((name) => name.endsWith('.tmp'));
    expect(leftovers).toEqual([]);

    // Checkpoints go on numbering across the kills: one before the run, one before each resume, none overwritten.
    const subjects = spawnSync('git', ['--git-dir', path.join(workspace, '.kilo-orchestra', 'checkpoints.git'), 'for-each-ref', '--sort=refname', '--format=%(refname:lstrip=-1) %(contents:subject)', `refs/kilo-orchestra/${runId}/`], { cwd: workspace, encoding: 'utf8' })
      .stdout.trim()
      .split('\n')
      .map((line) => line.replace(/^\d+ Kilo Orchestra checkpoint: /, ''));
    expect(subjects.filter((label) => label === 'before the run')).toHaveLength(1);
    expect(subjects.filter((label) => label === 'before the resume')).toHaveLength(3);

    // The finished run is not resumed again: named, it is refused in one line; unnamed, there is none.
    const named = spawnSync(process.execPath, [CLI_PATH, 'resume', '--workspace', workspace, '--run', runId!, ...SIM], { encoding: 'utf8' });
    expect(named.status).toBe(2);
    expect(named.stderr.trim()).toBe(`kilo-orchestra: Run ${runId} is COMPLETED; only an unfinished run can be resumed.`);
    const unnamed = spawnSync(process.execPath, [CLI_PATH, 'resume', '--workspace', workspace, ...SIM], { encoding: 'utf8' });
    expect(unnamed.stderr.trim()).toBe(`kilo-orchestra: No unfinished run in ${workspace}; nothing to resume.`);
  }, 180_000);
});
