import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATA_RULE } from '../../../extension/engine/run/promptInputs';
import type { AgentSession, BackendEvent, WorkRequest } from '../../../extension/engine/backends/agentBackend';
import { ProfileSchema, RoleDefinitionSchema } from '../../../extension/engine/roles/roleSchema';
import { KiloSessionBackend } from '../../../extension/kilo/kiloSessionBackend';
import { takesSnapshotWait } from '../../../extension/kilo/kiloTeamServer';
import type { KiloAgentReply } from '../../../extension/kilo/kiloSessionBackend';
import { rejection } from '../support/errors';
import { startFakeKilo } from './fakeKiloServer';
import type { FakeKilo } from './fakeKiloServer';

/** A workspace that looks like a git root; the fake server never touches it. */
const WORKSPACE = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-backend-unit-'));
fs.mkdirSync(path.join(WORKSPACE, '.git'));

function aRole(id: string) {
  return RoleDefinitionSchema.parse({ id, name: id, description: 'A role.', category: 'implementation', required: false, prompt: 'Work.' });
}

const profile = ProfileSchema.parse({ id: 'p', label: 'P', providerID: 'scripted', modelID: 'model-a' });

function aRequest(overrides: Partial<WorkRequest> = {}): WorkRequest {
  return { workId: 'w1', kind: 'implement', prompt: 'Do it.', grants: ['src/a.ts'], inputs: [], detail: {}, ...overrides };
}

function assistant(sessionID: string, id: string, extra: Record<string, unknown> = {}) {
  return { info: { id, sessionID, role: 'assistant', time: { created: Date.now() }, ...extra } };
}

function toolPart(sessionID: string, id: string, tool: string, state: Record<string, unknown>) {
  return { part: { id, sessionID, messageID: 'msg_a', type: 'tool', tool, callID: id, state } };
}

