import fs from 'node:fs';
import { phaseInWords } from '../../../extension/protocol/vocabulary';
import { describe, expect, it } from 'vitest';
import { DashboardModel } from '../../../extension/dashboard/dashboardModel';
import type { SimulatedBackendOptions } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import type { Phase } from '../../../extension/engine/workflow/workflowTypes';
import { awaitAnswer, postToMailbox } from '../../../extension/engine/run/runMailbox';
import { RunLog } from '../../../extension/run/runLog';
import { RunSession } from '../../../extension/run/runSession';
import { aFakeRuntime, aGitWorkspace, quietSink } from './sessionFixtures';

async function aSession(backend: SimulatedBackendOptions = { files: 3 }, workflow: { maxPlanRevisions?: number } = {}) {
  const workspace = aGitWorkspace('run-session-', { 'README.md': 'library\n' });
  const runtime = aFakeRuntime(backend);
  const model = new DashboardModel();
  const log = new RunLog(quietSink);
  const session = await RunSession.start({ workspace, task: 'Add overdue-loan tracking', roles: resolveRoles(simulatedRolesConfig()), runtime, model, log, workflow: { retryBaseMs: 1, ...workflow } });
  return { workspace, runtime, model, log, session };
}

function whenPhase(session: RunSession, phase: Phase): Promise<void> {
  return new Promise((resolve) => {
    // The session starts the run itself, so the phase may already have been reached.
    if (session.run.workflow.phase === phase) return resolve();
    const subscription = session.run.events.on('workflow:transitioned', (change) => {
      if (change.to !== phase) return;
      subscription.dispose();
      resolve();
    });
  });
}

