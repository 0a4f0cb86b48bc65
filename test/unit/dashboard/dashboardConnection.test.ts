import { describe, expect, it } from 'vitest';
import { DashboardConnection } from '../../../extension/dashboard/dashboardConnection';
import type { DashboardRunControls, DashboardSource, RolesController } from '../../../extension/dashboard/dashboardDeps';
import { WEBVIEW_HANDLERS, type DashboardHostDeps } from '../../../extension/dashboard/webviewRequests';
import { toDisposable } from '../../../extension/engine/util/disposable';
import { OrchestraError } from '../../../extension/engine/util/errors';
import { WebviewMessageSchema, type HostMessage, type HostSingleMessage, type WebviewMessage } from '../../../extension/protocol/dashboardProtocol';
import type { RolesView } from '../../../extension/protocol/rolesView';
import { emptyDashboardState } from '../../../extension/protocol/viewModel';

const ROLES_VIEW: RolesView = {
  config: { profiles: [], roles: [], assignments: {} },
  discovered: [],
  issues: [],
  templates: [],
  costPreview: { totalUsd: 0, perRole: [], basis: 'nothing' },
  appliesAtNextStart: false,
};

/** Records every call; `failWith` makes the named method reject. */
function aFakeWorld(options: { controls?: boolean; failWith?: Record<string, Error> } = {}) {
  const calls: string[] = [];
  const record = (name: string, ...args: unknown[]) => async () => {
    calls.push([name, ...args].join(' ').trim());
    const failure = options.failWith?.[name];
    if (failure) throw failure;
  };
  let sourceListener: ((message: HostSingleMessage) => void) | undefined;
  let rolesListener: (() => void) | undefined;
  const fakeSource: DashboardSource = {
    state: () => emptyDashboardState(),
    onMessage: (listener) => ((sourceListener = listener), toDisposable(() => (sourceListener = undefined))),
    loadArtifact: async (id) => {
      calls.push(`loadArtifact ${id}`);
      return { version: 2, content: 'new', previous: 'old', language: 'typescript' };
    },
  };
  const fakeControls: DashboardRunControls = {
    pause: () => record('pause')(),
    resume: () => record('resume')(),
    cancel: () => record('cancel')(),
    send: (to, text) => record('send', to, text)(),
    answerProposal: (proposalId, apply) => record('answerProposal', proposalId, String(apply))(),
    pauseAgent: (agentId) => record('pauseAgent', agentId)(),
    resumeAgent: (agentId) => record('resumeAgent', agentId)(),
    rollBack: () => record('rollBack')(),
  };
  const fakeRoles: RolesController = {
    view: async () => ROLES_VIEW,
    save: () => record('save')(),
    applyTemplate: (id) => record('applyTemplate', id)(),
    importFromFiles: () => record('import')(),
    exportToFiles: () => record('export')(),
    refreshModels: () => record('refreshModels')(),
    addEndpoint: (endpoint) => record('addEndpoint', endpoint.providerID)(),
    onDidChange: (listener) => ((rolesListener = listener), toDisposable(() => (rolesListener = undefined))),
  };
  const log: string[] = [];
  const deps: DashboardHostDeps = {
    source: () => fakeSource,
    controls: () => (options.controls === false ? undefined : fakeControls),
    unfinished: { resume: (runId) => record('resumeUnfinished', runId)(), discard: (runId) => record('discard', runId)() },
    roles: fakeRoles,
    openFile: (path) => record('openFile', path)(),
    log: (line) => log.push(line),
  };
  const posts: HostMessage[] = [];
  const connection = new DashboardConnection({ deps, post: (message) => posts.push(message), schedule: () => () => undefined });
  /** Everything posted so far, batches unpacked. */
  const sent = (): HostSingleMessage[] => {
    connection.flush();
    return posts.flatMap((post) => (post.type === 'batch' ? post.messages : [post]));
  };
  return { calls, log, connection, sent, emitDelta: (m: HostSingleMessage) => sourceListener?.(m), rolesChanged: () => rolesListener?.() };
}

const A_REQUEST_OF_EVERY_TYPE: WebviewMessage[] = [
  { type: 'workflow/pause', requestId: 'r-pause' },
  { type: 'workflow/resume', requestId: 'r-resume' },
  { type: 'workflow/cancel', requestId: 'r-cancel' },
  { type: 'chat/send', requestId: 'r-chat', to: 'organiser', text: 'How far along are we?' },
  { type: 'artifact/load', requestId: 'r-load', artifactId: 'code-3' },
  { type: 'file/open', requestId: 'r-open', path: 'src/a.ts' },
  { type: 'checkpoint/rollBack', requestId: 'r-roll' },
  { type: 'run/resumeUnfinished', requestId: 'r-resume-run', runId: 'run-7' },
  { type: 'run/discard', requestId: 'r-discard-run', runId: 'run-7' },
  { type: 'roles/save', requestId: 'r-save', config: { profiles: [], roles: [], assignments: {} } },
  { type: 'roles/applyTemplate', requestId: 'r-template', templateId: 'economy' },
  { type: 'roles/import', requestId: 'r-import' },
  { type: 'roles/export', requestId: 'r-export' },
  { type: 'roles/refreshModels', requestId: 'r-refresh' },
];

