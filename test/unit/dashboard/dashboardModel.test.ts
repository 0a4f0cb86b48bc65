import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedBackend, type SimulatedBackendOptions } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { OrchestrationRun } from '../../../extension/engine/run/orchestrationRun';
import { DashboardModel } from '../../../extension/dashboard/dashboardModel';
import { latestRunFolder } from '../../../extension/dashboard/runFolder';
import { MessageBatcher } from '../../../extension/dashboard/messageBatcher';
import { HostMessageSchema, type HostMessage, type HostSingleMessage } from '../../../extension/protocol/dashboardProtocol';
import { DashboardStateSchema } from '../../../extension/protocol/viewModel';

async function aWatchedRun(backend: SimulatedBackendOptions = {}, budgetUsd?: number) {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-'));
  const roles = resolveRoles(simulatedRolesConfig());
  const run = await OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles, backend: new SimulatedBackend(backend), onAttention: 'fail', workflow: { retryBaseMs: 1 } });
  const model = new DashboardModel(budgetUsd === undefined ? {} : { budgetUsd });
  const attachment = model.attach(run, { roles, canRollBack: () => true, backend: 'simulated' });
  const deltas: HostSingleMessage[] = [];
  model.onMessage((message) => deltas.push(message));
  return { workspace, run, model, deltas, attachment };
}