describe('RunSession', () => {
  it('runs the task to the end, checkpoints before the run and after each phase, and stops the runtime', async () => {
    const { session, runtime, model } = await aSession();
    const report = await session.finished;

    expect(report.status).toBe('COMPLETED');
    const labels = session.checkpointList().map((checkpoint) => checkpoint.label);
    expect(labels[0]).toBe('before the run');
    expect(labels).toEqual(expect.arrayContaining(['after writing the plan', 'after writing the code']));
    // The last phase's checkpoint is taken before the run is reported finished.
    expect(labels.at(-1)).toBe(`after ${phaseInWords(report.transitions.at(-1)!.from).toLowerCase()}`);
    expect(runtime.stopped).toBe(true);
    expect(session.live).toBe(false);
    expect(session.canRollBack).toBe(true);
    expect(model.state().run).toMatchObject({ runId: session.runId, canRollBack: true });
  });

  it('records a question to the Organiser, a pending answer and then the answer in the chat', async () => {
    const { session, model } = await aSession({ files: 3, latencyMs: 5 });
    await whenPhase(session, 'CODE_IMPLEMENTATION');
    const answer = await session.ask('organiser', 'What is happening?');
    await session.finished;

    const chat = model.state().chat;
    expect(chat.find((message) => message.from === 'user')?.text).toBe('What is happening?');
    const reply = chat.find((message) => message.from === 'organiser')!;
    expect(reply.text).toBe(answer);
    expect(reply.pending).toBeUndefined();
    expect(answer.length).toBeGreaterThan(0);
  });

  it("shows the Organiser's proposal under its answer, and what became of it once the user applies it", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // The coders wait until the proposal is answered, so the run is surely still implementing.
    const sleep = async (_ms: number, _signal: AbortSignal, agentId: string) => {
      if (agentId.startsWith('secondary-coder')) await released;
    };
    const { session, model } = await aSession({ files: 2, latencyMs: 1, sleep });
    await whenPhase(session, 'CODE_IMPLEMENTATION');
    await session.ask('organiser', 'Also add src/report.js that lists overdue loans by member');

    const proposed = model.state().chat.find((message) => message.from === 'organiser')!;
    expect(proposed.actions).toEqual([{ said: 'add src/report.js to the plan (lists overdue loans by member)', status: 'proposed', proposalId: 'p1' }]);
    await session.answerProposal('p1', true);
    release();
    const report = await session.finished;

    expect(model.state().chat.find((message) => message.id === proposed.id)?.actions).toEqual([{ said: 'add src/report.js to the plan (lists overdue loans by member)', status: 'applied' }]);
    expect(report.status).toBe('COMPLETED');
    expect(session.run.workflow.files.map((file) => file.path)).toContain('src/report.js');
  });

  it('answers `kilo-orchestra say` through the run mailbox, and shows the exchange in the chat', async () => {
    const { session, model } = await aSession({ files: 3, latencyMs: 5 });
    await whenPhase(session, 'CODE_IMPLEMENTATION');
    const id = await postToMailbox(session.run.runDir, { kind: 'say', text: 'Where are we?' });
    const answer = await awaitAnswer(session.run.runDir, id, new AbortController().signal);
    await session.finished;

    expect(answer.ok).toBe(true);
    expect(model.state().chat.find((message) => message.from === 'user')?.text).toBe('Where are we?');
    expect(model.state().chat.find((message) => message.from === 'organiser')?.text).toBe(answer.text);
  });

  it("puts an agent's answer to the user in its transcript", async () => {
    const { session, model } = await aSession({ files: 3, latencyMs: 5 });
    await whenPhase(session, 'CODE_IMPLEMENTATION');
    const agent = session.talkableAgents()[0]!;
    const answer = await session.ask(agent.id, 'How is it going?');
    await session.finished;

    expect(model.state().transcripts[agent.id]).toEqual(expect.arrayContaining([expect.objectContaining({ direction: 'from-agent', counterpart: 'user', text: answer })]));
    expect(model.state().chat.find((message) => message.from === agent.id)?.text).toBe(answer);
  });

  it('records the error in the chat when the agent cannot answer, and rejects', async () => {
    const { session, model } = await aSession();
    await session.finished;
    await expect(session.ask('architect-1', 'Still there?')).rejects.toThrow(/no longer takes messages/);
    expect(model.state().chat.find((message) => message.from === 'architect-1')?.error).toMatch(/no longer takes messages/);
  });

  it('rolls back to the checkpoint before the run, removing the files the agents created', async () => {
    const { session, workspace } = await aSession();
    await session.finished;
    const created = fs.readdirSync(workspace).filter((name) => !['.git', '.gitignore', 'README.md', '.kilo-orchestra'].includes(name));
    expect(created.length).toBeGreaterThan(0);

    const result = await session.rollBackTo(session.checkpointList()[0]!);

    expect(result.removed.length).toBeGreaterThan(0);
    expect(fs.readdirSync(workspace).sort()).toEqual(['.git', '.gitignore', '.kilo-orchestra', 'README.md']);
  });

  it("answers the decision a run stopped on with the user's choice, and refuses a choice it does not offer", async () => {
    // No plan revision allowed and a rejected first plan: the Organiser escalates the loop limit.
    const { session } = await aSession({ files: 2, rejectFirstPlan: true }, { maxPlanRevisions: 0 });
    // The run goes on by itself after start, so it may already have stopped.
    const attention = session.run.workflow.attention ?? (await new Promise<{ reason: string }>((resolve) => session.run.events.once('run:attention', resolve)));
    expect(attention.reason).not.toBe('');
    expect(session.run.workflow.phase).toBe('PAUSED');

    await expect(session.resume('fix_file')).rejects.toThrow(/choose one of: approve_plan/);
    expect(session.run.workflow.phase).toBe('PAUSED');

    await session.resume('approve_plan');
    const report = await session.finished;
    expect(report.status).toBe('COMPLETED');
    expect(report.states).toContain('STRUCTURE_CREATION');
    expect(report.states).not.toContain('PLAN_REVISION');
  });

  it('cancels a live run and stops the runtime on dispose', async () => {
    const { session, runtime } = await aSession({ files: 3, latencyMs: 5 });
    await whenPhase(session, 'PLANNING');
    await session.dispose();
    expect((await session.finished).status).toBe('CANCELLED');
    expect(runtime.stopped).toBe(true);
  });
});
