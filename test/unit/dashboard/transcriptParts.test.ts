import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { OrchestrationRun } from '../../../extension/engine/run/orchestrationRun';
import { transcriptFile } from '../../../extension/engine/run/transcriptLog';
import { DashboardModel } from '../../../extension/dashboard/dashboardModel';
import { MessageBatcher } from '../../../extension/dashboard/messageBatcher';
import { handleWebviewMessage, type DashboardHostDeps } from '../../../extension/dashboard/webviewRequests';
import { HostMessageSchema, parseHostMessage, parseWebviewMessage, type HostSingleMessage } from '../../../extension/protocol/dashboardProtocol';
import type { TranscriptPartView } from '../../../extension/protocol/transcriptPart';
import { DashboardStateSchema } from '../../../extension/protocol/viewModel';

async function aFinishedWatchedRun() {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-parts-'));
  const roles = resolveRoles(simulatedRolesConfig());
  const run = await OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles, backend: new SimulatedBackend({ files: 3 }), onAttention: 'fail', workflow: { retryBaseMs: 1 } });
  const model = new DashboardModel();
  model.attach(run, { roles, canRollBack: () => false, backend: 'simulated' });
  const deltas: HostSingleMessage[] = [];
  model.onMessage((message) => deltas.push(message));
  await run.start();
  return { run, model, roles, deltas };
}

function writesOf(parts: Record<string, TranscriptPartView[]> | undefined): TranscriptPartView[] {
  return Object.values(parts ?? {}).flat().filter((part) => part.kind === 'tool' && part.tool === 'write');
}

function depsFor(model: DashboardModel): DashboardHostDeps {
  const refuse = async () => undefined;
  return { source: () => model, controls: () => undefined, roles: { view: async () => ({}) as never, save: refuse, applyTemplate: refuse, importFromFiles: refuse, exportToFiles: refuse, refreshModels: refuse, addEndpoint: refuse, onDidChange: () => ({ dispose: () => undefined }) }, openFile: refuse, log: () => undefined };
}

describe('what the agents did, part by part, in the dashboard', () => {
  it('shows each write of a run as a completed write tool call with its diff, live and after a reload from the run folder', async () => {
    const { run, model, roles, deltas } = await aFinishedWatchedRun();
    const live = writesOf(model.state().parts);
    expect(live.length).toBeGreaterThanOrEqual(3);
    expect(live.every((part) => part.status === 'completed' && (part.additions ?? 0) > 0 && part.target !== undefined)).toBe(true);
    expect(DashboardStateSchema.safeParse(model.state()).success).toBe(true);
    // A running version came first and was replaced, not added.
    expect(deltas.some((delta) => delta.type === 'transcript/partsDidChange' && delta.parts.some((part) => part.status === 'running'))).toBe(true);

    const rebuilt = await DashboardModel.fromRunFolder(run.runDir, { roles });
    expect(rebuilt.state().parts).toEqual(model.state().parts);
  });

  it('answers transcript/loadPart with the bodies from the run folder, and refuses a part it does not have', async () => {
    const { model } = await aFinishedWatchedRun();
    const [agentId, parts] = Object.entries(model.state().parts ?? {}).find(([, list]) => list.some((part) => part.tool === 'write'))!;
    const write = parts.find((part) => part.tool === 'write')!;
    const posted: HostSingleMessage[] = [];
    const context = { deps: depsFor(model), post: (message: HostSingleMessage) => posted.push(message) };
    const asked = parseWebviewMessage({ type: 'transcript/loadPart', requestId: 'r1', agentId, turn: write.turn, partId: write.id });
    expect(asked.ok).toBe(true);
    if (asked.ok) await handleWebviewMessage(asked.message, context);
    const content = posted.find((message) => message.type === 'transcript/partContent');
    expect(content && content.type === 'transcript/partContent' ? content.body.diff?.text : undefined).toContain(`+++ ${write.target}`);
    expect(parseHostMessage(content).ok).toBe(true);
    expect(posted.at(-1)).toEqual({ type: 'request/done', requestId: 'r1', ok: true });

    await handleWebviewMessage({ type: 'transcript/loadPart', requestId: 'r2', agentId, turn: 'nope', partId: write.id }, context);
    expect(posted.at(-1)).toMatchObject({ type: 'request/done', requestId: 'r2', ok: false });
  });

  it("survives a torn last line of an agent's transcript on reload", async () => {
    const { run, roles, model } = await aFinishedWatchedRun();
    const [agentId, parts] = Object.entries(model.state().parts ?? {})[0]!;
    fs.appendFileSync(transcriptFile(run.runDir, agentId), '{"v":1,"turn":"w9","atMs":3,"part":{"id":"torn","kind":"te');
    const rebuilt = await DashboardModel.fromRunFolder(run.runDir, { roles });
    expect(rebuilt.state().parts?.[agentId]).toEqual(parts);
  });
});

describe('the protocol of transcript parts', () => {
  const part = { id: 'prt_1', turn: 'w1', atMs: 0, kind: 'tool', status: 'running', tool: 'bash', target: 'npm test', sizes: { input: 20 } };

  it('validates part updates and requests on both sides', () => {
    expect(parseHostMessage({ type: 'transcript/partsDidChange', agentId: 'coder-1', parts: [part] }).ok).toBe(true);
    expect(parseHostMessage({ type: 'transcript/partsDidChange', agentId: 'coder-1', parts: [{ ...part, kind: 'html' }] }).ok).toBe(false);
    expect(parseHostMessage({ type: 'transcript/partsDidChange', agentId: 'coder-1', parts: [{ ...part, preview: 'x'.repeat(10_000) }] }).ok).toBe(false);
    expect(parseHostMessage({ type: 'transcript/partContent', requestId: 'r', agentId: 'coder-1', turn: 'w1', partId: 'p', body: { output: { text: 'ok', size: -1 } } }).ok).toBe(false);
    expect(parseWebviewMessage({ type: 'transcript/loadPart', requestId: 'r', agentId: '../coder', turn: 'w1', partId: 'p' }).ok).toBe(false);
    expect(parseWebviewMessage({ type: 'transcript/loadPart', requestId: 'r', agentId: 'coder-1', turn: '', partId: 'p' }).ok).toBe(false);
  });

  it('posts a part that ran and completed within one tick once, in its last version', () => {
    const posted: unknown[] = [];
    const batcher = new MessageBatcher({ post: (message) => posted.push(message), schedule: () => () => undefined });
    batcher.push({ type: 'transcript/partsDidChange', agentId: 'coder-1', parts: [part as TranscriptPartView] });
    batcher.push({ type: 'transcript/partsDidChange', agentId: 'coder-1', parts: [{ ...(part as TranscriptPartView), status: 'completed' }] });
    batcher.flush();
    const message = HostMessageSchema.parse(posted[0]);
    expect(message).toMatchObject({ type: 'transcript/partsDidChange', parts: [{ id: 'prt_1', status: 'completed' }] });
  });
});
