/*
 * Finds the `kilo` executable that runs our private `kilo serve`. Shared by the extension and the
 * CLI, so it never imports `vscode`: the extension passes the Kilo extension's folder in.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { OrchestraError, describeError } from '../engine/util/errors';
import { KILO_QUIET_ENV } from './kiloEnv';

/** Where the binary was found, in the order they are tried. */
export type KiloBinarySource = 'setting' | 'kilo-extension' | 'project' | 'path';

/** Where the binary came from, in words for the terminal and the log. */
export function describeBinarySource(source: KiloBinarySource): string {
  switch (source) {
    case 'setting':
      return 'the path you set';
    case 'kilo-extension':
      return 'shipped with the Kilo Code extension';
    case 'project':
      return "this project's pinned npm package";
    case 'path':
      return 'found on PATH';
  }
}

export interface KiloBinary {
  path: string;
  source: KiloBinarySource;
  /** What `kilo --version` printed, e.g. `7.7.7`. */
  version: string;
}

export interface LocateKiloBinaryOptions {
  /** `kiloOrchestra.kiloPath` / `--kilo-path`: when set it is the only candidate, and must work. */
  explicitPath?: string;
  /** The installed Kilo Code extension's folder; its binary is `bin/kilo` (`bin/kilo.exe` on Windows). */
  extensionPath?: string;
  /** A project whose `node_modules/.bin/kilo` may be used (tests, the demo). */
  projectRoot?: string;
  /** Look for `kilo` on PATH (default true). */
  searchPath?: boolean;
  /**
   * Environment for the PATH lookup and for running `kilo --version` (default `process.env`).
   * Even `--version` writes into Kilo's data folders, so tests pass a private HOME here.
   */
  env?: NodeJS.ProcessEnv;
  /** Limit for `kilo --version` (default 15 s; the npm wrapper's first run is slow). */
  versionTimeoutMs?: number;
  /** Told about candidates that exist but do not run, which are then skipped. */
  log?: (line: { level: 'warn'; message: string }) => void;
}

export const KILO_INSTALL_HINT = 'Install the Kilo Code extension, or `npm i -g @kilocode/cli`, or set kiloOrchestra.kiloPath / --kilo-path.';
const SETTING_HINT = 'Point kiloOrchestra.kiloPath / --kilo-path at a working `kilo` binary, or clear it to let Kilo Orchestra find one.';
const DEFAULT_VERSION_TIMEOUT_MS = 15_000;

/**
 * Finds a working `kilo`: the explicit path if given (never falling through to others), else the
 * Kilo extension's own binary, the project's `node_modules/.bin/kilo`, then PATH. A candidate counts
 * only once `kilo --version` succeeds.
 * @throws OrchestraError `invalid-config` when the explicit path is missing or broken, `backend-unavailable` when nothing is found.
 */
export async function locateKiloBinary(options: LocateKiloBinaryOptions = {}): Promise<KiloBinary> {
  const env = options.env ?? process.env;
  const timeoutMs = options.versionTimeoutMs ?? DEFAULT_VERSION_TIMEOUT_MS;
  const explicit = options.explicitPath?.trim();
  if (explicit) {
    const file = path.resolve(explicit);
    const where = `The Kilo binary set in kiloOrchestra.kiloPath / --kilo-path (${file})`;
    const problem = executableProblem(file);
    if (problem) throw new OrchestraError('invalid-config', `${where} ${problem}.`, { hint: SETTING_HINT });
    try {
      return { path: file, source: 'setting', version: await kiloVersion(file, env, timeoutMs) };
    } catch (error) {
      throw new OrchestraError('invalid-config', `${where} does not run: ${describeError(error)}`, { hint: SETTING_HINT, cause: error });
    }
  }
  const broken: string[] = [];
  for (const candidate of candidates(options, env)) {
    if (executableProblem(candidate.path)) continue;
    try {
      return { ...candidate, version: await kiloVersion(candidate.path, env, timeoutMs) };
    } catch (error) {
      const message = `${candidate.path} (${candidate.source}) does not run: ${describeError(error)}`;
      broken.push(message);
      options.log?.({ level: 'warn', message: `Skipping ${message}` });
    }
  }
  const found = broken.length > 0 ? `No working Kilo binary found; ${broken.join('; ')}.` : 'No Kilo binary found.';
  throw new OrchestraError('backend-unavailable', found, { hint: KILO_INSTALL_HINT });
}

