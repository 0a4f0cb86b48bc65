// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import type { Component } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RolesConfigView } from '../../../extension/protocol/rolesView';
import CustomRoleEditorComponent from '../../../webview/roles/CustomRoleEditor.svelte';
import type { CustomRoleEditorProps } from '../../../webview/roles/rolesProps';
import type { RequestOutcome } from '../../../webview/lib/request';
import { aRolesView } from './rolesViewBuilder';

const CustomRoleEditor = CustomRoleEditorComponent as unknown as Component<CustomRoleEditorProps>;

function renderEditor(config: RolesConfigView, extra: Partial<CustomRoleEditorProps> = {}) {
  const onSave = vi.fn<(config: RolesConfigView) => Promise<RequestOutcome>>(async () => ({ ok: true }));
  const onCancel = vi.fn();
  render(CustomRoleEditor, { props: { config, onSave, onCancel, ...extra } });
  return { onSave, onCancel };
}

async function type(testId: string, value: string): Promise<void> {
  await fireEvent.input(screen.getByTestId(testId), { target: { value } });
}

async function fillValidRole(): Promise<void> {
  await type('custom-role-id', 'security-auditor');
  await type('custom-role-name', 'Security Auditor');
  await type('custom-role-description', 'Looks for security problems.');
  await type('custom-role-capabilities', 'audit dependencies, check secrets');
  await type('custom-role-prompt', 'You audit code.');
}

afterEach(cleanup);

describe('CustomRoleEditor', () => {
  it('shows field errors and saves nothing when the role is invalid', async () => {
    const { onSave } = renderEditor(aRolesView().build().config);
    await type('custom-role-id', 'Not A Slug');
    await fireEvent.click(screen.getByTestId('custom-role-save'));
    expect(screen.getByTestId('field-error-id').textContent).toMatch(/lower-case letters/);
    expect(screen.getByTestId('field-error-name')).toBeTruthy();
    expect(screen.getByTestId('field-error-description')).toBeTruthy();
    expect(screen.getByTestId('field-error-prompt')).toBeTruthy();
    expect(onSave).not.toHaveBeenCalled();
  });

  it('rejects an id that is already taken', async () => {
    const { onSave } = renderEditor(aRolesView().build().config);
    await fillValidRole();
    await type('custom-role-id', 'code-sceptic');
    await fireEvent.click(screen.getByTestId('custom-role-save'));
    expect(screen.getByTestId('field-error-id').textContent).toMatch(/already exists/);
    expect(onSave).not.toHaveBeenCalled();
  });

  it('saves a new role with its lists and artifact choices', async () => {
    const { onSave } = renderEditor(aRolesView().build().config);
    await fillValidRole();
    await fireEvent.click(screen.getByTestId('custom-role-input-code'));
    await fireEvent.click(screen.getByTestId('custom-role-output-review'));
    await type('custom-role-instances', '2');
    await fireEvent.click(screen.getByTestId('custom-role-save'));
    expect(onSave).toHaveBeenCalledOnce();
    expect(onSave.mock.calls[0]![0].roles.at(-1)).toEqual({
      id: 'security-auditor',
      name: 'Security Auditor',
      description: 'Looks for security problems.',
      category: 'custom',
      required: false,
      builtin: false,
      capabilities: ['audit dependencies', 'check secrets'],
      inputArtifacts: ['code'],
      outputArtifacts: ['review'],
      prompt: 'You audit code.',
      active: true,
      instances: 2,
    });
  });

  it('starts from the role being edited and keeps its id valid', async () => {
    const config = aRolesView().withCustomRole({ id: 'security-auditor', capabilities: ['a', 'b'] }).build().config;
    const { onSave } = renderEditor(config, { role: config.roles.at(-1)! });
    expect((screen.getByTestId('custom-role-capabilities') as HTMLTextAreaElement).value).toBe('a\nb');
    expect((screen.getByTestId('custom-role-input-code') as HTMLInputElement).checked).toBe(true);
    await type('custom-role-description', 'Audits.');
    await fireEvent.click(screen.getByTestId('custom-role-save'));
    expect(onSave.mock.calls[0]![0].roles.find((r) => r.id === 'security-auditor')?.description).toBe('Audits.');
  });

  it('shows why the host refused the save', async () => {
    const { onSave } = renderEditor(aRolesView().build().config);
    onSave.mockResolvedValueOnce({ ok: false, error: 'Settings are read-only.' });
    await fillValidRole();
    await fireEvent.click(screen.getByTestId('custom-role-save'));
    expect((await screen.findByTestId('custom-role-save-error')).textContent).toBe('Settings are read-only.');
  });

  it('cancels', async () => {
    const { onCancel } = renderEditor(aRolesView().build().config);
    await fireEvent.click(screen.getByTestId('custom-role-cancel'));
    expect(onCancel).toHaveBeenCalledOnce();
  });
});
