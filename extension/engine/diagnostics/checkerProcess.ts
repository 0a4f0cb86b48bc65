import { spawn } from 'node:child_process';

/*
 * Runs one checker command the way the gate needs it: the argv exactly (no shell), in the workspace,
 * with its own process group so a stop reaches whatever it started, a time limit, and a cap on how
 * much of its output is kept (the rest is read and thrown away, so the checker never blocks on a full pipe).
 */

export interface CheckerProcessOptions {
  argv: readonly string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Bytes of stdout and of stderr kept, each. */
  maxOutputBytes: number;
  signal: AbortSignal;
}

export type CheckerProcessResult =
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; truncated: boolean }
  /** It could not be started (ENOENT, EACCES …). */
  | { kind: 'not-started'; error: NodeJS.ErrnoException }
  | { kind: 'timed-out' }
  | { kind: 'aborted' };

/** How long the pipes may stay open after the process exited (a leftover holding them). */
const PIPE_GRACE_MS = 2_000;

/** Resolves once the process and everything left in its group are gone; never rejects. */
export function runCheckerProcess(options: CheckerProcessOptions): Promise<CheckerProcessResult> {
  const [command, ...args] = options.argv;
  if (command === undefined) return Promise.resolve({ kind: 'not-started', error: Object.assign(new Error('empty command'), { code: 'ENOENT' }) });
  if (options.signal.aborted) return Promise.resolve({ kind: 'aborted' });
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      shell: false,
      // Its own process group, so one signal stops what it started (tsc's workers, npx's child).
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const stdout = new CappedOutput(options.maxOutputBytes);
    const stderr = new CappedOutput(options.maxOutputBytes);
    let stopped: 'timed-out' | 'aborted' | undefined;
    let settled = false;
    const settle = (result: CheckerProcessResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const stop = (why: 'timed-out' | 'aborted') => {
      stopped ??= why;
      killGroup(child.pid, () => child.kill('SIGKILL'));
    };
    const onAbort = () => stop('aborted');
    const timer = setTimeout(() => stop('timed-out'), options.timeoutMs);
    options.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => stdout.add(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      // Only a failed start arrives here without a pid; a failed kill is no reason to stop waiting.
      if (child.pid === undefined) settle({ kind: 'not-started', error });
    });
    let drain: ReturnType<typeof setTimeout> | undefined;
    const closePipes = () => {
      child.stdout.destroy();
      child.stderr.destroy();
    };
    child.on('exit', () => {
      // Anything it left in its group is stopped. Its output may still be in the pipes, so they are
      // closed only after a grace (or at once when it was stopped): a process that escaped the group
      // and holds them cannot keep the check waiting.
      killGroup(child.pid, () => undefined);
      if (stopped) closePipes();
      else drain = setTimeout(closePipes, PIPE_GRACE_MS);
    });
    child.on('close', (code, signal) => {
      clearTimeout(drain);
      if (stopped) return settle({ kind: stopped });
      settle({ kind: 'exited', code, signal, stdout: stdout.text(), stderr: stderr.text(), truncated: stdout.truncated || stderr.truncated });
    });
  });
}

/** SIGKILL to the process group (POSIX); `fallback` where there are no groups or the group is gone. */
function killGroup(pid: number | undefined, fallback: () => void): void {
  if (pid === undefined || process.platform === 'win32') return fallback();
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
    fallback();
  }
}

/** The first `max` bytes of a stream, decoded once at the end (so a cut never splits a character badly). */
class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly max: number) {}

  add(chunk: Buffer): void {
    if (this.size >= this.max) {
      this.truncated = true;
      return;
    }
    const room = this.max - this.size;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept.length < chunk.length) this.truncated = true;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    // A cut output ends mid-line: that partial line is not read as a diagnostic.
    return this.truncated ? text.slice(0, Math.max(0, text.lastIndexOf('\n'))) : text;
  }
}