/** How to start `binary` with `args`: npm's Windows `.cmd` shims only run through a shell. */
export function kiloCommand(binary: string, args: string[]): { command: string; args: string[]; shell: boolean } {
  if (process.platform === 'win32' && /\.(cmd|bat)$/i.test(binary)) return { command: `"${binary}"`, args, shell: true };
  return { command: binary, args, shell: false };
}

/** Runs `kilo --version` and returns the version it prints. */
export function kiloVersion(binary: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  const { command, args, shell } = kiloCommand(binary, ['--version']);
  return new Promise((resolve, reject) => {
    // `--version` needs no network: without these an old Kilo (7.0.33) first fetches the model
    // catalogue, which offline runs past the timeout and hides the version it would have printed.
    const quiet = { ...env, ...KILO_QUIET_ENV, KILO_DISABLE_MODELS_FETCH: '1' };
    execFile(command, args, { env: quiet, shell, timeout: timeoutMs, windowsHide: true, encoding: 'utf8' }, (error, stdout, stderr) => {
      const output = `${stdout}\n${stderr}`.trim();
      if (error) {
        const why = error.killed ? `no answer to --version within ${timeoutMs} ms` : error.message.split('\n')[0];
        reject(new Error(output ? `${why}; output: ${lastLines(output)}` : String(why)));
        return;
      }
      const version = /\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?/.exec(stdout)?.[0];
      if (version) resolve(version);
      else reject(new Error(output ? `--version printed no version: ${lastLines(output)}` : '--version printed nothing'));
    });
  });
}

function* candidates(options: LocateKiloBinaryOptions, env: NodeJS.ProcessEnv): Generator<{ path: string; source: KiloBinarySource }> {
  const windows = process.platform === 'win32';
  const seen = new Set<string>();
  const fresh = (file: string): boolean => {
    if (seen.has(file)) return false;
    seen.add(file);
    return true;
  };
  if (options.extensionPath) {
    const file = path.join(options.extensionPath, 'bin', windows ? 'kilo.exe' : 'kilo');
    if (fresh(file)) yield { path: file, source: 'kilo-extension' };
  }
  if (options.projectRoot) {
    // The npm wrapper (@kilocode/cli) when installed, else the platform package's own binary
    // (@kilocode/cli-linux-x64 …), which is what this project pins for its tests and demo.
    const wrapper = path.join(options.projectRoot, 'node_modules', '.bin', windows ? 'kilo.cmd' : 'kilo');
    if (fresh(wrapper)) yield { path: wrapper, source: 'project' };
    const platformBinary = path.join(options.projectRoot, 'node_modules', '@kilocode', `cli-${windows ? 'windows' : process.platform}-${process.arch}`, 'bin', windows ? 'kilo.exe' : 'kilo');
    if (fresh(platformBinary)) yield { path: platformBinary, source: 'project' };
  }
  if (options.searchPath ?? true) {
    const names = windows ? ['kilo.exe', 'kilo.cmd'] : ['kilo'];
    const searchPath = env.PATH ?? env.Path ?? '';
    for (const dir of searchPath.split(path.delimiter).filter((entry) => entry !== '')) {
      for (const name of names) {
        const file = path.resolve(dir, name);
        if (fresh(file)) yield { path: file, source: 'path' };
      }
    }
  }
}

/** Why `file` cannot be run, or undefined when it can be tried. */
function executableProblem(file: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return 'does not exist';
  }
  if (!stat.isFile()) return 'is not a file';
  if (process.platform === 'win32') return undefined;
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return undefined;
  } catch {
    return 'is not executable';
  }
}

function lastLines(text: string, count = 5): string {
  return text.split('\n').slice(-count).join(' | ');
}
