// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import type { HostMessage } from '../../extension/protocol/dashboardProtocol';
import { App } from '../../webview/app';
import { HostBridge } from '../../webview/lib/hostBridge';
import { aRun, anAgent, anArtifact, artifacts, aState, entries } from './fixtures/dashboardBuilders';
import { FakeVsCodeApi, postFromHost } from './fixtures/fakeVsCodeApi';

vi.mock('../../webview/roles/RolesTab.svelte', async () => ({ default: (await import('./fixtures/FakeRolesTab.svelte')).default }));

const roles = {
  config: { profiles: [], roles: [], assignments: {} },
  discovered: [],
  issues: [],
  templates: [],
  costPreview: { totalUsd: 0, perRole: [], basis: '' },
  appliesAtNextStart: false,
};

function renderApp(stored?: unknown) {
  const api = new FakeVsCodeApi(stored);
  const bridge = new HostBridge({ api, source: window, timeoutMs: 1000 });
  const result = render(App, { bridge });
  const send = async (message: HostMessage | unknown) => {
    postFromHost(window, message);
    await tick();
  };
  return { api, send, ...result };
}

const hidden = (id: string) => screen.getByTestId(id).hasAttribute('hidden');

describe('App', () => {
  it('says ready once on start and shows the empty state until a run arrives', () => {
    const { api } = renderApp();
    expect(api.posted).toEqual([{ type: 'ready' }]);
    expect(screen.getByTestId('empty-state').textContent).toContain("Kilo Orchestra: Start Orchestrated Task");
  });

  it('shows the run the host sends after ready', async () => {
    const { send } = renderApp();
    await send({ type: 'state/reset', state: aState({ agents: [anAgent({ id: 'architect', role: 'architect', roleName: 'Architect' })] }) });
    expect(screen.queryByTestId('empty-state')).toBeNull();
    expect(screen.getByTestId('run-header').textContent).toContain('Add a login page');
    expect(screen.getByTestId('agent-card-architect')).toBeTruthy();
  });

  it('switches tabs by header click and by the tabs element event, and remembers the tab', async () => {
    const { api } = renderApp();
    expect([hidden('panel-run'), hidden('panel-roles')]).toEqual([false, true]);
    await fireEvent.click(screen.getByTestId('tab-roles'));
    expect([hidden('panel-run'), hidden('panel-roles')]).toEqual([true, false]);
    expect(api.state).toMatchObject({ tab: 'roles' });
    screen.getByTestId('tabs').dispatchEvent(new CustomEvent('vsc-tabs-select', { detail: { selectedIndex: 0 } }));
    await tick();
    expect(hidden('panel-run')).toBe(false);
    expect(api.state).toMatchObject({ tab: 'run' });
  });

  it('restores the tab, the selected agent and artifact and the drafts after the panel is reopened', async () => {
    const stored = { tab: 'run', selectedAgentId: 'architect', selectedArtifactId: 'plan-1', artifactFilter: 'plan', drafts: { organiser: 'half a thought', architect: 'note' } };
    const { send, api } = renderApp(stored);
    await send({
      type: 'state/reset',
      state: aState({ agents: [anAgent({ id: 'architect', role: 'architect', roleName: 'Architect' })], artifacts: [anArtifact({ id: 'plan-1', type: 'plan' })] }),
    });
    expect(screen.getByTestId('agent-view').getAttribute('aria-label')).toBe('Agent Architect');
    expect((screen.getByTestId('chat-input-organiser') as HTMLTextAreaElement).value).toBe('half a thought');
    expect((screen.getByTestId('chat-input-architect') as HTMLTextAreaElement).value).toBe('note');
    expect((screen.getByTestId('artifact-filter') as HTMLSelectElement).value).toBe('plan');
    expect(api.lastOfType('artifact/load')).toMatchObject({ artifactId: 'plan-1' });
  });

  it('keeps the chat draft with VS Code as the user types', async () => {
    const { send, api } = renderApp();
    await send({ type: 'state/reset', state: aState() });
    await fireEvent.input(screen.getByTestId('chat-input-organiser'), { target: { value: 'Use sessions' } });
    expect(api.state).toMatchObject({ drafts: { organiser: 'Use sessions' } });
  });

  it('follows view/focus once: shows the tab and agent, then lets the user move on', async () => {
    const { send } = renderApp({ tab: 'roles' });
    await send({ type: 'state/reset', state: aState({ agents: [anAgent({ id: 'architect', role: 'architect', roleName: 'Architect' })] }) });
    await send({ type: 'view/focus', tab: 'run', agentId: 'architect' });
    expect(hidden('panel-run')).toBe(false);
    expect(screen.getByTestId('agent-view')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('tab-roles'));
    await send({ type: 'run/didChange', run: aRun({ phase: 'CODE_REVIEW' }) });
    expect(hidden('panel-roles')).toBe(false);
  });

  it('shows a dismissible banner for messages it could not read, and keeps working', async () => {
    const { send } = renderApp();
    await send({ type: 'run/didChange', run: { task: 'missing fields' } });
    expect(screen.getByTestId('invalid-messages-banner').textContent).toContain('ignored 1 message');
    await send({ type: 'state/reset', state: aState() });
    expect(screen.getByTestId('run-header')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('invalid-messages-dismiss'));
    expect(screen.queryByTestId('invalid-messages-banner')).toBeNull();
  });

  it('sends Pause with a request id and shows the host error from request/done', async () => {
    const { send, api } = renderApp();
    await send({ type: 'state/reset', state: aState() });
    await fireEvent.click(screen.getByTestId('pause-button'));
    const pause = api.lastOfType('workflow/pause');
    expect(pause?.requestId).toEqual(expect.any(String));
    await send({ type: 'request/done', requestId: pause!.requestId, ok: false, error: 'Already paused.' });
    expect((await screen.findByTestId('run-action-error')).textContent).toBe('Already paused.');
  });

  it('loads a selected artifact through the bridge and shows it', async () => {
    const { send, api } = renderApp();
    await send({ type: 'state/reset', state: aState({ artifacts: [anArtifact({ id: 'plan-1', type: 'plan' })] }) });
    await fireEvent.click(screen.getByTestId('artifact-plan-1'));
    const load = api.lastOfType('artifact/load');
    await send({ type: 'artifact/content', requestId: load!.requestId, artifactId: 'plan-1', version: 1, content: '# The plan' });
    expect((await screen.findByTestId('artifact-content')).textContent).toBe('# The plan');
  });

  it('hands the roles view and the request function to the Agent Roles tab', async () => {
    const { send, api } = renderApp();
    expect(screen.getByTestId('fake-roles-tab').textContent).toBe('no roles yet');
    await send({ type: 'roles/didChange', roles });
    expect(screen.getByTestId('fake-roles-tab').textContent).toBe('0 roles');
    await fireEvent.click(screen.getByTestId('fake-roles-refresh'));
    expect(api.lastOfType('roles/refreshModels')?.requestId).toEqual(expect.any(String));
  });

  it('takes a batch of 1,000 timeline entries and 200 artifacts and keeps the timeline DOM bounded', async () => {
    const { send } = renderApp();
    await send({
      type: 'batch',
      messages: [
        { type: 'state/reset', state: aState() },
        ...entries(1000).map((entry) => ({ type: 'timeline/didChange' as const, entries: [entry] })),
        { type: 'artifacts/didChange', artifacts: artifacts(200) },
      ],
    });
    expect(screen.getByTestId('timeline').querySelector('h2')?.textContent).toContain('1000');
    expect(screen.getAllByTestId('timeline-entry')).toHaveLength(100);
    expect(screen.getAllByTestId(/^artifact-artifact-/)).toHaveLength(200);
  });
});