describe('KiloSessionBackend with a fake Kilo server', () => {
  let kilo: FakeKilo;
  let backend: KiloSessionBackend;

  beforeEach(async () => {
    kilo = await startFakeKilo();
    backend = new KiloSessionBackend({ connection: () => kilo.endpoint, workspace: WORKSPACE, reconnectDelayMs: () => 0 });
  });

  afterEach(async () => {
    await backend.dispose();
    await kilo.close();
  });

  const open = (roleId = 'secondary-coder'): Promise<AgentSession> => backend.startSession({ agentId: `${roleId}-1`, role: aRole(roleId), profile, workspace: WORKSPACE });

  it('creates the session with the role agent, the profile model and a read-only ruleset, titled and marked with the run and agent', async () => {
    const session = await backend.startSession({ agentId: 'secondary-coder-2', role: { ...aRole('secondary-coder'), name: 'Secondary Coder' }, profile, workspace: WORKSPACE, runId: 'run-1' });
    const create = kilo.requests.find((r) => r.method === 'POST' && r.path === '/session');
    expect(create?.body).toMatchObject({
      title: 'Orchestra run-1 · Coder 2',
      metadata: { kiloOrchestra: { runId: 'run-1', agentId: 'secondary-coder-2' } },
      agent: 'orchestra-secondary-coder',
      model: { providerID: 'scripted', id: 'model-a' },
    });
    expect((create?.body as { permission: unknown[] }).permission).toContainEqual({ permission: 'edit', pattern: '*', action: 'deny' });
    expect(session.sessionId).toBe('ses_1');
  });

  it('endRun archives every session it opened (time.archived through PATCH), even when the server cannot list them', async () => {
    const first = await open('architect');
    const second = await open('secondary-coder');
    await backend.endRun('run-1');
    const archived = kilo.requests.filter((r) => r.method === 'PATCH' && (r.body as { time?: { archived?: unknown } }).time?.archived !== undefined).map((r) => r.path);
    expect(archived.sort()).toEqual([`/session/${first.sessionId}`, `/session/${second.sessionId}`].sort());
    expect(kilo.requests.some((r) => r.method === 'GET' && r.path === '/session' && r.query.search === 'run-1')).toBe(true);
  });

  it('grants the request files, prompts with model and schema, maps events and returns the structured output with deltas', async () => {
    const session = await open();
    // Earlier work in the same conversation: what it spent is the baseline, not this work's.
    kilo.onPrompt = (id) => {
      kilo.emit('message.updated', assistant(id, 'msg_0', { structured: { summary: 'earlier' } }));
      kilo.emit('session.idle', { sessionID: id });
    };
    await session.run(aRequest({ workId: 'w0' }), new AbortController().signal, () => undefined);
    kilo.tokens = { input: 100, output: 10 };
    kilo.onPrompt = (id) => {
      kilo.tokens = { input: 250, output: 40 };
      // The fake writes the file as Kilo's write tool would; the backend reads the granted files itself.
      fs.mkdirSync(path.join(WORKSPACE, 'src'), { recursive: true });
      fs.writeFileSync(path.join(WORKSPACE, 'src', 'a.ts'), `export const a = ${Date.now()};\n`);
      kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
      kilo.emit('session.status', { sessionID: id, status: { type: 'retry', attempt: 1, message: 'rate limited', next: 1234 } });
      kilo.emit('message.part.updated', toolPart(id, 'p1', 'write', { status: 'running', input: { filePath: `${WORKSPACE}/src/a.ts` } }));
      kilo.emit('message.part.updated', toolPart(id, 'p1', 'write', { status: 'completed', input: { filePath: `${WORKSPACE}/src/a.ts` } }));
      kilo.emit('message.part.updated', toolPart(id, 'p2', 'edit', { status: 'error', input: { filePath: `${WORKSPACE}/src/b.ts` }, error: 'The user has specified a rule which prevents you from using this specific tool call.' }));
      kilo.emit('message.updated', assistant(id, 'msg_a', { structured: { summary: 'done' } }));
      kilo.emit('session.idle', { sessionID: id });
    };
    const events: BackendEvent[] = [];
    const reply = (await session.run(aRequest({ inputs: [{ id: 'art-1', type: 'plan', summary: 's', files: [], content: 'the plan' }] }), new AbortController().signal, (e) => events.push(e))) as KiloAgentReply;
    expect(reply).toEqual({ output: { summary: 'done' }, changedFiles: ['src/a.ts'], usage: { inputTokens: 150, outputTokens: 30, costUsd: 0 }, deniedWrites: ['src/b.ts'], deniedCommands: [] });
    expect(events).toEqual([
      { type: 'status', status: 'busy' },
      { type: 'retry', attempt: 1, nextAttemptAt: 1234, message: 'rate limited', cause: 'rate-limit', provider: 'scripted' },
      { type: 'progress', message: 'write src/a.ts' },
      { type: 'file', path: 'src/a.ts' },
      { type: 'progress', message: 'denied write: src/b.ts' },
      { type: 'status', status: 'idle' },
      { type: 'usage', usage: reply.usage },
    ]);
    const patch = kilo.requests.findLast((r) => r.method === 'PATCH');
    expect((patch?.body as { permission: unknown[] }).permission).toContainEqual({ permission: 'edit', pattern: 'src/a.ts', action: 'allow' });
    const prompt = kilo.requests.findLast((r) => r.path.endsWith('/prompt_async'))?.body as Record<string, any>;
    expect(prompt.model).toEqual({ providerID: 'scripted', modelID: 'model-a' });
    expect(prompt.format.type).toBe('json_schema');
    expect(prompt.format.schema.required).toEqual(['summary']);
    expect(prompt.parts).toEqual([{ type: 'text', text: `Do it.\n\n${DATA_RULE}\n\n## Input art-1\n<untrusted-data source="art-1 (plan)">\nthe plan\n</untrusted-data>` }]);
  });

  it('tells a retry after a 5xx or a lost connection from a rate limit, naming the provider', async () => {
    const session = await open();
    kilo.onPrompt = (id) => {
      kilo.emit('session.status', { sessionID: id, status: { type: 'retry', attempt: 1, message: '503 Service Unavailable', next: 10 } });
      kilo.emit('session.status', { sessionID: id, status: { type: 'retry', attempt: 2, message: 'fetch failed: ECONNRESET', next: 20 } });
      kilo.emit('session.status', { sessionID: id, status: { type: 'retry', attempt: 3, message: 'Too Many Requests', next: 30 } });
      kilo.emit('message.updated', assistant(id, 'msg_r', { structured: { summary: 'done' } }));
      kilo.emit('session.idle', { sessionID: id });
    };
    const events: BackendEvent[] = [];
    await session.run(aRequest(), new AbortController().signal, (e) => events.push(e));
    const retries = events.flatMap((e) => (e.type === 'retry' ? [[e.cause, e.provider]] : []));
    expect(retries).toEqual([
      ['server-error', 'scripted'],
      ['network', 'scripted'],
      ['rate-limit', 'scripted'],
    ]);
  });

  it('uses the request response schema when one is given', async () => {
    const session = await open('organiser');
    const schema = { type: 'object', properties: { action: { type: 'string' } }, required: ['action'] };
    kilo.onPrompt = (id) => {
      kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
      kilo.emit('message.updated', assistant(id, 'msg_d', { structured: { action: 'wait' } }));
      kilo.emit('session.status', { sessionID: id, status: { type: 'idle' } });
    };
    const reply = await session.run(aRequest({ kind: 'decide', grants: [], responseSchema: schema }), new AbortController().signal, () => undefined);
    expect(reply.output).toEqual({ action: 'wait' });
    expect((kilo.requests.find((r) => r.path.endsWith('/prompt_async'))?.body as any).format.schema).toEqual(schema);
  });

  it('asks Kilo to wait for a slow snapshot (no unanswerable question) only when told the server takes it', async () => {
    const answer = (id: string) => {
      kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
      kilo.emit('message.updated', assistant(id, `msg_${kilo.requests.length}`, { structured: { summary: 'done' } }));
      kilo.emit('session.idle', { sessionID: id });
    };
    kilo.onPrompt = answer;
    const prompts = () => kilo.requests.filter((r) => r.path.endsWith('/prompt_async')).map((r) => (r.body as { snapshotInitialization?: string }).snapshotInitialization);
    await (await open()).run(aRequest(), new AbortController().signal, () => undefined);
    const waiting = new KiloSessionBackend({ connection: () => kilo.endpoint, workspace: WORKSPACE, reconnectDelayMs: () => 0, waitForSnapshots: true });
    try {
      const session = await waiting.startSession({ agentId: 'primary-coder-1', role: aRole('primary-coder'), profile, workspace: WORKSPACE });
      await session.run(aRequest(), new AbortController().signal, () => undefined);
    } finally {
      await waiting.dispose();
    }
    expect(prompts()).toEqual([undefined, 'wait']);
    expect(['7.0.33', '7.6.9', '7.7.2', '7.7.7', '7.10.0', '8.0.0'].map(takesSnapshotWait)).toEqual([false, false, true, true, true, true]);
  });

  const answering = (structured: Record<string, unknown>) => (id: string) => {
    kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
    kilo.emit('message.updated', assistant(id, `msg_${id}_${kilo.requests.length}`, { structured }));
    kilo.emit('session.status', { sessionID: id, status: { type: 'idle' } });
  };
  const prompted = () => kilo.requests.filter((r) => r.path.endsWith('/prompt_async')).map((r) => r.path);
  const deleted = () => kilo.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);

  it('a fresh-conversation request runs in a session with no earlier work each time, so the Organiser keeps no history', async () => {
    const session = await open('organiser');
    kilo.onPrompt = answering({ action: 'complete' });
    const ask = () => session.run(aRequest({ kind: 'decide', grants: [], freshConversation: true }), new AbortController().signal, () => undefined);
    await ask();
    await ask();
    // The first runs in the session opened for the agent (it holds nothing yet); each later one in the next.
    expect(prompted()).toEqual(['/session/ses_1/prompt_async', '/session/ses_2/prompt_async']);
    expect(session.sessionId).toBe('ses_3');
  });

  it('per-item work: the next session is opened once the turn is under way, the agent is in it when the reply comes, and the finished one is deleted while its next work runs', async () => {
    const session = await open('code-sceptic');
    const created = () => kilo.requests.filter((r) => r.method === 'POST' && r.path === '/session').length;
    let beforeUnderWay = 0;
    kilo.onPrompt = async (id) => {
      // Nothing else goes to Kilo while the prompt starts; the successor is opened once the turn has reached the model.
      beforeUnderWay = created();
      kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
      kilo.emit('message.updated', assistant(id, `msg_${id}_start`));
      await kilo.whenRequest(() => created() > beforeUnderWay);
      answering({ summary: 'ok', approved: true })(id);
    };
    await session.run(aRequest({ kind: 'review-code', grants: [], freshConversation: true }), new AbortController().signal, () => undefined);
    expect(beforeUnderWay).toBe(1);
    expect(session.sessionId).toBe('ses_2');
    expect(deleted()).toEqual([]);
    await session.run(aRequest({ workId: 'w2', kind: 'review-code', grants: [], freshConversation: true }), new AbortController().signal, () => undefined);
    expect(prompted()).toEqual(['/session/ses_1/prompt_async', '/session/ses_2/prompt_async']);
    await kilo.whenRequest((r) => r.method === 'DELETE' && r.path === '/session/ses_1');
    // endRun archives only the sessions still there: the last finished one (its deletion waits for a
    // next turn that never came) and the agent's next one, not the deleted.
    await backend.endRun('run-1');
    const archived = kilo.requests.filter((r) => r.method === 'PATCH' && (r.body as { time?: { archived?: unknown } }).time?.archived !== undefined).map((r) => r.path);
    expect(archived.sort()).toEqual(['/session/ses_2', '/session/ses_3']);
  });

  it('a file written again with the bytes it already held, or written by someone else, is not a change of this work', async () => {
    const session = await open();
    fs.mkdirSync(path.join(WORKSPACE, 'src'), { recursive: true });
    fs.writeFileSync(path.join(WORKSPACE, 'src', 'same.ts'), 'unchanged\n');
    kilo.onPrompt = (id) => {
      fs.writeFileSync(path.join(WORKSPACE, 'src', 'same.ts'), 'unchanged\n');
      fs.writeFileSync(path.join(WORKSPACE, 'src', 'other.ts'), `another agent's ${Date.now()}\n`);
      kilo.emit('message.part.updated', toolPart(id, 'p1', 'write', { status: 'completed', input: { filePath: `${WORKSPACE}/src/same.ts` } }));
      kilo.emit('message.updated', assistant(id, 'msg_a', { structured: { summary: 'done' } }));
      kilo.emit('session.idle', { sessionID: id });
    };
    const reply = await session.run(aRequest({ grants: ['src/same.ts'] }), new AbortController().signal, () => undefined);
    expect(reply.changedFiles).toEqual([]);
  });

  it('work in a session that holds nothing yet asks Kilo for no diff and no spending before its prompt', async () => {
    const session = await open();
    kilo.onPrompt = answering({ summary: 'done' });
    await session.run(aRequest({ freshConversation: true }), new AbortController().signal, () => undefined);
    const beforePrompt = kilo.requests.slice(0, kilo.requests.findIndex((r) => r.path.endsWith('/prompt_async')));
    expect(beforePrompt.filter((r) => r.path.endsWith('/diff') || (r.method === 'GET' && /^\/session\/ses_\d+$/.test(r.path)))).toEqual([]);
  });

  it('work that does not ask for a fresh conversation stays in the agent\'s session, and a fresh one after it leaves that history behind', async () => {
    const session = await open();
    kilo.onPrompt = answering({ summary: 'done' });
    await session.run(aRequest(), new AbortController().signal, () => undefined);
    await session.run(aRequest({ workId: 'w2' }), new AbortController().signal, () => undefined);
    expect(session.sessionId).toBe('ses_1');
    await session.run(aRequest({ workId: 'w3', freshConversation: true }), new AbortController().signal, () => undefined);
    expect(prompted()).toEqual(['/session/ses_1/prompt_async', '/session/ses_1/prompt_async', '/session/ses_2/prompt_async']);
    await kilo.whenRequest((r) => r.method === 'DELETE' && r.path === '/session/ses_1');
  });

  it('ignores other sessions and an idle that comes before the turn started', async () => {
    const [mine, other] = [await open(), await open('architect')];
    kilo.onPrompt = (id) => {
      kilo.emit('session.idle', { sessionID: id });
      kilo.emit('session.status', { sessionID: other.sessionId, status: { type: 'busy' } });
      kilo.emit('message.updated', assistant(other.sessionId, 'msg_other', { structured: { summary: 'not mine' } }));
      kilo.emit('session.idle', { sessionID: other.sessionId });
      kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
      kilo.emit('message.updated', assistant(id, 'msg_mine', { structured: { summary: 'mine' } }));
      kilo.emit('session.idle', { sessionID: id });
    };
    const reply = await mine.run(aRequest(), new AbortController().signal, () => undefined);
    expect(reply.output).toEqual({ summary: 'mine' });
  });

  it('falls back to the JSON block of the assistant text read message by message', async () => {
    const session = await open();
    kilo.onPrompt = (id) => {
      kilo.messages.set('msg_p', { ...assistant(id, 'msg_p', { error: { name: 'StructuredOutputError', data: { message: 'none' } } }), parts: [{ type: 'text', text: '```json\n{"summary":"prose"}\n```' }] });
      kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
      kilo.emit('message.updated', assistant(id, 'msg_p', { error: { name: 'StructuredOutputError', data: { message: 'none' } } }));
      kilo.emit('session.idle', { sessionID: id });
    };
    const reply = await session.run(aRequest(), new AbortController().signal, () => undefined);
    expect(reply.output).toEqual({ summary: 'prose' });
    expect(kilo.requests.some((r) => r.path === `/session/${session.sessionId}/message`)).toBe(false);
  });

  it('asks the server for the status after the event stream reconnects, so a missed idle still ends the turn', async () => {
    const session = await open();
    kilo.onPrompt = (id) => {
      kilo.statuses = { [id]: { type: 'busy' } };
      kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
    };
    let busy!: () => void;
    const sawBusy = new Promise<void>((resolve) => (busy = resolve));
    const running = session.run(aRequest(), new AbortController().signal, (e) => e.type === 'status' && busy());
    await sawBusy;
    // The turn ends while the stream is down: its idle event is lost.
    kilo.statuses = {};
    kilo.messages.set('msg_x', { ...assistant(session.sessionId, 'msg_x', { structured: { summary: 'while away' } }), parts: [] });
    kilo.dropStreams();
    const reply = await running;
    expect(reply.output).toEqual({ summary: 'while away' });
    expect(kilo.requests.find((r) => r.path === `/session/${session.sessionId}/message`)?.query.limit).toBe('1');
  });

  it('rejects with a retryable rate-limited when the session fails with a 429', async () => {
    const session = await open();
    kilo.onPrompt = (id) => {
      kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
      kilo.emit('session.error', { sessionID: id, error: { name: 'APIError', data: { message: 'Too Many Requests', statusCode: 429 } } });
    };
    const error = await rejection(session.run(aRequest(), new AbortController().signal, () => undefined));
    expect([error.reason, error.retryable]).toEqual(['rate-limited', true]);
  });

  it('refuses a permission request with a message naming the granted files', async () => {
    const session = await open();
    kilo.onPrompt = (id) => {
      kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
      kilo.emit('permission.asked', { id: 'per_1', sessionID: id, permission: 'edit', patterns: ['src/z.ts'] });
    };
    const events: BackendEvent[] = [];
    const running = session.run(aRequest(), new AbortController().signal, (e) => events.push(e));
    const reply = await kilo.whenRequest((r) => r.path === '/permission/per_1/reply');
    expect(reply.body).toEqual({ reply: 'reject', message: 'Not granted. This work may change only: src/a.ts.' });
    expect(events).toContainEqual({ type: 'progress', message: 'refused: edit src/z.ts' });
    kilo.emit('message.updated', assistant(session.sessionId, 'msg_r', { structured: { summary: 'ok' } }));
    kilo.emit('session.idle', { sessionID: session.sessionId });
    expect((await running).output).toEqual({ summary: 'ok' });
  });

  it('aborts the Kilo session and rejects with aborted when the signal fires', async () => {
    const session = await open();
    const controller = new AbortController();
    kilo.onPrompt = (id) => kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
    const running = session.run(aRequest(), controller.signal, (event) => event.type === 'status' && controller.abort());
    expect((await rejection(running)).reason).toBe('aborted');
    await kilo.whenRequest((r) => r.path === `/session/${session.sessionId}/abort`);
  });

  it('aborts a turn that outlives the turn timeout and rejects with a retryable backend-failed', async () => {
    const quick = new KiloSessionBackend({ connection: () => kilo.endpoint, workspace: WORKSPACE, turnTimeoutMs: 50 });
    try {
      const session = await quick.startSession({ agentId: 'slow-1', role: aRole('debugger'), profile, workspace: WORKSPACE });
      const error = await rejection(session.run(aRequest(), new AbortController().signal, () => undefined));
      expect([error.reason, error.retryable]).toEqual(['backend-failed', true]);
      await kilo.whenRequest((r) => r.path === `/session/${session.sessionId}/abort`);
    } finally {
      await quick.dispose();
    }
  });

  it('stops a running turn with aborted when the backend is disposed', async () => {
    const session = await open();
    let busy!: () => void;
    const sawBusy = new Promise<void>((resolve) => (busy = resolve));
    kilo.onPrompt = (id) => kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
    const running = session.run(aRequest(), new AbortController().signal, (e) => e.type === 'status' && busy());
    await sawBusy;
    await backend.dispose();
    expect((await rejection(running)).reason).toBe('aborted');
    await kilo.whenRequest((r) => r.path === `/session/${session.sessionId}/abort`);
  });

  it('refuses a workspace that is not the root of a git repository', async () => {
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-backend-plain-'));
    const error = await rejection(backend.startSession({ agentId: 'x-1', role: aRole('architect'), profile, workspace: plain }));
    expect(error.reason).toBe('invalid-config');
    expect(kilo.requests.some((r) => r.path === '/session')).toBe(false);
  });

  it('rejects an unsafe grant before prompting', async () => {
    const session = await open();
    const error = await rejection(session.run(aRequest({ grants: ['src/*.ts'] }), new AbortController().signal, () => undefined));
    expect(error.reason).toBe('unsafe-path');
    expect(kilo.requests.some((r) => r.path.endsWith('/prompt_async'))).toBe(false);
  });
});
