import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfileSchema, RoleDefinitionSchema } from '../../../extension/engine/roles/roleSchema';
import { OrchestraError } from '../../../extension/engine/util/errors';
import type { KiloSession } from '../../../extension/kilo/kiloHttp';
import { KiloSessionBackend } from '../../../extension/kilo/kiloSessionBackend';
import { describeReattach, findReattachable } from '../../../extension/kilo/kiloSessionReattach';
import { startFakeKilo, type FakeKilo } from './fakeKiloServer';

const WORKSPACE = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-reattach-unit-'));
fs.mkdirSync(path.join(WORKSPACE, '.git'));

/** A stand-in for the server's session lookup: the sessions it has, or a failure for every lookup. */
function fakeLookup(stored: Record<string, Record<string, unknown>>, failure?: Error) {
  const asked: string[] = [];
  return {
    asked,
    findSession: async (id: string): Promise<KiloSession | undefined> => {
      asked.push(id);
      if (failure) throw failure;
      const found = stored[id];
      return found === undefined ? undefined : ({ id, cost: 0, tokens: { input: 0, output: 0 }, ...found } as KiloSession);
    },
  };
}

const own = (agentId: string) => ({ directory: WORKSPACE, title: agentId, time: { created: 1, updated: 2 } });

describe('findReattachable', () => {
  it('keeps the saved sessions the server still has for the same agent and folder, and says why each other one starts fresh', async () => {
    const lookup = fakeLookup({
      ses_kept: own('primary-coder-1'),
      ses_elsewhere: { ...own('secondary-coder-1'), directory: '/somewhere/else' },
      ses_retitled: own('someone-else'),
      ses_archived: { ...own('code-sceptic-1'), time: { created: 1, archived: 5 } },
    });
    const summary = await findReattachable(lookup, WORKSPACE, [
      { agentId: 'primary-coder-1', sessionId: 'ses_kept' },
      { agentId: 'secondary-coder-1', sessionId: 'ses_elsewhere' },
      { agentId: 'architect-1', sessionId: 'ses_retitled' },
      { agentId: 'code-sceptic-1', sessionId: 'ses_archived' },
      { agentId: 'debugger-1', sessionId: 'ses_gone' },
      { agentId: 'organiser-1', sessionId: '../../etc' },
    ]);
    expect([...summary.reattached]).toEqual([['primary-coder-1', 'ses_kept']]);
    expect(summary.fresh).toEqual([
      { agentId: 'architect-1', why: 'its session ses_retitled is not titled architect-1' },
      { agentId: 'code-sceptic-1', why: 'its session ses_archived was archived' },
      { agentId: 'debugger-1', why: 'the server no longer has its session ses_gone' },
      { agentId: 'organiser-1', why: 'its saved session id is not a Kilo session id' },
      { agentId: 'secondary-coder-1', why: 'its session ses_elsewhere belongs to another folder' },
    ]);
    // A malformed id is never put into a URL.
    expect(lookup.asked).not.toContain('../../etc');
  });

  it('never gives one session to two agents, and starts everyone fresh when the server cannot be asked', async () => {
    const shared = await findReattachable(fakeLookup({ ses_one: own('primary-coder-1') }), WORKSPACE, [
      { agentId: 'primary-coder-1', sessionId: 'ses_one' },
      { agentId: 'primary-coder-2', sessionId: 'ses_one' },
    ]);
    expect([...shared.reattached]).toEqual([['primary-coder-1', 'ses_one']]);
    expect(shared.fresh).toEqual([{ agentId: 'primary-coder-2', why: 'its session ses_one is saved for another agent too' }]);

    const down = await findReattachable(fakeLookup({}, new OrchestraError('backend-unavailable', 'The Kilo server is not running.')), WORKSPACE, [{ agentId: 'primary-coder-1', sessionId: 'ses_one' }]);
    expect(down.reattached.size).toBe(0);
    expect(down.fresh[0]!.why).toBe('its session ses_one could not be checked (The Kilo server is not running.)');
  });

  it('says in one line how many sessions were re-attached and how many started fresh, with the reasons once each', () => {
    expect(describeReattach({ reattached: new Map([['a', 'ses_1'], ['b', 'ses_2']]), fresh: [] })).toBe('Kilo sessions: 2 re-attached (their conversations go on), 0 started fresh.');
    expect(
      describeReattach({
        reattached: new Map(),
        fresh: [
          { agentId: 'a', why: 'the server no longer has its session ses_1' },
          { agentId: 'b', why: 'the server no longer has its session ses_2' },
        ],
      }),
    ).toBe('Kilo sessions: 0 re-attached (their conversations go on), 2 started fresh, given the artifacts they need (the server no longer has its session).');
  });
});