describe('DashboardConnection', () => {
  it('answers ready with the whole state and the roles, and only then forwards deltas', async () => {
    const world = aFakeWorld();
    world.emitDelta({ type: 'todo/didChange', todo: [] });
    await world.connection.receive({ type: 'ready' });
    world.emitDelta({ type: 'files/didChange', files: [] });

    expect(world.sent()).toEqual([
      { type: 'state/reset', state: emptyDashboardState() },
      { type: 'roles/didChange', roles: ROLES_VIEW },
      { type: 'files/didChange', files: [] },
    ]);
  });

  it('has a handler for every message type of the protocol', () => {
    const types = WebviewMessageSchema.options.map((option) => option.shape.type.value).sort();
    expect(Object.keys(WEBVIEW_HANDLERS).sort()).toEqual(types);
  });

  it('answers every request type with request/done ok, after doing what it asks', async () => {
    const world = aFakeWorld();
    for (const message of A_REQUEST_OF_EVERY_TYPE) await world.connection.receive(message);

    const done = world.sent().filter((m) => m.type === 'request/done');
    expect(done).toEqual(A_REQUEST_OF_EVERY_TYPE.map((m) => ({ type: 'request/done', requestId: (m as { requestId: string }).requestId, ok: true })));
    expect(world.calls).toEqual([
      'pause',
      'resume',
      'cancel',
      'send organiser How far along are we?',
      'loadArtifact code-3',
      'openFile src/a.ts',
      'rollBack',
      'resumeUnfinished run-7',
      'discard run-7',
      'save',
      'applyTemplate economy',
      'import',
      'export',
      'refreshModels',
    ]);
    expect(world.sent()).toContainEqual({ type: 'artifact/content', requestId: 'r-load', artifactId: 'code-3', version: 2, content: 'new', previous: 'old', language: 'typescript' });
  });

  it('refuses run requests in user words when no task is running', async () => {
    const world = aFakeWorld({ controls: false });
    await world.connection.receive({ type: 'workflow/pause', requestId: 'r1' });
    expect(world.sent()).toEqual([{ type: 'request/done', requestId: 'r1', ok: false, error: expect.stringMatching(/^No orchestrated task is running/) }]);
  });

  it('refuses to open a file outside the workspace without calling openFile', async () => {
    const world = aFakeWorld();
    for (const path of ['../secrets.txt', '/etc/passwd', '.kilo-orchestra/runs/x/state.json', 'C:\\Windows\\win.ini']) {
      await world.connection.receive({ type: 'file/open', requestId: 'r1', path });
    }
    expect(world.calls).toEqual([]);
    const done = world.sent().filter((m) => m.type === 'request/done');
    expect(done).toHaveLength(4);
    expect(done.every((m) => m.type === 'request/done' && !m.ok && /not a file inside the workspace/.test(m.error ?? ''))).toBe(true);
  });

  it('rejects invalid messages: logs them, and answers request/done ok:false when they carry a request id', async () => {
    const world = aFakeWorld();
    await world.connection.receive({ type: 'workflow/explode', requestId: 'r9' });
    await world.connection.receive({ type: 'chat/send', requestId: 'r10', to: 'organiser', text: '   ' });
    await world.connection.receive('not even an object');
    await world.connection.receive({ type: 'artifact/load', requestId: 'r11', artifactId: '../../etc' });

    expect(world.calls).toEqual([]);
    expect(world.log).toHaveLength(4);
    expect(world.sent().map((m) => m.type === 'request/done' && [m.requestId, m.ok])).toEqual([
      ['r9', false],
      ['r10', false],
      ['r11', false],
    ]);
  });

  it('passes an engine error on with its hint, and logs it with the request id', async () => {
    const world = aFakeWorld({ failWith: { save: new OrchestraError('invalid-config', 'Role "x" is unknown.', { hint: 'Remove it.' }) } });
    await world.connection.receive({ type: 'roles/save', requestId: 'r-save', config: { profiles: [], roles: [], assignments: {} } });
    expect(world.sent()).toEqual([{ type: 'request/done', requestId: 'r-save', ok: false, error: 'Role "x" is unknown. Remove it.' }]);
    expect(world.log[0]).toContain('r-save');
  });

  it('sends the roles again when they change, and a held focus after the handshake', async () => {
    const world = aFakeWorld();
    world.connection.focus('run', 'architect-1');
    await world.connection.receive({ type: 'ready' });
    expect(world.sent().map((m) => m.type)).toEqual(['state/reset', 'roles/didChange', 'view/focus']);
    world.rolesChanged();
    await new Promise((resolve) => setImmediate(resolve));
    expect(world.sent().map((m) => m.type)).toEqual(['state/reset', 'roles/didChange', 'view/focus', 'roles/didChange']);
    expect(world.sent()).toContainEqual({ type: 'view/focus', tab: 'run', agentId: 'architect-1' });
  });
});
