import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentSession, BackendEvent, WorkRequest } from '../../../extension/engine/backends/agentBackend';
import { ProfileSchema, RoleDefinitionSchema } from '../../../extension/engine/roles/roleSchema';
import { KiloSessionBackend } from '../../../extension/kilo/kiloSessionBackend';
import { rejection } from '../support/errors';
import { startFakeKilo, type FakeKilo } from './fakeKiloServer';

// The session backend's answers to a quiet Kilo, against a fake server: network waits confirmed
// through `/network/{id}/reply`, and a turn with no events reported stalled, then ended retryably.
const WORKSPACE = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-stalls-unit-'));
fs.mkdirSync(path.join(WORKSPACE, '.git'));

const role = RoleDefinitionSchema.parse({ id: 'primary-coder', name: 'Coder', description: 'A role.', category: 'implementation', required: false, prompt: 'Work.' });
const profile = ProfileSchema.parse({ id: 'p', label: 'P', providerID: 'scripted', modelID: 'model-a' });
const request: WorkRequest = { workId: 'w1', kind: 'implement', prompt: 'Do it.', grants: ['src/a.ts'], inputs: [], detail: {} };

function untilEvent(events: BackendEvent[], sink: { notify?: () => void }, match: (event: BackendEvent) => boolean): Promise<BackendEvent> {
  return new Promise((resolve) => {
    const check = () => {
      const found = events.find(match);
      if (found) resolve(found);
      else sink.notify = check;
    };
    check();
  });
}

describe('KiloSessionBackend with a quiet Kilo', () => {
  let kilo: FakeKilo;
  let backend: KiloSessionBackend;
  let session: AgentSession;
  const events: BackendEvent[] = [];
  const sink: { notify?: () => void } = {};
  const onEvent = (event: BackendEvent) => {
    events.push(event);
    sink.notify?.();
  };

  async function openWith(stallMs: number): Promise<void> {
    backend = new KiloSessionBackend({ connection: () => kilo.endpoint, workspace: WORKSPACE, reconnectDelayMs: () => 0, stallMs });
    session = await backend.startSession({ agentId: 'primary-coder-1', role, profile, workspace: WORKSPACE });
  }

  beforeEach(async () => {
    kilo = await startFakeKilo();
    events.length = 0;
  });

  afterEach(async () => {
    await backend.dispose();
    await kilo.close();
  });

  it('confirms a network wait through /network/{id}/reply, and the turn then finishes', async () => {
    await openWith(60_000);
    kilo.onPrompt = (id) => {
      kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
      kilo.emit('session.network.asked', { id: 'que_1', sessionID: id, message: 'Connection reset by server', restored: false, time: { created: 1 } });
      kilo.emit('session.status', { sessionID: id, status: { type: 'offline', requestID: 'que_1', message: 'Connection reset by server' } });
    };
    const running = session.run(request, new AbortController().signal, onEvent);
    const reply = await kilo.whenRequest((r) => r.method === 'POST' && r.path === '/network/que_1/reply');
    expect(reply.query.directory).toBe(WORKSPACE);
    kilo.emit('message.updated', { info: { id: 'msg_a', sessionID: 'ses_1', role: 'assistant', time: { created: Date.now() }, structured: { summary: 'done' } } });
    kilo.emit('session.idle', { sessionID: 'ses_1' });
    expect((await running).output).toEqual({ summary: 'done' });
    // The wait came twice (event and status) and was answered once.
    expect(kilo.requests.filter((r) => r.path.startsWith('/network/'))).toHaveLength(1);
    expect(events).toContainEqual(expect.objectContaining({ type: 'retry', attempt: 1, cause: 'network', message: 'Kilo lost the connection to the model (Connection reset by server); trying again' }));
  });

  it('reports a turn without events stalled, then ends it retryably and aborts it in Kilo', async () => {
    await openWith(40);
    kilo.onPrompt = (id) => kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
    const running = session.run(request, new AbortController().signal, onEvent);
    const stalled = await untilEvent(events, sink, (event) => event.type === 'stalled');
    expect(stalled).toMatchObject({ type: 'stalled', message: expect.stringMatching(/^primary-coder-1 has shown no progress for \d+ s$/) });
    const error = await rejection(running);
    expect(error).toMatchObject({ reason: 'backend-failed', retryable: true });
    expect(error.message).toMatch(/^primary-coder-1 stalled: no progress from Kilo for \d+ s; the work is tried again\.$/);
    await kilo.whenRequest((r) => r.method === 'POST' && r.path === '/session/ses_1/abort');
    // On the stall it looked for a network wait it might have missed.
    await kilo.whenRequest((r) => r.method === 'GET' && r.path === '/network');
  });

  it('with stall detection off, a quiet turn is left to the turn timeout', async () => {
    backend = new KiloSessionBackend({ connection: () => kilo.endpoint, workspace: WORKSPACE, reconnectDelayMs: () => 0, stallMs: 0, turnTimeoutMs: 200 });
    session = await backend.startSession({ agentId: 'primary-coder-1', role, profile, workspace: WORKSPACE });
    kilo.onPrompt = (id) => kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
    const error = await rejection(session.run(request, new AbortController().signal, onEvent));
    expect(error.message).toBe('primary-coder-1 did not finish within 0 s.');
    expect(events.some((event) => event.type === 'stalled')).toBe(false);
  });
});
