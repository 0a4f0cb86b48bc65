// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import type { Component } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RolesView } from '../../../extension/protocol/rolesView';
import RolesTabComponent from '../../../webview/roles/RolesTab.svelte';
import type { RolesTabProps } from '../../../webview/roles/rolesProps';
import { aFakeRequest, type FakeRequest } from './fakeRequest';
import { aRolesView } from './rolesViewBuilder';

const RolesTab = RolesTabComponent as unknown as Component<RolesTabProps>;

function renderTab(roles: RolesView | undefined, fake: FakeRequest = aFakeRequest()) {
  const view = render(RolesTab, { props: { roles, request: fake.send } });
  return { ...view, fake, update: (next: RolesView) => view.rerender({ roles: next, request: fake.send }) };
}

const select = (roleId: string) => screen.getByTestId(`profile-select-${roleId}`) as HTMLSelectElement;
const toggle = (roleId: string) => screen.getByTestId(`active-toggle-${roleId}`) as HTMLInputElement;

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('RolesTab', () => {
  it('shows a loading state until the host sends the roles', () => {
    renderTab(undefined);
    expect(screen.getByTestId('roles-loading')).toBeTruthy();
    expect(screen.queryByTestId('add-custom-role')).toBeNull();
  });

  it('renders a card per role once the roles arrive', async () => {
    const { update } = renderTab(undefined);
    await update(aRolesView().withCustomRole({ id: 'security-auditor' }).build());
    for (const id of ['organiser', 'architect', 'primary-coder', 'secondary-coder', 'code-sceptic', 'documentation-writer', 'debugger', 'security-auditor']) {
      expect(screen.getByTestId(`role-card-${id}`)).toBeTruthy();
    }
  });

  it('opens the endpoint form and sends roles/addEndpoint with what was typed', async () => {
    const { fake } = renderTab(aRolesView().build());
    await fireEvent.click(screen.getByTestId('add-endpoint'));
    await fireEvent.input(screen.getByTestId('endpoint-provider'), { target: { value: 'my-vllm' } });
    await fireEvent.input(screen.getByTestId('endpoint-url'), { target: { value: 'http://127.0.0.1:8000/v1' } });
    await fireEvent.input(screen.getByTestId('endpoint-models'), { target: { value: 'qwen-coder' } });
    await fireEvent.click(screen.getByTestId('endpoint-add'));
    expect(fake.messages).toEqual([{ type: 'roles/addEndpoint', endpoint: { providerID: 'my-vllm', baseURL: 'http://127.0.0.1:8000/v1', modelIDs: ['qwen-coder'], apiKey: '' } }]);
  });

  it('sends roles/applyTemplate when a template is clicked', async () => {
    const { fake } = renderTab(aRolesView().build());
    await fireEvent.click(screen.getByTestId('template-balanced'));
    expect(fake.messages).toEqual([{ type: 'roles/applyTemplate', templateId: 'balanced' }]);
  });

  it('sends import, export and refresh requests from the toolbar', async () => {
    const { fake } = renderTab(aRolesView().build());
    await fireEvent.click(screen.getByTestId('roles-import'));
    await waitFor(() => expect((screen.getByTestId('roles-export') as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId('roles-export'));
    await waitFor(() => expect((screen.getByTestId('roles-refresh-models') as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId('roles-refresh-models'));
    expect(fake.messages.map((m) => m.type)).toEqual(['roles/import', 'roles/export', 'roles/refreshModels']);
  });

  it('shows a failed toolbar action in words', async () => {
    const fake = aFakeRequest().failNext('The file is not a roles configuration.');
    renderTab(aRolesView().build(), fake);
    await fireEvent.click(screen.getByTestId('roles-import'));
    expect((await screen.findByTestId('roles-error')).textContent).toContain('The file is not a roles configuration.');
  });

  it('shows why models could not be discovered', () => {
    renderTab(aRolesView().withDiscoveryProblem('Kilo is not reachable.').build());
    expect(screen.getByTestId('discovery-problem').textContent).toContain('Kilo is not reachable.');
  });

  it('says changes apply at the next task start only while a run is live', async () => {
    const { update } = renderTab(aRolesView().build());
    expect(screen.queryByTestId('applies-at-next-start')).toBeNull();
    await update(aRolesView().whileRunIsLive().build());
    expect(screen.getByTestId('applies-at-next-start').textContent).toMatch(/next task start/);
  });

  it('lists issues with errors first, each naming its role, and shows them on the card', () => {
    renderTab(
      aRolesView()
        .withIssue({ severity: 'warning', code: 'optional-unassigned', roleId: 'debugger', message: 'Debugger will not run.' })
        .withRequiredUnassigned('architect')
        .build(),
    );
    const items = within(screen.getByTestId('issue-list')).getAllByRole('listitem');
    expect(items.map((item) => item.dataset['severity'])).toEqual(['error', 'warning']);
    expect(items[0]!.textContent).toContain('Architect');
    expect(items[1]!.textContent).toContain('Debugger');
    expect(within(screen.getByTestId('role-card-architect')).getByTestId('role-issues-architect').textContent).toContain('required but has no provider profile');
    expect(select('architect').value).toBe('');
  });

  it('focuses the role card when its issue is clicked', async () => {
    renderTab(aRolesView().withRequiredUnassigned('architect').build());
    await fireEvent.click(screen.getByTestId('issue-role-architect'));
    expect(document.activeElement).toBe(screen.getByTestId('role-card-architect'));
  });

  it('shows the cost preview with unpriced roles marked and its basis', () => {
    renderTab(
      aRolesView()
        .withCostPreview({ totalUsd: 0.42, perRole: [{ roleId: 'architect', usd: 0.3, priced: true }, { roleId: 'debugger', usd: 0, priced: false }], basis: 'A 10-file task.' })
        .build(),
    );
    const preview = screen.getByTestId('cost-preview');
    expect(within(preview).getByTestId('cost-total').textContent).toBe('$0.42');
    expect(within(preview).getByTestId('cost-role-architect').textContent).toContain('$0.30');
    expect(within(preview).getByTestId('cost-role-debugger').textContent).toContain('not priced');
    expect(preview.textContent).toContain('A 10-file task.');
  });

  it('saves an assignment at once with roles/save', async () => {
    const { fake } = renderTab(aRolesView().build());
    await fireEvent.change(select('architect'), { target: { value: 'profile:mini' } });
    const [saved] = fake.messagesOf('roles/save');
    expect(saved?.config.assignments['architect']).toBe('mini');
  });

  it('adds a discovered model as a profile when it is chosen', async () => {
    const { fake } = renderTab(aRolesView().build());
    const qwen = Array.from(select('debugger').options).find((option) => option.textContent?.includes('Qwen3'))!;
    await fireEvent.change(select('debugger'), { target: { value: qwen.value } });
    const [saved] = fake.messagesOf('roles/save');
    expect(saved?.config.profiles.map((p) => p.id)).toContain('openrouter-qwen-qwen3-coder-free');
    expect(saved?.config.assignments['debugger']).toBe('openrouter-qwen-qwen3-coder-free');
  });

  it('saves a toggle at once', async () => {
    const { fake } = renderTab(aRolesView().build());
    await fireEvent.click(toggle('code-sceptic'));
    const [saved] = fake.messagesOf('roles/save');
    expect(saved?.config.roles.find((r) => r.id === 'code-sceptic')?.active).toBe(false);
  });

  it('reverts a refused save to the host config and shows the error on the card', async () => {
    const fake = aFakeRequest().failNext('The roles file is read-only.');
    renderTab(aRolesView().build(), fake);
    await fireEvent.change(select('architect'), { target: { value: 'profile:mini' } });
    expect((await screen.findByTestId('role-error-architect')).textContent).toContain('The roles file is read-only.');
    expect(select('architect').value).toBe('profile:sonnet');
  });

  it('takes a new roles config from the host as the draft', async () => {
    const { update } = renderTab(aRolesView().build());
    await update(aRolesView().withRole('debugger', { active: false }).build());
    expect(toggle('debugger').checked).toBe(false);
  });

  it('keeps the draft while a save is in flight and takes the host config when it is done', async () => {
    const fake = aFakeRequest().hold();
    const { update } = renderTab(aRolesView().build(), fake);
    await fireEvent.click(toggle('code-sceptic'));
    expect(screen.getByTestId('save-status').textContent).toBe('Saving…');
    // A stale update (from before the change) must not undo what is being saved.
    await update(aRolesView().build());
    expect(toggle('code-sceptic').checked).toBe(false);
    await update(aRolesView().withRole('code-sceptic', { active: false }).withRole('debugger', { active: false }).build());
    fake.answer(0, { ok: true });
    await waitFor(() => expect(toggle('debugger').checked).toBe(false));
    expect(toggle('code-sceptic').checked).toBe(false);
    expect(screen.queryByTestId('save-status')).toBeNull();
  });

  it('saves instances from the stepper at once and typed instances once typing pauses', async () => {
    vi.useFakeTimers();
    const { fake } = renderTab(aRolesView().build());
    await fireEvent.click(screen.getByRole('button', { name: 'More Secondary Coder instances' }));
    expect(fake.messagesOf('roles/save').at(-1)?.config.roles.find((r) => r.id === 'secondary-coder')?.instances).toBe(3);

    const field = screen.getByTestId('instances-primary-coder') as HTMLInputElement;
    await fireEvent.input(field, { target: { value: '4' } });
    await fireEvent.input(field, { target: { value: '5' } });
    vi.advanceTimersByTime(399);
    expect(fake.messagesOf('roles/save')).toHaveLength(1);
    vi.advanceTimersByTime(1);
    const saves = fake.messagesOf('roles/save');
    expect(saves).toHaveLength(2);
    expect(saves[1]?.config.roles.find((r) => r.id === 'primary-coder')?.instances).toBe(5);
  });

  it('keeps typed instances that wait for their save when the host sends roles', async () => {
    vi.useFakeTimers();
    const { fake, update } = renderTab(aRolesView().build());
    await fireEvent.input(screen.getByTestId('instances-primary-coder'), { target: { value: '4' } });
    await update(aRolesView().build());
    expect((screen.getByTestId('instances-primary-coder') as HTMLInputElement).value).toBe('4');
    vi.advanceTimersByTime(400);
    expect(fake.messagesOf('roles/save')[0]?.config.roles.find((r) => r.id === 'primary-coder')?.instances).toBe(4);
  });

  it('adds a custom role through the editor', async () => {
    const { fake } = renderTab(aRolesView().build());
    await fireEvent.click(screen.getByTestId('add-custom-role'));
    await fireEvent.input(screen.getByTestId('custom-role-id'), { target: { value: 'security-auditor' } });
    await fireEvent.input(screen.getByTestId('custom-role-name'), { target: { value: 'Security Auditor' } });
    await fireEvent.input(screen.getByTestId('custom-role-description'), { target: { value: 'Looks for security problems.' } });
    await fireEvent.input(screen.getByTestId('custom-role-prompt'), { target: { value: 'You audit code.' } });
    await fireEvent.click(screen.getByTestId('custom-role-save'));
    const [saved] = fake.messagesOf('roles/save');
    expect(saved?.config.roles.at(-1)).toMatchObject({ id: 'security-auditor', name: 'Security Auditor', builtin: false });
    await waitFor(() => expect(screen.queryByTestId('custom-role-editor')).toBeNull());
    expect(screen.getByTestId('role-card-security-auditor')).toBeTruthy();
  });

  it('keeps the editor open with the reason when adding a role is refused', async () => {
    const fake = aFakeRequest().failNext('Settings are read-only.');
    renderTab(aRolesView().build(), fake);
    await fireEvent.click(screen.getByTestId('add-custom-role'));
    await fireEvent.input(screen.getByTestId('custom-role-id'), { target: { value: 'security-auditor' } });
    await fireEvent.input(screen.getByTestId('custom-role-name'), { target: { value: 'Security Auditor' } });
    await fireEvent.input(screen.getByTestId('custom-role-description'), { target: { value: 'Looks for security problems.' } });
    await fireEvent.input(screen.getByTestId('custom-role-prompt'), { target: { value: 'You audit code.' } });
    await fireEvent.click(screen.getByTestId('custom-role-save'));
    expect((await screen.findByTestId('custom-role-save-error')).textContent).toBe('Settings are read-only.');
    expect(screen.getByTestId('custom-role-editor')).toBeTruthy();
    expect(screen.queryByTestId('role-card-security-auditor')).toBeNull();
  });

  it('edits a custom role in its card', async () => {
    const { fake } = renderTab(aRolesView().withCustomRole({ id: 'security-auditor' }).build());
    await fireEvent.click(screen.getByTestId('edit-role-security-auditor'));
    const editor = within(screen.getByTestId('role-card-security-auditor')).getByTestId('custom-role-editor');
    await fireEvent.input(within(editor).getByTestId('custom-role-name'), { target: { value: 'Auditor' } });
    await fireEvent.click(within(editor).getByTestId('custom-role-save'));
    expect(fake.messagesOf('roles/save')[0]?.config.roles.find((r) => r.id === 'security-auditor')?.name).toBe('Auditor');
    await waitFor(() => expect(screen.queryByTestId('custom-role-editor')).toBeNull());
  });

  it('removes a custom role and its assignment, and offers no removal for built-ins', async () => {
    const { fake } = renderTab(aRolesView().withCustomRole({ id: 'security-auditor' }, 'mini').build());
    expect(screen.queryByTestId('remove-role-debugger')).toBeNull();
    await fireEvent.click(screen.getByTestId('remove-role-security-auditor'));
    const [saved] = fake.messagesOf('roles/save');
    expect(saved?.config.roles.some((r) => r.id === 'security-auditor')).toBe(false);
    expect(saved?.config.assignments).not.toHaveProperty('security-auditor');
    expect(screen.queryByTestId('role-card-security-auditor')).toBeNull();
  });

  it('brings a custom role back with the reason when its removal is refused', async () => {
    const fake = aFakeRequest().failNext('Settings are read-only.');
    renderTab(aRolesView().withCustomRole({ id: 'security-auditor' }).build(), fake);
    await fireEvent.click(screen.getByTestId('remove-role-security-auditor'));
    expect((await screen.findByTestId('role-error-security-auditor')).textContent).toBe('Settings are read-only.');
  });
});
