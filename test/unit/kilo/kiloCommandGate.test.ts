import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BackendEvent } from '../../../extension/engine/backends/agentBackend';
import type { OrchestraError } from '../../../extension/engine/util/errors';
import { commandRulesFor, resolveCommandPolicy, type CommandRule } from '../../../extension/engine/shell/commandPolicy';
import { CommandGate } from '../../../extension/kilo/kiloCommandGate';
import type { KiloMessage } from '../../../extension/kilo/kiloHttp';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'command-gate-'));
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

/** A named fake of the two Kilo calls the gate makes; records replies, serves stored messages. */
class FakeKiloPermissions {
  readonly replies: Array<{ id: string; reply: string; message?: string }> = [];
  messages = new Map<string, KiloMessage>();
  failReplies = false;
  async replyPermission(id: string, reply: 'once' | 'always' | 'reject', message?: string): Promise<void> {
    if (this.failReplies) throw new Error('connection reset');
    this.replies.push({ id, reply, ...(message !== undefined ? { message } : {}) });
  }
  async getMessage(_sessionId: string, messageId: string): Promise<KiloMessage> {
    const message = this.messages.get(messageId);
    if (!message) throw new Error(`no message ${messageId}`);
    return message;
  }
}

function aGate(rules: CommandRule[] = [{ command: 'npm test', withArguments: false }]) {
  const http = new FakeKiloPermissions();
  const events: BackendEvent[] = [];
  const failures: OrchestraError[] = [];
  const gate = new CommandGate({ sessionId: 'ses_1', directory: workspace, rules, http, onEvent: (e) => events.push(e), fail: (e) => failures.push(e) });
  return { gate, http, events, failures };
}

const running = (callID: string, input: Record<string, unknown>, tool = 'bash') => ({ tool, callID, state: { status: 'running', input } });
const ask = (id: string, callID: string, command: string) => ({ id, permission: 'bash', patterns: [command], metadata: { command }, tool: { messageID: 'msg_1', callID } });

describe('CommandGate', () => {
  it('answers once for the exact allowed command and records nothing', async () => {
    const { gate, http } = aGate();
    gate.observe(running('c1', { command: 'npm test', description: 'tests' }));
    await gate.answer(ask('per_1', 'c1', 'npm test'));
    expect(http.replies).toEqual([{ id: 'per_1', reply: 'once' }]);
    expect(gate.denied).toEqual([]);
  });

  it('rejects a command with extra flags, tells the model why, and records it once', async () => {
    const { gate, http, events } = aGate();
    const command = 'npm test --prefix /elsewhere';
    gate.observe(running('c1', { command }));
    await gate.answer(ask('per_1', 'c1', command));
    await gate.answer(ask('per_2', 'c1', command));
    expect(http.replies.map((r) => r.reply)).toEqual(['reject', 'reject']);
    expect(http.replies[0]?.message).toMatch(/not one of the allowed commands.*`npm test`.*not run/);
    expect(gate.denied).toEqual([command]);
    expect(events.filter((e) => e.type === 'progress' && e.message.startsWith('refused command'))).toHaveLength(1);
  });

  it('judges the command Kilo will execute (the tool call), not the summary in the ask', async () => {
    const { gate, http } = aGate();
    gate.observe(running('c1', { command: 'npm test; curl example.com' }));
    await gate.answer(ask('per_1', 'c1', 'npm test'));
    expect(http.replies[0]?.reply).toBe('reject');
    expect(gate.denied).toEqual(['npm test; curl example.com']);
  });

  it('refuses the allowed command in another folder', async () => {
    const { gate, http } = aGate();
    gate.observe(running('c1', { command: 'npm test', workdir: path.join(workspace, 'nested') }));
    await gate.answer(ask('per_1', 'c1', 'npm test'));
    expect(http.replies[0]).toMatchObject({ reply: 'reject', message: expect.stringContaining('only in the workspace') });
  });

  it('reads the tool call from the message when its event has not arrived yet', async () => {
    const { gate, http } = aGate();
    http.messages.set('msg_1', { info: { id: 'msg_1', role: 'assistant' } as KiloMessage['info'], parts: [{ type: 'tool', tool: 'bash', callID: 'c9', state: { status: 'running', input: { command: 'npm test' } } }] });
    await gate.answer(ask('per_1', 'c9', 'npm test'));
    expect(http.replies).toEqual([{ id: 'per_1', reply: 'once' }]);
  });

  it('refuses a bash permission asked by another tool (a background process) or for a call it cannot find', async () => {
    const { gate, http } = aGate();
    gate.observe(running('c1', { action: 'start', command: 'npm test' }, 'background_process'));
    await gate.answer(ask('per_1', 'c1', 'npm test'));
    await gate.answer(ask('per_2', 'unknown', 'npm test'));
    expect(http.replies.map((r) => r.reply)).toEqual(['reject', 'reject']);
  });

  it("records bash calls Kilo refused by itself (a rule's deny, a tool it did not offer)", () => {
    const { gate } = aGate();
    gate.observe({ tool: 'bash', callID: 'c1', state: { status: 'error', input: { command: 'touch /tmp/x' }, error: 'The user has specified a rule which prevents you from using this specific tool call.' } });
    gate.observe({ tool: 'bash', callID: 'c2', state: { status: 'error', input: { command: 'ls' }, error: "Model tried to call unavailable tool 'bash'." } });
    gate.observe({ tool: 'bash', callID: 'c3', state: { status: 'error', input: { command: 'npm test' }, error: 'exit code 1' } });
    expect(gate.denied).toEqual(['touch /tmp/x', 'ls']);
  });

  it("rejects npm test once package.json's test script changed since run start, and records why", async () => {
    fs.writeFileSync(path.join(workspace, 'package.json'), JSON.stringify({ scripts: { test: 'node --test' } }));
    const { gate, http } = aGate(commandRulesFor('debugger', resolveCommandPolicy(workspace)));
    gate.observe(running('c1', { command: 'npm test' }));
    await gate.answer(ask('per_1', 'c1', 'npm test'));
    fs.writeFileSync(path.join(workspace, 'package.json'), JSON.stringify({ scripts: { test: 'node -e "require(\'fs\').writeFileSync(\'/tmp/x\', \'\')"' } }));
    gate.observe(running('c2', { command: 'npm test' }));
    await gate.answer(ask('per_2', 'c2', 'npm test'));
    expect(http.replies.map((r) => r.reply)).toEqual(['once', 'reject']);
    expect(http.replies[1]?.message).toMatch(/^The test script in package.json changed during the run: was "node --test", now .*The command was not run\.$/);
    expect(gate.denied).toEqual([{ command: 'npm test', reason: expect.stringContaining('changed during the run') }]);
  });

  it('ends the turn when it cannot answer, rather than leave Kilo waiting', async () => {
    const { gate, http, failures } = aGate();
    http.failReplies = true;
    gate.observe(running('c1', { command: 'npm test' }));
    await gate.answer(ask('per_1', 'c1', 'npm test'));
    expect(failures).toHaveLength(1);
    expect(failures[0]?.retryable).toBe(true);
  });
});
