import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orchestraScript } from '../../extension/scriptedModel/orchestraScript';
import { startScriptedModel, type ScriptedModel } from '../../extension/scriptedModel/scriptedModelServer';
import { CLI_PATH, requireBuiltCli } from './builtCli';
import { KILO_UNDER_TEST, SAMPLE_TASK, aSampleWorkspace } from './kiloRunHarness';

// A new user's setup as it is: Kilo configured in their own HOME with a custom OpenAI-compatible
// provider (no prices), its key in Kilo's auth.json, a default model, and one role assigned by hand.

const USER_KEY = 'sk-user-4f1c9a';
const PROVIDER = 'teamproxy';

/** A private HOME laid out like a user's: ~/.config/kilo/kilo.json and ~/.local/share/kilo/auth.json. */
function aUserHome(baseURL: string): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-user-home-'));
  const models = { 'team-model': { name: 'Team Model' }, 'coder-model': { name: 'Coder Model' } };
  fs.mkdirSync(path.join(home, '.config', 'kilo'), { recursive: true });
  fs.writeFileSync(
    path.join(home, '.config', 'kilo', 'kilo.jsonc'),
    `// written by hand, as a user would\n${JSON.stringify({ model: `${PROVIDER}/team-model`, provider: { [PROVIDER]: { npm: '@ai-sdk/openai-compatible', name: 'Team proxy', options: { baseURL }, models } } }, null, 2)}\n`,
  );
  fs.mkdirSync(path.join(home, '.local', 'share', 'kilo'), { recursive: true });
  fs.writeFileSync(path.join(home, '.local', 'share', 'kilo', 'auth.json'), JSON.stringify({ [PROVIDER]: { type: 'api', key: USER_KEY } }), { mode: 0o600 });
  return home;
}

/** The built CLI as a child process, without blocking this process (the scripted model answers from it). */
function runCliAsync(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('run --backend kilo with a user-style Kilo config (real kilo serve, built CLI)', () => {
  let scripted: ScriptedModel;
  let home: string;

  beforeAll(async () => {
    requireBuiltCli();
    scripted = await startScriptedModel({ script: orchestraScript() });
    home = aUserHome(scripted.url);
  });

  afterAll(async () => {
    await scripted?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('runs every unassigned role on the Kilo default with the user\'s key, and reports the cost as unpriced', async () => {
    const workspace = aSampleWorkspace('cli-user-config-');
    const report = path.join(home, 'report.json');
    const env = {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      XDG_STATE_HOME: path.join(home, '.local', 'state'),
    };
    const kiloPath = process.env.KILO_ORCHESTRA_KILO_PATH ? ['--kilo-path', KILO_UNDER_TEST] : [];
    const result = await runCliAsync(['run', '--backend', 'kilo', '--task', SAMPLE_TASK, '--workspace', workspace, '--model', `secondary-coder=${PROVIDER}/coder-model`, '--report', report, ...kiloPath], env);

    expect(result.stderr).toBe('');
    expect(result.status, result.stdout.slice(-2000)).toBe(0);
    // The start lines name each role's model, the fallback as the Kilo default.
    expect(result.stdout).toContain(`Organiser: Kilo default (${PROVIDER}/team-model) (unpriced)`);
    expect(result.stdout).toContain(`Secondary Coder: ${PROVIDER}/coder-model (unpriced)`);
    expect(result.stdout).toMatch(/run on the Kilo default teamproxy\/team-model \(Kilo's "model" setting/);
    // The last lines say the cost leaves the unpriced models out.
    expect(result.stdout).toMatch(/cost \$0\.0000 \(unpriced: Kilo default \(teamproxy\/team-model\), teamproxy\/coder-model have no price, counted as \$0\)/);

    const chats = scripted.requests.filter((entry) => entry.path === '/v1/chat/completions');
    expect(chats.length).toBeGreaterThan(10);
    // Every request reached the provider with the user's own key from auth.json.
    expect(new Set(chats.map((entry) => entry.authorization))).toEqual(new Set([`Bearer ${USER_KEY}`]));
    // Routing: the one assigned role on its model, every other role on the default.
    const byRole = new Map<string, Set<string>>();
    for (const entry of chats.filter((candidate) => candidate.role !== undefined)) byRole.set(entry.role!, (byRole.get(entry.role!) ?? new Set()).add(entry.model));
    expect(byRole.get('secondary-coder')).toEqual(new Set(['coder-model']));
    for (const role of ['organiser', 'architect', 'primary-coder', 'code-sceptic']) expect(byRole.get(role), role).toEqual(new Set(['team-model']));

    const r = JSON.parse(fs.readFileSync(report, 'utf8'));
    expect(r.status).toBe('COMPLETED');
    expect(r.unpricedModels).toEqual([`Kilo default (${PROVIDER}/team-model)`, `${PROVIDER}/coder-model`]);
    expect(r.costUsd).toBe(0);
    expect(r.agents.find((agent: { role: string }) => agent.role === 'organiser').profile).toBe(`Kilo default (${PROVIDER}/team-model)`);
    // The user's repository shows what the agents changed, not the run's own folder.
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: workspace, encoding: 'utf8' });
    expect(status).toMatch(/src\//);
    expect(status).not.toContain('.kilo-orchestra');
  }, 480_000);
});
