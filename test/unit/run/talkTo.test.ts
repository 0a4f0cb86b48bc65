import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentBackend } from '../../../extension/engine/backends/agentBackend';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { OrchestrationRun, type AgentMessageEvent } from '../../../extension/engine/run/orchestrationRun';
import { FakeBackend } from '../fakes/fakeBackend';
import { rejection } from '../support/errors';

function aRun(backend: AgentBackend) {
  return OrchestrationRun.create({
    workspace: fs.mkdtempSync(path.join(os.tmpdir(), 'talk-to-')),
    task: 'Add overdue-loan tracking',
    roles: resolveRoles(simulatedRolesConfig()),
    backend,
    onAttention: 'fail',
    workflow: { retryBaseMs: 60_000 },
  });
}

describe('OrchestrationRun.talkTo', () => {
  it("asks the agent in its own session after the work it is doing and returns the agent's answer", async () => {
    const backend = new FakeBackend();
    const run = await aRun(backend);
    void run.start();
    const [planning] = await backend.waitForRuns(1);
    expect(planning!.agentId).toBe('architect-1');

    const answer = run.talkTo('architect-1', 'Why three modules?');
    // The question waits in the mailbox while the plan is still being written.
    expect(backend.runs).toHaveLength(1);
    planning!.resolve({ output: { summary: 'a plan' } });
    const runs = await backend.waitForRuns(2);
    const talk = runs.find((candidate) => candidate.request.kind === 'chat')!;
    expect(talk.agentId).toBe('architect-1');
    expect(talk.request.prompt).toContain('Why three modules?');
    expect(talk.request.grants).toEqual([]);
    expect(talk.request.freshConversation).toBeUndefined();

    talk.resolve({ output: { answer: 'One per concern: data, rules, view.' } });
    expect((await answer).text).toBe('One per concern: data, rules, view.');
    await run.cancel();
  });

  it('answers with the summary when the agent replies with an envelope instead of {answer}', async () => {
    const backend = new FakeBackend();
    const run = await aRun(backend);
    void run.start();
    const [planning] = await backend.waitForRuns(1);
    const answer = run.talkTo('architect-1', 'Status?');
    planning!.resolve();
    const talk = (await backend.waitForRuns(2)).find((candidate) => candidate.request.kind === 'chat')!;
    talk.resolve({ output: '{"summary": "Still planning."}' });
    expect((await answer).text).toBe('Still planning.');
    await run.cancel();
  });

  it('rejects with unknown-recipient for an agent the run does not have', async () => {
    const backend = new FakeBackend();
    const run = await aRun(backend);
    void run.start();
    await backend.waitForRuns(1);
    expect((await rejection(run.talkTo('debugger-7', 'hello'))).reason).toBe('unknown-recipient');
    await run.cancel();
  });

  it('rejects with recipient-terminated once the run has finished', async () => {
    const run = await aRun(new SimulatedBackend({ files: 2 }));
    const report = await run.start();
    expect(report.status).toBe('COMPLETED');
    expect((await rejection(run.talkTo('architect-1', 'hello'))).reason).toBe('recipient-terminated');
  });

  it('rejects with aborted when the run is cancelled before the agent answers', async () => {
    const backend = new FakeBackend();
    const run = await aRun(backend);
    void run.start();
    await backend.waitForRuns(1);
    const answer = rejection(run.talkTo('architect-1', 'Are you there?'));
    await run.cancel();
    expect((await answer).reason).toBe('aborted');
  });
});

describe("OrchestrationRun 'agent:message'", () => {
  it('forwards every router message with sender, recipient, type and time since the start', async () => {
    const run = await aRun(new SimulatedBackend({ files: 2 }));
    const messages: AgentMessageEvent[] = [];
    run.events.on('agent:message', (message) => messages.push(message));
    await run.start();

    const firstWork = messages.find((message) => message.to === 'architect-1');
    expect(firstWork).toMatchObject({ from: 'organiser', messageType: 'request' });
    expect(firstWork!.correlationId).toBeTruthy();
    expect(messages.some((message) => message.from === 'architect-1' && message.to === 'organiser')).toBe(true);
    expect(messages.every((message) => message.atMs >= 0)).toBe(true);
  });
});
