import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSession, BackendEvent, WorkRequest } from '../../extension/engine/backends/agentBackend';
import { ProfileSchema, RoleDefinitionSchema } from '../../extension/engine/roles/roleSchema';
import type { KiloEndpoint } from '../../extension/kilo/kiloHttp';
import { KiloSessionBackend } from '../../extension/kilo/kiloSessionBackend';
import type { KiloAgentReply } from '../../extension/kilo/kiloSessionBackend';
import { roleMarker, startScriptedModel } from '../../extension/scriptedModel/scriptedModelServer';
import type { ScriptRequest, ScriptedModel, ScriptedTurn } from '../../extension/scriptedModel/scriptedModelServer';
import { rejection } from '../unit/support/errors';
import { KILO_UNDER_TEST } from './kiloRunHarness';

// Drives a REAL `kilo serve` (the pinned @kilocode/cli 7.7.7 binary) against the scripted model.
const KILO_BIN = KILO_UNDER_TEST;

const OFFLINE_ENV = {
  KILO_DISABLE_MODELS_FETCH: '1',
  KILO_DISABLE_AUTOUPDATE: '1',
  KILO_DISABLE_SHARE: '1',
  KILO_TELEMETRY_LEVEL: 'off',
  KILO_DISABLE_LSP_DOWNLOAD: '1',
  KILO_DISABLE_DEFAULT_PLUGINS: '1',
  KILO_DISABLE_SESSION_INGEST: '1',
  KILO_DISABLE_CLAUDE_CODE: '1',
  KILO_DISABLE_EXTERNAL_SKILLS: '1',
  KILO_DISABLE_PROJECT_CONFIG: '1',
  KILO_NO_DAEMON: '1',
};

const ROLE = 'secondary-coder';

function anOutput(summary: string) {
  return { summary, content: `content of ${summary}`, files: [], findings: [], spawnRequests: [] };
}

/** The scripted model: the first line of the user prompt names the scenario. */
function script(workspace: string) {
  return async (request: ScriptRequest): Promise<ScriptedTurn> => {
    const scenario = request.lastUser.split('\n')[0]?.trim() ?? '';
    // Only a tool result as the very last message continues this prompt (earlier turns end in tool results too).
    const afterTool = request.messages.at(-1)?.role === 'tool';
    const finish = (summary: string): ScriptedTurn => ({ toolCalls: [{ name: 'StructuredOutput', arguments: anOutput(summary) }] });
    const write = (file: string): ScriptedTurn => ({ toolCalls: [{ name: 'write', arguments: { filePath: path.join(workspace, file), content: `export const x = '${file}';\n` } }] });
    if (scenario === 'WRITE-GRANTED') return afterTool ? finish('wrote the granted file') : write('src/granted.ts');
    if (scenario === 'WRITE-DENIED') return afterTool ? finish('tried the other file') : write('src/denied.ts');
    if (scenario === 'CONCURRENT') {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return finish(`concurrent on ${request.model}`);
    }
    if (scenario === 'PROSE') return { text: `Done, here it is:\n\`\`\`json\n${JSON.stringify(anOutput('in prose'))}\n\`\`\`` };
    if (scenario === 'SILENT' || scenario === 'SILENT-TWICE') return { text: 'All done.' };
    if (scenario.startsWith('Your last answer did not include the result')) {
      const first = request.messages.find((m) => m.role === 'user');
      return JSON.stringify(first?.content ?? '').includes('SILENT-TWICE') ? { text: 'Still nothing to show.' } : finish('corrected');
    }
    return { text: 'I do not know this scenario.' };
  };
}

interface KiloProcess {
  child: ChildProcess;
  endpoint: KiloEndpoint;
}

/** Starts a private `kilo serve` (own HOME/XDG, offline, random password) and waits until it is healthy. */
async function startKilo(home: string, config: Record<string, unknown>): Promise<KiloProcess> {
  fs.mkdirSync(home, { recursive: true });
  const password = crypto.randomBytes(18).toString('base64url');
  const child = spawn(KILO_BIN, ['serve', '--hostname', '127.0.0.1', '--port', '0'], {
    cwd: home,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local/share'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      XDG_STATE_HOME: path.join(home, '.local/state'),
      ...OFFLINE_ENV,
      KILO_SERVER_PASSWORD: password,
      KILO_CONFIG_CONTENT: JSON.stringify(config),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk) => {
      stdout += String(chunk);
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`kilo serve exited with ${code}: ${stderr}`)));
    child.once('error', reject);
  });
  const endpoint = { baseUrl, authHeader: `Basic ${Buffer.from(`kilo:${password}`).toString('base64')}` };
  // The URL line comes a moment before the routes answer.
  for (let attempt = 0; attempt < 100; attempt++) {
    const healthy = await fetch(`${baseUrl}/global/health`, { headers: { authorization: endpoint.authHeader } }).then((r) => r.ok, () => false);
    if (healthy) return { child, endpoint };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`kilo serve never became healthy: ${stderr}`);
}

