import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackendEvent, WorkRequest } from '../../../extension/engine/backends/agentBackend';
import { ProfileSchema, RoleDefinitionSchema } from '../../../extension/engine/roles/roleSchema';
import { KiloSessionBackend } from '../../../extension/kilo/kiloSessionBackend';
import { TranscriptPartSchema } from '../../../extension/protocol/transcriptPart';
import { startFakeKilo, type FakeKilo } from './fakeKiloServer';

const WORKSPACE = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-parts-unit-'));
fs.mkdirSync(path.join(WORKSPACE, '.git'));
const role = RoleDefinitionSchema.parse({ id: 'secondary-coder', name: 'Coder', description: 'A role.', category: 'implementation', required: false, prompt: 'Work.' });
const profile = ProfileSchema.parse({ id: 'p', label: 'P', providerID: 'scripted', modelID: 'model-a' });
const request: WorkRequest = { workId: 'w1', kind: 'implement', prompt: 'Do it.', grants: ['src/a.ts'], inputs: [], detail: {} };

describe('a Kilo turn reports its message parts as transcript parts', () => {
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

  it('streams a tool call from running to completed, with text and step parts, and leaves out the prompt and repeats', async () => {
    const session = await backend.startSession({ agentId: 'secondary-coder-1', role, profile, workspace: WORKSPACE });
    kilo.onPrompt = (id) => {
      const part = (extra: Record<string, unknown>) => ({ part: { sessionID: id, messageID: 'msg_a', ...extra } });
      kilo.emit('session.status', { sessionID: id, status: { type: 'busy' } });
      // The user's prompt is a part too, of a message that is not the assistant's: not transcribed.
      kilo.emit('message.part.updated', { part: { sessionID: id, messageID: 'msg_user', id: 'prt_prompt', type: 'text', text: 'Do it.' } });
      kilo.emit('message.updated', { info: { id: 'msg_a', sessionID: id, role: 'assistant', time: { created: Date.now() } } });
      kilo.emit('message.part.updated', part({ id: 'prt_t', type: 'text', text: 'I will write a.ts', time: { start: 1 } }));
      kilo.emit('message.part.updated', part({ id: 'prt_t', type: 'text', text: 'I will write a.ts.', time: { start: 1, end: 2 } }));
      const input = { filePath: path.join(WORKSPACE, 'src/a.ts'), content: 'export const a = 1;\n' };
      kilo.emit('message.part.updated', part({ id: 'prt_w', type: 'tool', tool: 'write', callID: 'c1', state: { status: 'running', input } }));
      kilo.emit('message.part.updated', part({ id: 'prt_w', type: 'tool', tool: 'write', callID: 'c1', state: { status: 'running', input } }));
      kilo.emit('message.part.updated', part({ id: 'prt_w', type: 'tool', tool: 'write', callID: 'c1', state: { status: 'completed', input, output: 'Wrote file successfully.', metadata: { diff: '@@ -0,0 +1 @@\n+export const a = 1;\n' } } }));
      kilo.emit('message.part.updated', part({ id: 'prt_s', type: 'step-finish', cost: 0.002, tokens: { input: 900, output: 120, reasoning: 0 } }));
      kilo.emit('message.updated', { info: { id: 'msg_a', sessionID: id, role: 'assistant', time: { created: Date.now() }, structured: { summary: 'done' } } });
      kilo.emit('session.idle', { sessionID: id });
    };
    const events: BackendEvent[] = [];
    await session.run(request, new AbortController().signal, (event) => events.push(event));
    const parts = events.flatMap((event) => (event.type === 'part' ? [event.part] : []));
    expect(parts.map((part) => `${part.id}:${part.status ?? part.kind}`)).toEqual(['prt_t:text', 'prt_t:text', 'prt_w:running', 'prt_w:completed', 'prt_s:step']);
    expect(parts[3]).toMatchObject({ tool: 'write', target: 'src/a.ts', diff: { text: '@@ -0,0 +1 @@\n+export const a = 1;\n' }, output: { text: 'Wrote file successfully.' } });
    expect(parts[4]).toMatchObject({ tokens: { input: 900, output: 120 }, costUsd: 0.002 });
    for (const part of parts) expect(TranscriptPartSchema.safeParse(part).success).toBe(true);
    // The existing progress and file events are still there.
    expect(events).toContainEqual({ type: 'file', path: 'src/a.ts' });
  });
});
