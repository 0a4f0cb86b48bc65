import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentBackend, AgentReply, AgentSession, SessionSpec, WorkRequest } from '../../../extension/engine/backends/agentBackend';
import { ForkBackend } from '../../../extension/engine/backends/forkBackend';
import { ReplayBackend } from '../../../extension/engine/backends/replayBackend';
import { ReplaySequencer } from '../../../extension/engine/backends/replaySequencer';
import { builtinRole } from '../../../extension/engine/roles/builtinRoles';
import type { RecordedReply } from '../../../extension/engine/run/replayRecorder';

const noEvents = () => undefined;

/** A recorded reply of `role` (agent `<role>-1`) to `kind` about `file`. */
function aLine(role: string, kind: RecordedReply['kind'], file: string): RecordedReply {
  return { workId: `w-${file}`, agentId: `${role}-1`, kind, role, subject: file, attempt: 1, reply: { output: { summary: `${kind} ${file}` }, changedFiles: [], usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } } };
}

function aSpec(role: string, workspace: string): SessionSpec {
  return { agentId: `${role}-1`, role: builtinRole(role)!, profile: { id: `p-${role}`, label: role, providerID: 'live', modelID: `${role}-model` }, workspace };
}

function aRequest(kind: WorkRequest['kind'], file: string): WorkRequest {
  return { workId: `w-${file}`, kind, prompt: 'task', grants: [], inputs: [], detail: { file } };
}

/** A stall timer the test fires by hand. */
function aManualTimer() {
  const pending: Array<() => void> = [];
  return { setTimer: (run: () => void) => (pending.push(run), { cancel: () => pending.splice(pending.indexOf(run), 1) }), fire: () => pending.shift()?.() };
}

/** The live side of a fork: records what it was asked and which profiles its sessions opened on. */
class FakeLiveBackend implements AgentBackend {
  readonly kind = 'kilo' as const;
  readonly asked: string[] = [];
  readonly opened: string[] = [];

  async startSession(spec: SessionSpec): Promise<AgentSession> {
    this.opened.push(`${spec.agentId} on ${spec.profile.id}`);
    return {
      agentId: spec.agentId,
      sessionId: `live-${spec.agentId}`,
      run: async (request): Promise<AgentReply> => {
        this.asked.push(`${request.kind} ${String(request.detail.file)}`);
        return { output: { summary: 'live' }, changedFiles: [], usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } };
      },
      close: async () => undefined,
    };
  }

  async dispose(): Promise<void> {}
}

describe('replay answers in the recorded order', () => {
  it('holds an answer until the lines before it are answered', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-order-'));
    const backend = new ReplayBackend([aLine('code-sceptic', 'review-code', 'a.ts'), aLine('primary-coder', 'implement', 'b.ts')]);
    const coder = await backend.startSession(aSpec('primary-coder', workspace));
    const sceptic = await backend.startSession(aSpec('code-sceptic', workspace));
    const landed: string[] = [];
    const second = coder.run(aRequest('implement', 'b.ts'), new AbortController().signal, noEvents).then(() => landed.push('b.ts'));
    const first = sceptic.run(aRequest('review-code', 'a.ts'), new AbortController().signal, noEvents).then(() => landed.push('a.ts'));
    await Promise.all([first, second]);
    expect(landed).toEqual(['a.ts', 'b.ts']);
    expect(backend.outOfOrder()).toEqual([]);
  });

  it('lets an agent go first, counted, when the line before is its own (it cannot ask for that one while it waits)', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-order-'));
    const backend = new ReplayBackend([aLine('primary-coder', 'implement', 'a.ts'), aLine('primary-coder', 'implement', 'b.ts')]);
    const coder = await backend.startSession(aSpec('primary-coder', workspace));
    await coder.run(aRequest('implement', 'b.ts'), new AbortController().signal, noEvents);
    expect(backend.outOfOrder()).toMatchObject([{ line: 2, expected: 1, why: 'agent-busy' }]);
    expect(backend.outOfOrder()[0]!.message).toBe('primary-coder-1 asked for primary-coder implement b.ts (line 2) while the recording has its primary-coder implement a.ts (line 1) first');
    // The line it skipped is still answered when asked, without waiting.
    await coder.run(aRequest('implement', 'a.ts'), new AbortController().signal, noEvents);
    expect(backend.unused()).toBe(0);
  });

  it('lets the earliest waiting answer go, counted, when nothing asks for the line before it until the stall timer fires', async () => {
    const timer = aManualTimer();
    const sequencer = new ReplaySequencer({ agents: ['architect-1', 'code-sceptic-1', 'debugger-1'], describe: (index) => `line ${index + 1}`, stallMs: 5_000, setTimer: timer.setTimer });
    const order: number[] = [];
    const third = sequencer.turn(2, 'debugger-1', new AbortController().signal).then(() => order.push(3));
    const second = sequencer.turn(1, 'code-sceptic-1', new AbortController().signal).then(() => order.push(2));
    await Promise.resolve();
    expect(order).toEqual([]);
    timer.fire();
    await second;
    sequencer.finished(1);
    await third;
    expect(order).toEqual([2, 3]);
    expect(sequencer.outOfOrder).toMatchObject([{ line: 2, expected: 1, why: 'stalled' }]);
  });
});

describe('a fork hands over to the live backend', () => {
  it('answers from the recording until the Nth transition, then sends what is asked to live sessions on the fork profiles', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'fork-'));
    const live = new FakeLiveBackend();
    const replay = new ReplayBackend([aLine('architect', 'plan', ''), aLine('primary-coder', 'implement', 'a.ts'), aLine('primary-coder', 'implement', 'b.ts')]);
    const fork = new ForkBackend({ replay, live, atTransition: 2, liveMaxActive: 2 });
    expect(fork.kind).toBe('simulated');
    const architect = await fork.startSession(aSpec('architect', workspace));
    const coder = await fork.startSession(aSpec('primary-coder', workspace));
    const signal = new AbortController().signal;

    expect(await architect.run(aRequest('plan', ''), signal, noEvents)).toMatchObject({ output: { summary: 'plan ' } });
    fork.noteTransition();
    expect(await coder.run(aRequest('implement', 'a.ts'), signal, noEvents)).toMatchObject({ output: { summary: 'implement a.ts' } });
    expect(live.opened).toEqual([]);

    fork.noteTransition();
    expect(fork.live).toBe(true);
    expect(fork.kind).toBe('kilo');
    expect(await coder.run(aRequest('implement', 'b.ts'), signal, noEvents)).toMatchObject({ output: { summary: 'live' } });
    expect(live.asked).toEqual(['implement b.ts']);
    expect(live.opened).toEqual(['primary-coder-1 on p-primary-coder']);
    expect(replay.unused()).toBe(1);
  });

  it('answers from the recording what was asked before the hand-over, without waiting for the lines the live part takes', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'fork-'));
    const live = new FakeLiveBackend();
    // The recording answered a.ts after b.ts; after the hand-over b.ts is asked live, and a.ts must not wait for it.
    const replay = new ReplayBackend([aLine('primary-coder', 'implement', 'b.ts'), aLine('code-sceptic', 'review-code', 'a.ts')]);
    const fork = new ForkBackend({ replay, live, atTransition: 1, liveMaxActive: 1 });
    const sceptic = await fork.startSession(aSpec('code-sceptic', workspace));
    const waiting = sceptic.run(aRequest('review-code', 'a.ts'), new AbortController().signal, noEvents);
    fork.noteTransition();
    expect(await waiting).toMatchObject({ output: { summary: 'review-code a.ts' } });
    expect(live.asked).toEqual([]);
  });
});
