import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CommandChecker, splitCommand } from '../../../extension/engine/diagnostics/commandChecker';
import { rejection } from '../support/errors';
import { isAlive } from '../support/process';

const repoTsc = path.resolve(__dirname, '../../../node_modules/typescript/bin/tsc');
const temp: string[] = [];
afterAll(() => {
  for (const dir of temp) fs.rmSync(dir, { recursive: true, force: true });
});

function aFolder(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'command-checker-'));
  temp.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** A TypeScript project with one type error in src/fines.ts and a clean src/loans.ts. */
function aTypeScriptProject(): string {
  return aFolder({
    'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'ES2022', moduleResolution: 'bundler', types: [], skipLibCheck: true }, include: ['src'] }),
    'src/fines.ts': 'export function fine(days: number): number {\n  const rate: number = "three";\n  return days * rate;\n}\n',
    'src/loans.ts': 'export function due(start: Date): Date {\n  return new Date(start.getTime() + 14 * 86_400_000);\n}\n',
  });
}

/** A checker running `node -e script`. */
function nodeScript(workspace: string, script: string, options: { timeoutMs?: number; maxOutputBytes?: number } = {}): CommandChecker {
  return new CommandChecker({ argv: [process.execPath, '-e', script], workspace, description: 'the test script', ...options });
}

const never = new AbortController().signal;

describe('the command checker on a real TypeScript project', () => {
  it("reports the type error of the file asked about, read from the repository's own tsc", async () => {
    const workspace = aTypeScriptProject();
    const checker = new CommandChecker({ argv: [process.execPath, repoTsc, '--noEmit', '-p', 'tsconfig.json'], workspace, description: 'tsc --noEmit -p tsconfig.json' });
    expect(await checker.check(['src/fines.ts'], never)).toEqual([
      { file: 'src/fines.ts', line: 2, column: 9, severity: 'error', source: 'TS2322', message: "Type 'string' is not assignable to type 'number'." },
    ]);
    // A failing exit with errors elsewhere is a normal result: nothing wrong in the file asked about.
    expect(await checker.check(['src/loans.ts'], never)).toEqual([]);
    fs.writeFileSync(path.join(workspace, 'src/fines.ts'), 'export function fine(days: number): number {\n  return days * 3;\n}\n');
    expect(await checker.check(['src/fines.ts'], never)).toEqual([]);
  }, 120_000);
});

describe('the command checker with a broken or hostile command', () => {
  it('rejects a command that cannot start with a hint naming the setting', async () => {
    const error = await rejection(new CommandChecker({ argv: ['/no/such/checker', '--all'], workspace: aFolder() }).check(['src/a.ts'], never));
    expect(error.reason).toBe('invalid-config');
    expect(error.message).toContain('/no/such/checker was not found');
    expect(error.hint).toContain('workflow.diagnostics.command');
  });

  it('rejects a failing exit that printed nothing readable, quoting the end of the output', async () => {
    const error = await rejection(nodeScript(aFolder(), "console.error('cannot read config \\x1b[31mfile\\x1b[0m'); process.exit(2)").check(['src/a.ts'], never));
    expect(error.reason).toBe('invalid-config');
    expect(error.message).toContain('exited with code 2');
    expect(error.message).toContain('cannot read config file');
    expect(error.message).not.toContain('\x1b');
    expect(error.hint).toMatch(/--format unix/);
  });

  it('takes a passing command that printed no diagnostics as clean', async () => {
    expect(await nodeScript(aFolder(), "console.log('All good: 0 problems')").check(['src/a.ts'], never)).toEqual([]);
  });

  it('keeps only the first part of a flood of output and still returns', async () => {
    const script = "const line = 'src/a.ts(1,1): error TS1: flood\\n'.repeat(1000); for (let i = 0; i < 400; i++) process.stdout.write(line); process.exitCode = 1";
    const found = await nodeScript(aFolder(), script, { maxOutputBytes: 64 * 1024 }).check(['src/a.ts'], never);
    expect(found.length).toBeGreaterThan(0);
    expect(found.length).toBeLessThan(64 * 1024 / 20);
    expect(found.every((d) => d.message === 'flood')).toBe(true);
  });

  it('runs the argv exactly: no shell expands what it is given', async () => {
    const echo = new CommandChecker({ argv: [process.execPath, '-e', "console.log(`src/a.ts(1,1): error TS1: ${process.argv.slice(1).join('|')}`)", '$HOME', '*', '`id`', ';', 'ls'], workspace: aFolder() });
    expect((await echo.check(['src/a.ts'], never))[0]?.message).toBe('$HOME|*|`id`|;|ls');
  });

  it('stops a command that runs past its time limit', async () => {
    const error = await rejection(nodeScript(aFolder(), 'setInterval(() => {}, 1000)', { timeoutMs: 200 }).check(['src/a.ts'], never));
    expect(error.reason).toBe('io-failed');
    expect(error.message).toContain('did not finish');
  });

  it('on abort kills the whole process group, the checker and what it started', async () => {
    const workspace = aFolder();
    const pidFile = path.join(workspace, 'pids.json');
    const script = `
      const { spawn } = require('node:child_process');
      const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' });
      require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, JSON.stringify([process.pid, grandchild.pid]));
      setInterval(() => {}, 1000);`;
    const controller = new AbortController();
    const started = new Promise<void>((resolve) => {
      const watcher = fs.watch(workspace, () => {
        if (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, 'utf8') === '') return;
        watcher.close();
        resolve();
      });
    });
    const checking = nodeScript(workspace, script).check(['src/a.ts'], controller.signal);
    await started;
    const pids = JSON.parse(fs.readFileSync(pidFile, 'utf8')) as number[];
    controller.abort();
    expect((await rejection(checking)).reason).toBe('aborted');
    await vi.waitFor(() => expect(pids.filter((pid) => isAlive(pid) && !isZombie(pid))).toEqual([]));
  });

  it('refuses an empty command', () => {
    expect(() => new CommandChecker({ argv: [], workspace: aFolder() })).toThrow(/empty/);
  });
});

describe('splitting a configured command', () => {
  it('splits on spaces only, dropping repeated ones', () => {
    expect(splitCommand('npx  tsc --noEmit -p tsconfig.json')).toEqual(['npx', 'tsc', '--noEmit', '-p', 'tsconfig.json']);
    expect(splitCommand('eslint "src dir" --format unix')).toEqual(['eslint', '"src', 'dir"', '--format', 'unix']);
  });
});

/** A dead process its parent has not reaped yet still answers signal 0. */
function isZombie(pid: number): boolean {
  try {
    return /\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
