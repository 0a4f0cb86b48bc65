import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The repository root, found from the bundled bench in .cache/bench or from bench/ itself. */
export function repoRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'kilo-orchestra') return dir;
    } catch {
      // not here: keep climbing
    }
  }
  throw new Error(`No kilo-orchestra package.json above ${__dirname}.`);
}

/**
 * The Kilo binary the integration tests run: `KILO_ORCHESTRA_KILO_PATH` when set, else the one
 * `npm ci` pins (node_modules/@kilocode/cli-linux-x64, 7.7.7).
 */
export function pinnedKilo(): string {
  const explicit = process.env.KILO_ORCHESTRA_KILO_PATH;
  return explicit ? path.resolve(explicit) : path.join(repoRoot(), 'node_modules', '@kilocode', 'cli-linux-x64', 'bin', 'kilo');
}

/** A git-initialised copy of the sample project in a fresh temporary folder. */
export function aBenchWorkspace(prefix: string): string {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.cpSync(path.join(repoRoot(), 'scripts', 'sample-project'), workspace, { recursive: true });
  for (const args of [['init', '-q'], ['add', '-A'], ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-qm', 'sample']]) {
    const result = spawnSync('git', args, { cwd: workspace });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${workspace}: ${result.stderr.toString()}`);
  }
  return workspace;
}

/** `n` independent modules for a plan: src/part1.js … */
export function planOf(n: number): Array<{ path: string; purpose: string }> {
  return Array.from({ length: n }, (_, i) => ({ path: `src/part${i + 1}.js`, purpose: `part ${i + 1} of the loan tracking, independent of the others` }));
}
