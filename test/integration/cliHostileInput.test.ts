import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runCli } from './builtCli';

// The built CLI refuses bad input at once, with one line and exit 2, before any server starts.


function aGitWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-hostile-'));
  fs.mkdirSync(path.join(dir, '.git'));
  return dir;
}

function expectOneLineRefusal(result: ReturnType<typeof runCli>, message: RegExp): void {
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  // Nothing was started: no run line, no server log.
  expect(result.stdout).toBe('');
}


describe('hostile input to the built CLI', () => {
  beforeAll(() => {
    requireBuiltCli();
  });

  // A Kilo path that does not exist proves the order: had the binary been looked up (or a server
  // started) first, the error would be about the binary.
  const kilo = ['--backend', 'kilo', '--kilo-path', '/nonexistent/kilo', '--task', 'x'];

  it('an invalid roles file on the kilo backend exits 2 with one line, before the binary is looked up', () => {
    const workspace = aGitWorkspace();
    const roles = path.join(workspace, 'roles.json');
    fs.writeFileSync(roles, JSON.stringify({ roles: [{ id: 'debugger', instance: 2 }] }));
    expectOneLineRefusal(runCli(['run', ...kilo, '--workspace', workspace, '--roles', roles]), /roles\.json: roles\[0\]\.instance: unknown key; did you mean "instances"\?/);
  });

  it('a roles file with a duplicate role on the kilo backend exits 2 with one line', () => {
    const workspace = aGitWorkspace();
    const roles = path.join(workspace, 'roles.json');
    fs.writeFileSync(roles, JSON.stringify({ roles: [{ id: 'debugger' }, { id: 'debugger', active: false }] }));
    expectOneLineRefusal(runCli(['run', ...kilo, '--workspace', workspace, '--roles', roles]), /roles\[1\]\.id: "debugger" is already defined at roles\[0\]/);
  });

  it('profiles in a roles file on the offline kilo run are refused, not ignored', () => {
    const workspace = aGitWorkspace();
    const roles = path.join(workspace, 'roles.json');
    fs.writeFileSync(roles, JSON.stringify({ profiles: [{ id: 'p', label: 'P', providerID: 'anthropic', modelID: 'claude' }], assignments: { architect: 'p' } }));
    expectOneLineRefusal(runCli(['run', ...kilo, '--workspace', workspace, '--roles', roles]), /offline scripted run .* cannot apply; .* pass --model ROLE=PROVIDER\/MODEL/);
  });

  it('a role change that breaks the configuration on the kilo backend exits 2 before the binary is looked up', () => {
    const workspace = aGitWorkspace();
    const roles = path.join(workspace, 'roles.json');
    fs.writeFileSync(roles, JSON.stringify({ roles: [{ id: 'architect', active: false }] }));
    expectOneLineRefusal(runCli(['run', ...kilo, '--workspace', workspace, '--roles', roles]), /Invalid roles configuration: .*required but switched off/);
  });

  it('a 150 KB task file is refused with one line naming the limit', () => {
    const workspace = aGitWorkspace();
    const task = path.join(workspace, 'task.md');
    fs.writeFileSync(task, 'a'.repeat(150_000));
    expectOneLineRefusal(runCli(['run', '--task-file', task, '--workspace', workspace]), /150,000 characters, over the limit of 100,000/);
  });

  it('a --report path that is a folder is refused before the run', () => {
    const workspace = aGitWorkspace();
    expectOneLineRefusal(runCli(['run', '--task', 'x', '--workspace', workspace, '--report', workspace]), /--report .* is a folder/);
  });
});