describe('DashboardModel following a simulated run', () => {
  it('ends with every agent, file, artifact, to-do and the cost of a completed run', async () => {
    const { run, model } = await aWatchedRun({ files: 6 }, 5);
    const report = await run.start();
    const state = model.state();

    expect(DashboardStateSchema.parse(state)).toEqual(state);
    expect(state.run).toMatchObject({ runId: run.runId, task: 'Add overdue-loan tracking', phase: 'COMPLETED', backend: 'simulated', live: true, canRollBack: true });
    expect(state.run?.finishedAt).toBeDefined();
    expect(state.agents.map((a) => a.id).sort()).toEqual(report.agents.map((a) => a.id).sort());
    const architect = state.agents.find((a) => a.role === 'architect')!;
    expect(architect).toMatchObject({ roleName: 'Architect', model: 'simulated/sim-architect' });
    expect(state.files).toHaveLength(6);
    expect(state.files.every((f) => f.stage === 'approved')).toBe(true);
    expect(state.artifacts.map((a) => a.id).sort()).toEqual(report.artifacts.map((a) => a.id).sort());
    // Approvals happen after the artifact is recorded; the model picks them up too.
    expect(state.artifacts.filter((a) => a.type === 'code').every((a) => a.status === 'approved')).toBe(true);
    expect(state.todo.length).toBeGreaterThan(6);
    expect(state.todo.every((t) => t.status === 'done')).toBe(true);
    expect(state.cost.totalUsd).toBeCloseTo(report.costUsd, 5);
    expect(state.cost.budgetUsd).toBe(5);
    expect(state.cost.byRole.find((r) => r.role === 'architect')?.roleName).toBe('Architect');
    expect(state.cost.byAgent).toHaveLength(state.agents.length);
    // Router traffic: each agent's work arrived in its transcript, and its replies went back.
    const transcript = state.transcripts['architect-1'] ?? [];
    expect(transcript.some((line) => line.direction === 'to-agent' && line.counterpart === 'organiser')).toBe(true);
    expect(transcript.some((line) => line.direction === 'from-agent')).toBe(true);
    expect(state.timeline.some((entry) => entry.kind === 'work' && entry.agentId === 'architect-1')).toBe(true);
    expect(state.timeline.some((entry) => entry.kind === 'work' && entry.agentId?.startsWith('organiser'))).toBe(false);
  });

  it('shows an approval while the run is still going, not only when it ends', async () => {
    const { run, deltas } = await aWatchedRun({ files: 3 });
    await run.start();
    const approvedAt = deltas.findIndex((m) => m.type === 'artifacts/didChange' && m.artifacts.some((a) => a.type === 'code' && a.status === 'approved'));
    const finishedAt = deltas.findIndex((m) => m.type === 'run/didChange' && m.run.phase === 'COMPLETED');
    expect(approvedAt).toBeGreaterThanOrEqual(0);
    expect(approvedAt).toBeLessThan(finishedAt);
  });

  it('lays out the phases on the timeline, each closed with its duration when the next one starts', async () => {
    const { run, model } = await aWatchedRun({ files: 4 });
    const report = await run.start();
    const phases = model.state().timeline.filter((entry) => entry.kind === 'phase');

    expect(phases.map((p) => p.title)).toEqual(report.transitions.map((t) => t.to));
    expect(phases.slice(0, -1).every((p) => p.durationMs !== undefined)).toBe(true);
    expect(phases.at(-1)?.durationMs).toBeUndefined();
    const seqs = model.state().timeline.map((entry) => entry.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(model.state().timeline.some((e) => e.kind === 'decision')).toBe(true);
    expect(model.state().timeline.some((e) => e.kind === 'artifact')).toBe(true);
  });

  it('sends every change as a valid protocol delta, and a phase entry again once its duration is known', async () => {
    const { run, deltas } = await aWatchedRun({ files: 3 });
    await run.start();

    for (const delta of deltas) expect(HostMessageSchema.safeParse(delta).success).toBe(true);
    const types = new Set(deltas.map((d) => d.type));
    for (const type of ['run/didChange', 'agents/didChange', 'timeline/didChange', 'files/didChange', 'artifacts/didChange', 'todo/didChange', 'cost/didChange']) expect(types).toContain(type);
    const planning = deltas.flatMap((d) => (d.type === 'timeline/didChange' ? d.entries : [])).filter((e) => e.kind === 'phase' && e.title === 'PLANNING');
    expect(planning.length).toBe(2);
    expect(planning[1]?.durationMs).toBeDefined();
  });

  it('stops following the run once detached', async () => {
    const { run, deltas, attachment } = await aWatchedRun({ files: 2 });
    attachment.dispose();
    await run.start();
    expect(deltas).toEqual([]);
  });

  it('keeps chat messages by id, transcripts per agent and the rollback flag', async () => {
    const { model, deltas } = await aWatchedRun({ files: 2 });
    model.recordChat({ id: 'c1', from: 'organiser', text: '…', atMs: 5, pending: true });
    model.recordChat({ id: 'c1', from: 'organiser', text: 'Planning is under way.', atMs: 9 });
    model.appendTranscript('architect-1', { atMs: 3, direction: 'to-agent', counterpart: 'user', text: 'Hi' });
    model.setCanRollBack(false);

    const state = model.state();
    expect(state.chat).toEqual([{ id: 'c1', from: 'organiser', text: 'Planning is under way.', atMs: 9 }]);
    expect(state.transcripts['architect-1']).toEqual([{ atMs: 3, direction: 'to-agent', counterpart: 'user', text: 'Hi' }]);
    expect(state.run?.canRollBack).toBe(false);
    expect(deltas.map((d) => d.type)).toEqual(['chat/didChange', 'chat/didChange', 'transcript/didAppend', 'run/didChange']);
  });

  it('turns router traffic into work entries and transcripts, capped per agent', async () => {
    const { model } = await aWatchedRun({ files: 2 });
    for (let i = 0; i < 250; i++) model.applyMessage({ from: 'organiser', to: 'secondary-coder-1', messageType: 'request', content: `implement f${i}.ts`, atMs: i });
    model.applyMessage({ from: 'secondary-coder-1', to: 'organiser', messageType: 'artifact', content: 'done', atMs: 300 });

    const transcript = model.state().transcripts['secondary-coder-1']!;
    expect(transcript).toHaveLength(200);
    expect(transcript.at(-1)).toEqual({ atMs: 300, direction: 'from-agent', counterpart: 'organiser', text: 'done' });
    expect(model.state().timeline.filter((e) => e.kind === 'work')).toHaveLength(250);
  });

  it('loads an artifact with its language, and a fixed code file with its previous version for a diff', async () => {
    const { run, model } = await aWatchedRun({ files: 5, rejectEveryNthFile: 1 });
    await run.start();
    const fixed = model.state().artifacts.find((a) => a.type === 'code' && a.version > 1 && a.files[0]?.endsWith('.ts'));
    expect(fixed).toBeDefined();

    const content = await model.loadArtifact(fixed!.id);
    expect(content.version).toBe(fixed!.version);
    expect(content.language).toBe('typescript');
    expect(content.previous).toBeDefined();
    const plan = await model.loadArtifact(model.state().artifacts.find((a) => a.type === 'plan')!.id);
    expect(plan).toMatchObject({ language: 'markdown' });
    expect(plan.previous).toBeUndefined();
    await expect(model.loadArtifact('code-999')).rejects.toThrow(/not in this run/);
  });
});

describe('DashboardModel.fromRunFolder', () => {
  it('rebuilds a finished run from its folder as the live model saw it, marked not live', async () => {
    const { workspace, run, model } = await aWatchedRun({ files: 5 });
    await run.start();
    const live = model.state();

    const folder = await latestRunFolder(workspace);
    expect(folder).toBe(run.runDir);
    const rebuilt = (await DashboardModel.fromRunFolder(folder!, { roles: resolveRoles(simulatedRolesConfig()) })).state();

    expect(DashboardStateSchema.parse(rebuilt)).toEqual(rebuilt);
    expect(rebuilt.run).toMatchObject({ runId: run.runId, phase: 'COMPLETED', backend: 'simulated', live: false, task: live.run!.task });
    expect(rebuilt.files).toEqual(live.files);
    expect(rebuilt.todo).toEqual(live.todo);
    expect(rebuilt.artifacts).toEqual(live.artifacts);
    const byId = (agents: typeof live.agents) =>
      agents.map((a) => ({ id: a.id, roleName: a.roleName, model: a.model, status: a.status, costUsd: a.costUsd, turns: a.turns })).sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(rebuilt.agents)).toEqual(byId(live.agents));
    expect(rebuilt.cost.totalUsd).toBeCloseTo(live.cost.totalUsd, 6);
    const phases = (state: typeof live) => state.timeline.filter((e) => e.kind === 'phase').map((e) => ({ title: e.title, durationMs: e.durationMs }));
    expect(phases(rebuilt)).toEqual(phases(live));
    expect(rebuilt.timeline.filter((e) => e.kind === 'decision')).toHaveLength(live.timeline.filter((e) => e.kind === 'decision').length);
    expect(Object.keys(rebuilt.transcripts).sort()).toEqual(Object.keys(live.transcripts).sort());
    expect(rebuilt.timeline.filter((e) => e.kind === 'work').map((e) => e.agentId)).toEqual(live.timeline.filter((e) => e.kind === 'work').map((e) => e.agentId));
    const plan = rebuilt.artifacts.find((a) => a.type === 'plan')!;
    expect((await (await DashboardModel.fromRunFolder(folder!)).loadArtifact(plan.id)).content.length).toBeGreaterThan(0);
  });

  it('names built-in roles without the roles configuration, and shows profile ids for models', async () => {
    const { run } = await aWatchedRun({ files: 2 });
    await run.start();
    const architect = (await DashboardModel.fromRunFolder(run.runDir)).state().agents.find((a) => a.role === 'architect');
    expect(architect).toMatchObject({ roleName: 'Architect', model: 'sim-architect' });
  });

  it('reads back findings of every kind, as the live model showed them', async () => {
    // A control file and a wildcard in the plan: a control-file and a plan-problem finding.
    const { run, model } = await aWatchedRun({ planFiles: ['src/a.js', 'kilo.json', 'src/*'] });
    const report = await run.start();
    const findings = (state: ReturnType<typeof model.state>) => state.timeline.filter((e) => e.kind === 'finding').map((e) => ({ title: e.title, detail: e.detail }));
    const kinds = new Set(report.findings.map((f) => f.kind));
    expect(kinds).toEqual(new Set(['control-file', 'plan-problem']));

    const rebuilt = (await DashboardModel.fromRunFolder(run.runDir)).state();
    expect(findings(rebuilt)).toEqual(findings(model.state()));
    expect(new Set(findings(rebuilt).map((f) => f.title))).toEqual(kinds);
  });

  it('marks a run that never finished as interrupted', async () => {
    const { run } = await aWatchedRun({ files: 3 });
    const stateFile = path.join(run.runDir, 'state.json');
    const done = run.start();
    await done;
    const snapshot = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    snapshot.workflow.phase = 'CODE_IMPLEMENTATION';
    fs.writeFileSync(stateFile, JSON.stringify(snapshot));
    fs.writeFileSync(path.join(run.runDir, 'events.jsonl'), '');

    const rebuilt = (await DashboardModel.fromRunFolder(run.runDir)).state();
    expect(rebuilt.run).toMatchObject({ phase: 'CODE_IMPLEMENTATION', live: false });
    expect(rebuilt.run?.outcome).toMatch(/Interrupted/);
  });

  it('finds no run folder in a workspace without runs, and refuses a folder without a state', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-empty-'));
    expect(await latestRunFolder(empty)).toBeUndefined();
    await expect(DashboardModel.fromRunFolder(empty)).rejects.toMatchObject({ reason: 'not-found' });
  });
});

