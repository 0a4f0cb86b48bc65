import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The built CLI bundle (`npm test` builds it first), run as a user would, for the CLI integration tests.

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const CLI_PATH = path.join(REPO_ROOT, 'dist', 'cli.js');

/** Throws a clear error when dist/cli.js has not been built; call it in beforeAll. */
export function requireBuiltCli(): void {
  if (!fs.existsSync(CLI_PATH)) throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does).');
}

/** Runs `node dist/cli.js …args` to its end. */
export function runCli(args: string[], timeoutMs = 120_000) {
  return spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8', timeout: timeoutMs });
}

/** A fresh copy of the bundled sample project in a temporary folder (not a git repository). */
export function aSampleCopy(prefix: string): string {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.cpSync(path.join(REPO_ROOT, 'scripts', 'sample-project'), workspace, { recursive: true });
  return workspace;
}

/** Resolves with the first match of `pattern` in the child's stdout so far; rejects if it exits first. */
export function stdoutMatch(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match) {
        child.stdout!.off('data', onData);
        resolve(match);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the CLI exited (${code}) before printing ${pattern}: ${text}`)));
  });
}
