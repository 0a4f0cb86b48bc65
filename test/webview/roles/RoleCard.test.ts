// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import type { Component } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RolesView } from '../../../extension/protocol/rolesView';
import RoleCardComponent from '../../../webview/roles/RoleCard.svelte';
import type { RoleCardProps } from '../../../webview/roles/rolesProps';
import { aRolesView } from './rolesViewBuilder';

const RoleCard = RoleCardComponent as unknown as Component<RoleCardProps>;

function renderCard(view: RolesView, roleId: string, extra: Partial<RoleCardProps> = {}) {
  const props: RoleCardProps = {
    role: view.config.roles.find((role) => role.id === roleId)!,
    config: view.config,
    discovered: view.discovered,
    issues: view.issues.filter((issue) => issue.roleId === roleId),
    onProfileChange: vi.fn(),
    onToggle: vi.fn(),
    onInstances: vi.fn(),
    ...extra,
  };
  render(RoleCard, { props });
  return props;
}

afterEach(cleanup);

describe('RoleCard', () => {
  it('shows name, description, category and the required badge', () => {
    renderCard(aRolesView().build(), 'architect');
    const card = screen.getByTestId('role-card-architect');
    expect(within(card).getByRole('heading').textContent).toBe('Architect');
    expect(card.textContent).toContain('writes the implementation plan');
    expect(card.textContent).toContain('planning');
    expect(within(card).getByTestId('required-badge-architect')).toBeTruthy();
  });

  it('says under the Code Sceptic that its reviews would queue behind more coders, and nothing once it has one per coder', () => {
    renderCard(aRolesView().withRole('secondary-coder', { instances: 4 }).withRole('code-sceptic', { instances: 1 }).build(), 'code-sceptic');
    expect(screen.getByTestId('queue-note-code-sceptic').textContent).toBe("1 Code Sceptic for 4 coders would make reviews queue: runs use 4 (one per coder, within the provider's limit).");
    cleanup();
    renderCard(aRolesView().withRole('secondary-coder', { instances: 2 }).withRole('code-sceptic', { instances: 2 }).build(), 'code-sceptic');
    expect(screen.queryByTestId('queue-note-code-sceptic')).toBeNull();
  });

  it('locks the toggle of a required role and reports toggles of an optional one', async () => {
    renderCard(aRolesView().build(), 'architect');
    expect((screen.getByTestId('active-toggle-architect') as HTMLInputElement).disabled).toBe(true);
    cleanup();
    const props = renderCard(aRolesView().build(), 'debugger');
    expect(screen.queryByTestId('required-badge-debugger')).toBeNull();
    await fireEvent.click(screen.getByTestId('active-toggle-debugger'));
    expect(props.onToggle).toHaveBeenCalledWith(false);
  });

  it('lets a required role that was switched off be switched back on', async () => {
    const props = renderCard(aRolesView().withRole('architect', { active: false }).build(), 'architect');
    const toggle = screen.getByTestId('active-toggle-architect') as HTMLInputElement;
    expect(toggle.disabled).toBe(false);
    await fireEvent.click(toggle);
    expect(props.onToggle).toHaveBeenCalledWith(true);
  });

  it('groups the dropdown into profiles, then models by provider, connected providers first', () => {
    renderCard(aRolesView().build(), 'architect');
    const select = screen.getByTestId('profile-select-architect') as HTMLSelectElement;
    const groups = Array.from(select.querySelectorAll('optgroup')).map((group) => [group.label, Array.from(group.querySelectorAll('option')).map((o) => o.textContent)]);
    expect(groups).toEqual([
      ['Your profiles', ['Claude Sonnet (anthropic/claude-sonnet-4)', 'GPT Mini (openai/gpt-5-mini)']],
      ['openrouter (connected)', ['Qwen3 Coder (free) (openrouter/qwen/qwen3-coder:free)']],
      ['google', ['Gemini 2.5 Pro (google/gemini-2.5-pro)']],
    ]);
    expect(select.options[0]!.textContent).toBe('— not assigned —');
    expect(select.value).toBe('profile:sonnet');
  });

  it('names the no-assignment choice after the Kilo default the role then runs on', () => {
    renderCard(aRolesView().build(), 'architect', { kiloDefault: 'Kilo default (teamproxy/team-model)' });
    const select = screen.getByTestId('profile-select-architect') as HTMLSelectElement;
    expect(select.options[0]!.textContent).toBe('Kilo default (teamproxy/team-model)');
  });

  it('narrows the dropdown to the models matching the filter, keeping the selected profile', async () => {
    renderCard(aRolesView().build(), 'architect');
    await fireEvent.input(screen.getByTestId('model-filter-architect'), { target: { value: 'qwen' } });
    const select = screen.getByTestId('profile-select-architect') as HTMLSelectElement;
    const labels = Array.from(select.querySelectorAll('optgroup')).map((group) => group.label);
    expect(labels).toEqual(['Your profiles', 'openrouter (connected)']);
    expect(select.value).toBe('profile:sonnet');
  });

  it('reports the chosen option, including "not assigned"', async () => {
    const props = renderCard(aRolesView().build(), 'architect');
    await fireEvent.change(screen.getByTestId('profile-select-architect'), { target: { value: '' } });
    expect(props.onProfileChange).toHaveBeenCalledWith('');
  });

  it('shows the assigned provider, model and price', () => {
    renderCard(aRolesView().build(), 'secondary-coder');
    expect(screen.getByTestId('assigned-model-secondary-coder').textContent).toMatch(/openai\/gpt-5-mini.*\$0\.25 in \/ \$2 out per million tokens/);
  });

  it('says when no model is assigned', () => {
    renderCard(aRolesView().withRequiredUnassigned('architect').build(), 'architect');
    expect(screen.getByTestId('assigned-model-architect').textContent).toContain('No model assigned');
  });

  it('offers a stepper for pooled roles only', async () => {
    const props = renderCard(aRolesView().build(), 'secondary-coder');
    await fireEvent.click(screen.getByRole('button', { name: 'Fewer Secondary Coder instances' }));
    expect(props.onInstances).toHaveBeenCalledWith(1, false);
    cleanup();
    renderCard(aRolesView().build(), 'architect');
    expect(screen.queryByTestId('instances-architect')).toBeNull();
  });

  it('disables the stepper buttons at the limits', () => {
    renderCard(aRolesView().withRole('secondary-coder', { instances: 8 }).build(), 'secondary-coder');
    expect((screen.getByRole('button', { name: 'More Secondary Coder instances' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('lists capabilities and artifacts in an expandable section', () => {
    renderCard(aRolesView().build(), 'secondary-coder');
    const details = screen.getByTestId('role-card-secondary-coder').querySelector('details')!;
    expect(details.open).toBe(false);
    expect(details.textContent).toContain('implement code from pseudocode');
    expect(details.textContent).toContain('pseudocode, review, test-report');
    expect(details.textContent).toContain('code');
  });

  it('shows the role’s issues and save error inline', () => {
    renderCard(aRolesView().withRequiredUnassigned('architect').build(), 'architect', { error: 'Could not save.' });
    expect(screen.getByTestId('role-issues-architect').textContent).toContain('required but has no provider profile');
    expect(screen.getByTestId('role-error-architect').textContent).toBe('Could not save.');
  });

  it('marks an assignment to a missing profile', () => {
    const view = aRolesView().build();
    view.config.assignments['architect'] = 'gone';
    renderCard(view, 'architect');
    expect(screen.getByTestId('assigned-model-architect').textContent).toContain('“gone”, which does not exist');
  });

  it('offers edit and remove only when given handlers', async () => {
    const onRemove = vi.fn();
    renderCard(aRolesView().withCustomRole({ id: 'security-auditor' }).build(), 'security-auditor', { onEdit: vi.fn(), onRemove });
    await fireEvent.click(screen.getByTestId('remove-role-security-auditor'));
    expect(onRemove).toHaveBeenCalledOnce();
    cleanup();
    renderCard(aRolesView().build(), 'debugger');
    expect(screen.queryByTestId('edit-role-debugger')).toBeNull();
  });
});