describe('a large run through the batcher', () => {
  it('coalesces the deltas of a 60-file run (over 1,000 events, 200 artifacts) into one post per tick', async () => {
    const { run, model } = await aWatchedRun({ files: 60, rejectEveryNthFile: 1 });
    const posts: HostMessage[] = [];
    const ticks: Array<() => void> = [];
    const batcher = new MessageBatcher({ post: (m) => posts.push(m), schedule: (callback) => (ticks.push(callback), () => undefined) });
    let deltas = 0;
    model.onMessage((message) => {
      deltas += 1;
      batcher.push(message);
    });
    await run.start();
    batcher.flush();

    expect(deltas).toBeGreaterThan(1000);
    expect(model.state().artifacts.length).toBeGreaterThanOrEqual(200);
    expect(posts).toHaveLength(1);
    const batch = posts[0]!;
    expect(batch.type).toBe('batch');
    if (batch.type !== 'batch') return;
    // One message per kind of change: the latest agents, one cost, one file board.
    expect(batch.messages.filter((m) => m.type === 'cost/didChange')).toHaveLength(1);
    expect(batch.messages.filter((m) => m.type === 'files/didChange')).toHaveLength(1);
    const agents = batch.messages.find((m) => m.type === 'agents/didChange');
    expect(agents?.type === 'agents/didChange' && agents.agents.length).toBe(model.state().agents.length);
    const artifacts = batch.messages.find((m) => m.type === 'artifacts/didChange');
    expect(artifacts?.type === 'artifacts/didChange' && artifacts.artifacts).toEqual(model.state().artifacts);
    expect(HostMessageSchema.safeParse(batch).success).toBe(true);
  });
});
