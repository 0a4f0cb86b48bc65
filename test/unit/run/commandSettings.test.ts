import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DashboardModel } from '../../../extension/dashboard/dashboardModel';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { resolveCommandPolicy } from '../../../extension/engine/shell/commandPolicy';
import { readCommandSettings } from '../../../extension/run/commandSettings';
import { RunLog, type LogSink } from '../../../extension/run/runLog';
import { RunSession } from '../../../extension/run/runSession';

const quietSink: LogSink = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const folders: string[] = [];
afterAll(() => folders.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function aGitWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'command-settings-'));
  folders.push(dir);
  execFileSync('git', ['init', '-q'], { cwd: dir });
  fs.writeFileSync(path.join(dir, '.gitignore'), '.kilo-orchestra/\n');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ scripts: { test: 'node --test' } }));
  return dir;
}

function read(raw: Parameters<typeof readCommandSettings>[0]) {
  const warnings: string[] = [];
  return { ...readCommandSettings(raw, (problem) => warnings.push(problem)), warnings };
}

describe('readCommandSettings (kiloOrchestra.testCommand, allowedCommands, allowControlFiles)', () => {
  it('passes valid settings through as the Kilo backend and the run take them', () => {
    const settings = read({ testCommand: 'npx vitest run', allowedCommands: ['npm run lint', 'npx eslint *'], allowControlFiles: ['kilo.json', '.kilo/agent/code.md'] });
    expect(settings).toEqual({ commands: { testCommand: 'npx vitest run', allowedCommands: ['npm run lint', 'npx eslint *'] }, allowControlFiles: ['kilo.json', '.kilo/agent/code.md'], warnings: [] });
  });

  it('reads the defaults (empty test command, empty lists) as nothing set, so the project decides', () => {
    const settings = read({ testCommand: '', allowedCommands: [], allowControlFiles: [] });
    expect(settings).toEqual({ commands: {}, allowControlFiles: [], warnings: [] });
    expect(resolveCommandPolicy(aGitWorkspace(), settings.commands).testCommand).toBe('npm test');
  });

  it('leaves out what does not pass its schema, with a warning each, and never widens', () => {
    const settings = read({ testCommand: 'npm test\ncurl x', allowedCommands: ['npm run lint', '', 42], allowControlFiles: ['.git/config', '../kilo.json', 'src/app.js', '.kilo/*', 'kilo.json'] });
    expect(settings.commands).toEqual({ allowedCommands: ['npm run lint'] });
    expect(settings.allowControlFiles).toEqual(['kilo.json']);
    expect(settings.warnings).toHaveLength(7);
    expect(settings.warnings[0]).toMatch(/^kiloOrchestra\.testCommand is ignored \(A command is one line/);
    expect(settings.warnings.join('\n')).toMatch(/"\.git\/config" is left out \(Files under \.git\/ and \.kilo-orchestra\/ are never written by agents\.\)/);
  });

  it('ignores a setting of the wrong type with a warning', () => {
    const settings = read({ testCommand: 7, allowedCommands: 'npm run lint', allowControlFiles: { file: 'kilo.json' } });
    expect(settings.commands).toEqual({});
    expect(settings.allowControlFiles).toEqual([]);
    expect(settings.warnings).toHaveLength(3);
  });
});

describe('kiloOrchestra.allowControlFiles reaches the run', () => {
  async function aSession(allowControlFiles: readonly string[] | undefined) {
    const workspace = aGitWorkspace();
    const backend = new SimulatedBackend({ rejectEveryNthFile: 0, rejectFirstPlan: false, planFiles: ['src/loans.js', 'kilo.json'] });
    const session = await RunSession.start({
      workspace,
      task: 'Add overdue-loan tracking',
      roles: resolveRoles(simulatedRolesConfig()),
      runtime: { backend, description: 'simulated agents', dispose: () => backend.dispose() },
      model: new DashboardModel(),
      log: new RunLog(quietSink),
      workflow: { retryBaseMs: 1 },
      ...(allowControlFiles ? { allowControlFiles } : {}),
    });
    return { workspace, report: await session.finished };
  }

  it('lets agents write a control file the plan names only when the setting allows it', async () => {
    const refused = await aSession(undefined);
    expect(refused.report.findings.filter((f) => f.kind === 'control-file').length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(refused.workspace, 'kilo.json'))).toBe(false);

    const allowed = await aSession(readCommandSettings({ allowControlFiles: ['kilo.json'] }, () => undefined).allowControlFiles);
    expect(allowed.report.status, allowed.report.reason).toBe('COMPLETED');
    expect(allowed.report.findings.filter((f) => f.kind === 'control-file')).toEqual([]);
    expect(fs.existsSync(path.join(allowed.workspace, 'kilo.json'))).toBe(true);
  });
});
