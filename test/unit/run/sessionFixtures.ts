import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimulatedBackend, type SimulatedBackendOptions } from '../../../extension/engine/backends/simulatedBackend';
import type { LogSink } from '../../../extension/run/runLog';
import type { RunRuntime } from '../../../extension/run/runSession';

// Shared fixtures for RunSession tests: a git workspace, a log that prints nothing, a simulated runtime.

export const quietSink: LogSink = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** A fresh git repository in a temporary folder that ignores the run folder, with `files` written in it. */
export function aGitWorkspace(prefix: string, files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  execFileSync('git', ['init', '-q'], { cwd: dir });
  fs.writeFileSync(path.join(dir, '.gitignore'), '.kilo-orchestra/\n');
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

/** A simulated runtime (a fake of the Kilo runtime) that records whether it was stopped. */
export function aFakeRuntime(options: SimulatedBackendOptions = {}): RunRuntime & { stopped: boolean } {
  const backend = new SimulatedBackend(options);
  const runtime = {
    backend,
    description: 'simulated agents (fake runtime)',
    stopped: false,
    async dispose() {
      runtime.stopped = true;
      await backend.dispose();
    },
  };
  return runtime;
}