describe('KiloSessionBackend.reattach with a fake Kilo server', () => {
  let kilo: FakeKilo;
  let backend: KiloSessionBackend;
  const role = (id: string) => RoleDefinitionSchema.parse({ id, name: id, description: 'A role.', category: 'implementation', required: false, prompt: 'Work.' });
  const profile = ProfileSchema.parse({ id: 'p', label: 'P', providerID: 'scripted', modelID: 'model-a' });
  const open = (roleId: string) => backend.startSession({ agentId: `${roleId}-1`, role: role(roleId), profile, workspace: WORKSPACE });

  beforeEach(async () => {
    kilo = await startFakeKilo();
    backend = new KiloSessionBackend({ connection: () => kilo.endpoint, workspace: WORKSPACE, reconnectDelayMs: () => 0 });
  });

  afterEach(async () => {
    await backend.dispose();
    await kilo.close();
  });

  it('continues an agent in the session the server still has (the work goes into it) and opens a new one for the others', async () => {
    kilo.stored = new Map([['ses_saved', own('primary-coder-1')]]);
    const summary = await backend.reattach([
      { agentId: 'primary-coder-1', sessionId: 'ses_saved' },
      { agentId: 'secondary-coder-1', sessionId: 'ses_lost' },
    ]);
    expect([...summary.reattached.keys()]).toEqual(['primary-coder-1']);

    const again = await open('primary-coder');
    expect(again.sessionId).toBe('ses_saved');
    expect(kilo.requests.filter((r) => r.method === 'POST' && r.path === '/session')).toEqual([]);
    const fresh = await open('secondary-coder');
    expect(fresh.sessionId).toBe('ses_1');

    kilo.onPrompt = (id) => {
      kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
      kilo.emit('message.updated', { info: { id: 'msg_a', sessionID: id, role: 'assistant', time: { created: Date.now() }, structured: { summary: 'done' } } });
      kilo.emit('session.idle', { sessionID: id });
    };
    const reply = await again.run({ workId: 'w1', kind: 'implement', prompt: 'Do it.', grants: ['src/a.ts'], inputs: [], detail: {} }, new AbortController().signal, () => undefined);
    expect(reply.output).toEqual({ summary: 'done' });
    expect(kilo.requests.filter((r) => r.path.endsWith('/prompt_async')).map((r) => r.path)).toEqual(['/session/ses_saved/prompt_async']);
  });

  it('fresh work sent again after a resume continues in the re-attached session (the in-flight work\'s), and the next work moves on', async () => {
    kilo.stored = new Map([['ses_saved', own('code-sceptic-1')]]);
    await backend.reattach([{ agentId: 'code-sceptic-1', sessionId: 'ses_saved' }]);
    const again = await open('code-sceptic');
    kilo.onPrompt = (id) => {
      kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
      kilo.emit('message.updated', { info: { id: `msg_${kilo.requests.length}`, sessionID: id, role: 'assistant', time: { created: Date.now() }, structured: { summary: 'done' } } });
      kilo.emit('session.idle', { sessionID: id });
    };
    const review = (workId: string) => again.run({ workId, kind: 'review-code', prompt: 'Review it.', grants: [], inputs: [], detail: {}, freshConversation: true }, new AbortController().signal, () => undefined);
    await review('w1');
    await review('w2');
    expect(kilo.requests.filter((r) => r.path.endsWith('/prompt_async')).map((r) => r.path)).toEqual(['/session/ses_saved/prompt_async', '/session/ses_1/prompt_async']);
  });

  it('re-attaches a saved session once: the same agent opened again (moved to another profile) gets a new one', async () => {
    kilo.stored = new Map([['ses_saved', own('primary-coder-1')]]);
    await backend.reattach([{ agentId: 'primary-coder-1', sessionId: 'ses_saved' }]);
    expect((await open('primary-coder')).sessionId).toBe('ses_saved');
    expect((await open('primary-coder')).sessionId).toBe('ses_1');
  });
});