function gitWorkspace(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'README.md'), '# sample\n');
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.email=test@example.com', '-c', 'user.name=test', ...args]);
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'init');
}

const role = RoleDefinitionSchema.parse({
  id: ROLE,
  name: 'Secondary Coder',
  description: 'Writes code.',
  category: 'implementation',
  required: false,
  prompt: 'You write code.',
});
const profileA = ProfileSchema.parse({ id: 'a', label: 'Model A', providerID: 'scripted', modelID: 'model-a' });
const profileB = ProfileSchema.parse({ id: 'b', label: 'Model B', providerID: 'scripted', modelID: 'model-b' });

function aRequest(prompt: string, grants: string[] = []): WorkRequest {
  return { workId: `w-${prompt}`, kind: 'implement', prompt, grants, inputs: [], detail: {} };
}

describe('KiloSessionBackend against a real kilo serve', () => {
  let temp: string;
  let workspace: string;
  let model: ScriptedModel;
  let kilo: KiloProcess;
  let backend: KiloSessionBackend;

  beforeAll(async () => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-backend-'));
    workspace = path.join(temp, 'work');
    gitWorkspace(workspace);
    model = await startScriptedModel({ script: script(workspace), faults: [{ when: (r) => r.lastUser.startsWith('HANG'), times: 5, fault: { type: 'hang' } }] });
    kilo = await startKilo(path.join(temp, 'home'), {
      provider: {
        scripted: { npm: '@ai-sdk/openai-compatible', name: 'Scripted', options: { baseURL: model.url, apiKey: 'none' }, models: { 'model-a': { name: 'Model A' }, 'model-b': { name: 'Model B' } } },
      },
      agent: { [`orchestra-${ROLE}`]: { description: 'Secondary coder', mode: 'primary', prompt: `You write code.\n${roleMarker(ROLE)}` } },
    });
    backend = new KiloSessionBackend({ connection: () => kilo.endpoint, workspace, turnTimeoutMs: 60_000 });
  }, 60_000);

  afterAll(async () => {
    await backend?.dispose();
    if (kilo?.child.pid !== undefined) {
      const exited = new Promise((resolve) => kilo.child.once('exit', resolve));
      process.kill(-kilo.child.pid, 'SIGKILL');
      await exited;
    }
    await model?.close();
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  }, 30_000);

  const open = (agentId: string, profile = profileA): Promise<AgentSession> => backend.startSession({ agentId, role, profile, workspace });

  it('writes a granted file and returns the structured output, the changed file and the usage', async () => {
    const session = await open('coder-1');
    expect(session.sessionId).toMatch(/^ses_/);
    const events: BackendEvent[] = [];
    const reply = (await session.run(aRequest('WRITE-GRANTED', ['src/granted.ts']), new AbortController().signal, (e) => events.push(e))) as KiloAgentReply;
    expect(reply.output).toEqual(anOutput('wrote the granted file'));
    expect(reply.changedFiles).toEqual(['src/granted.ts']);
    expect(reply.deniedWrites).toEqual([]);
    expect(fs.readFileSync(path.join(workspace, 'src/granted.ts'), 'utf8')).toContain('src/granted.ts');
    expect(reply.usage.inputTokens).toBeGreaterThan(0);
    expect(reply.usage.outputTokens).toBeGreaterThan(0);
    expect(events).toContainEqual({ type: 'file', path: 'src/granted.ts' });
    expect(events).toContainEqual({ type: 'status', status: 'busy' });
    expect(events).toContainEqual({ type: 'usage', usage: reply.usage });
    // The scripted model saw the role's marker, so the configured Kilo agent ran the turn.
    expect(model.requests.some((r) => r.lastUser.startsWith('WRITE-GRANTED') && r.role === ROLE)).toBe(true);
  }, 60_000);

  it('applies each run\'s grants to the session, so a later run cannot write an earlier grant', async () => {
    const session = await open('coder-1b');
    const signal = new AbortController().signal;
    const first = (await session.run(aRequest('WRITE-GRANTED', ['src/granted.ts']), signal, () => undefined)) as KiloAgentReply;
    expect(first.deniedWrites).toEqual([]);
    const second = (await session.run(aRequest('WRITE-GRANTED', ['src/other.ts']), signal, () => undefined)) as KiloAgentReply;
    expect(second.deniedWrites).toEqual(['src/granted.ts']);
    expect(second.changedFiles).toEqual([]);
  }, 60_000);

  it('lets Kilo refuse a write to a file that is not granted and reports the refusal', async () => {
    const session = await open('coder-2');
    const events: BackendEvent[] = [];
    const reply = (await session.run(aRequest('WRITE-DENIED', ['src/other.ts']), new AbortController().signal, (e) => events.push(e))) as KiloAgentReply;
    expect(fs.existsSync(path.join(workspace, 'src/denied.ts'))).toBe(false);
    expect(reply.changedFiles).toEqual([]);
    expect(reply.deniedWrites).toEqual(['src/denied.ts']);
    expect(events).toContainEqual({ type: 'progress', message: 'denied write: src/denied.ts' });
    expect(reply.output).toEqual(anOutput('tried the other file'));
  }, 60_000);

  it('rejects with aborted when the signal fires mid-turn, and Kilo drops the hung model request', async () => {
    const session = await open('coder-3');
    const controller = new AbortController();
    const running = session.run(aRequest('HANG'), controller.signal, () => undefined);
    const log = await model.whenRequests(model.requests.length + 1);
    expect(log.at(-1)?.fault).toBe('hang');
    controller.abort();
    const error = await rejection(running);
    expect(error.reason).toBe('aborted');
    // Kilo aborted the turn for real: the model request it was waiting on is closed.
    await model.whenIdle();
  }, 60_000);

  it('runs two sessions on different models at the same time', async () => {
    const [a, b] = await Promise.all([open('coder-4', profileA), open('coder-5', profileB)]);
    const signal = new AbortController().signal;
    const [replyA, replyB] = await Promise.all([a!.run(aRequest('CONCURRENT'), signal, () => undefined), b!.run(aRequest('CONCURRENT'), signal, () => undefined)]);
    expect(replyA.output).toEqual(anOutput('concurrent on model-a'));
    expect(replyB.output).toEqual(anOutput('concurrent on model-b'));
    const onA = model.requests.find((r) => r.model === 'model-a' && r.lastUser.startsWith('CONCURRENT'));
    const onB = model.requests.find((r) => r.model === 'model-b' && r.lastUser.startsWith('CONCURRENT'));
    expect(onA && onB).toBeTruthy();
    expect(onA!.at).toBeLessThan(onB!.endedAt!);
    expect(onB!.at).toBeLessThan(onA!.endedAt!);
  }, 60_000);

  it('parses a fenced JSON block when the model answers in prose instead of structured output', async () => {
    const session = await open('coder-6');
    const before = model.requests.length;
    const reply = await session.run(aRequest('PROSE'), new AbortController().signal, () => undefined);
    expect(reply.output).toEqual(anOutput('in prose'));
    // No corrective prompt was needed.
    expect(model.requests.slice(before).some((r) => r.lastUser.startsWith('Your last answer'))).toBe(false);
  }, 60_000);

  it('asks once more when the answer holds no result, and takes the corrected answer', async () => {
    const session = await open('coder-7');
    const before = model.requests.length;
    const reply = await session.run(aRequest('SILENT'), new AbortController().signal, () => undefined);
    expect(reply.output).toEqual(anOutput('corrected'));
    expect(model.requests.slice(before).filter((r) => r.lastUser.startsWith('Your last answer'))).toHaveLength(1);
  }, 60_000);

  it('gives up with a retryable invalid-output when the corrective prompt brings no result either', async () => {
    const session = await open('coder-8');
    const error = await rejection(session.run(aRequest('SILENT-TWICE'), new AbortController().signal, () => undefined));
    expect(error.reason).toBe('invalid-output');
    expect(error.retryable).toBe(true);
  }, 60_000);

  it('refuses to run a closed session', async () => {
    const session = await open('coder-9');
    await session.close();
    const error = await rejection(session.run(aRequest('PROSE'), new AbortController().signal, () => undefined));
    expect(error.reason).toBe('backend-failed');
  }, 60_000);
});
