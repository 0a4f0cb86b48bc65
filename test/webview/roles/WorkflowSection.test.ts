// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import type { Component } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RolesConfigView } from '../../../extension/protocol/rolesView';
import CustomRoleEditorComponent from '../../../webview/roles/CustomRoleEditor.svelte';
import WorkflowSectionComponent from '../../../webview/roles/WorkflowSection.svelte';
import type { CustomRoleEditorProps, WorkflowSectionProps } from '../../../webview/roles/rolesProps';
import type { RequestOutcome } from '../../../webview/lib/request';
import { aRolesView } from './rolesViewBuilder';

const WorkflowSection = WorkflowSectionComponent as unknown as Component<WorkflowSectionProps>;
const CustomRoleEditor = CustomRoleEditorComponent as unknown as Component<CustomRoleEditorProps>;

function renderSection(config: RolesConfigView) {
  const onChange = vi.fn<(config: RolesConfigView) => void>();
  const view = render(WorkflowSection, { props: { config, onChange } });
  return { onChange, update: (next: RolesConfigView) => view.rerender({ config: next, onChange }) };
}

const input = (testId: string) => screen.getByTestId(testId) as HTMLInputElement;

afterEach(cleanup);

describe('WorkflowSection', () => {
  it('shows the built-in workflow and its sequence in words, naming a second reviewer', () => {
    renderSection(aRolesView().withCustomRole({ id: 'security-auditor', joins: { step: 'CODE_REVIEW', after: 'code-sceptic' } }).build().config);
    expect(input('workflow-documentation').checked).toBe(true);
    expect(input('workflow-maxFixRounds').value).toBe('3');
    expect(input('workflow-tests-end').checked).toBe(true);
    expect(screen.getByTestId('workflow-sequence').textContent).toContain('Code review by Code Sceptic, then Security Auditor');
    expect(screen.getByTestId('workflow-sequence').textContent).toMatch(/^Plan → .* → Done$/);
  });

  it('switches documentation off and passes the changed config on, which then leaves documentation out of the sequence', async () => {
    const config = aRolesView().build().config;
    const { onChange, update } = renderSection(config);
    await fireEvent.click(input('workflow-documentation'));
    expect(onChange).toHaveBeenCalledTimes(1);
    const next = onChange.mock.calls[0]![0];
    expect(next.workflow).toEqual({ documentation: false });
    await update(next);
    expect(screen.getByTestId('workflow-sequence').textContent).not.toContain('Documentation');
    expect(screen.getByTestId('workflow-overlap').textContent).not.toContain('documented');
  });

  it('asks for N when tests run every N files, and saves the number once it is committed', async () => {
    const { onChange, update } = renderSection(aRolesView().build().config);
    expect(screen.queryByTestId('workflow-testsEvery')).toBeNull();
    await fireEvent.click(input('workflow-tests-every-files'));
    await update(onChange.mock.calls[0]![0]);
    await fireEvent.change(input('workflow-testsEvery'), { target: { value: '4' } });
    expect(onChange.mock.calls[1]![0].workflow).toEqual({ tests: { when: 'every-files', files: 4 } });
  });

  it('shows why a limit is refused and passes nothing on', async () => {
    const { onChange } = renderSection(aRolesView().build().config);
    await fireEvent.change(input('workflow-maxFixRounds'), { target: { value: '40' } });
    expect(screen.getByTestId('workflow-error-maxFixRounds').textContent).toBe('A whole number from 0 to 20.');
    expect(input('workflow-maxFixRounds').getAttribute('aria-invalid')).toBe('true');
    expect(onChange).not.toHaveBeenCalled();
  });

  it('sets the diagnostics gate command, and hides the gate’s fields when it is off', async () => {
    const { onChange, update } = renderSection(aRolesView().build().config);
    await fireEvent.change(input('workflow-diagnosticsCommand'), { target: { value: 'npx tsc --noEmit -p .' } });
    expect(onChange.mock.calls[0]![0].workflow).toEqual({ diagnostics: { command: 'npx tsc --noEmit -p .' } });
    await fireEvent.click(input('workflow-diagnostics'));
    await update(onChange.mock.calls[1]![0]);
    expect(screen.queryByTestId('workflow-diagnosticsCommand')).toBeNull();
    expect(screen.getByTestId('workflow-sequence').textContent).not.toContain('Diagnostics');
  });
});

describe('CustomRoleEditor: where the role joins', () => {
  it('offers the roles of the chosen step as `after`, and the files it writes only for a phase step', async () => {
    const config = aRolesView().withCustomRole({ id: 'security-auditor', joins: { step: 'CODE_REVIEW' } }).withCustomRole({ id: 'perf-reviewer', name: 'Performance Reviewer' }).build().config;
    const onSave = vi.fn<(config: RolesConfigView) => Promise<RequestOutcome>>(async () => ({ ok: true }));
    render(CustomRoleEditor, { props: { config, role: config.roles.at(-1)!, onSave, onCancel: vi.fn() } });
    expect(screen.queryByTestId('custom-role-join-after')).toBeNull();

    await fireEvent.change(screen.getByTestId('custom-role-join-step'), { target: { value: 'CODE_REVIEW' } });
    const after = screen.getByTestId('custom-role-join-after') as HTMLSelectElement;
    expect(Array.from(after.options).map((option) => option.textContent)).toEqual(['Code Sceptic', 'Security Auditor']);
    expect(screen.queryByTestId('custom-role-join-writes')).toBeNull();
    await fireEvent.change(after, { target: { value: 'security-auditor' } });
    await fireEvent.input(screen.getByTestId('custom-role-join-files'), { target: { value: 'src/**/*.ts' } });
    await fireEvent.click(screen.getByTestId('custom-role-save'));
    expect(onSave.mock.calls[0]![0].roles.at(-1)?.joins).toEqual({ step: 'CODE_REVIEW', after: 'security-auditor', files: 'src/**/*.ts' });

    await fireEvent.change(screen.getByTestId('custom-role-join-step'), { target: { value: 'DOCUMENTATION' } });
    expect(Array.from((screen.getByTestId('custom-role-join-after') as HTMLSelectElement).options).map((option) => option.value)).toEqual(['documentation-writer']);
    expect(screen.getByTestId('custom-role-join-writes')).toBeTruthy();
  });

  it('shows a bad file pattern under its field and saves nothing', async () => {
    const config = aRolesView().withCustomRole({ id: 'security-auditor' }).build().config;
    const onSave = vi.fn<(config: RolesConfigView) => Promise<RequestOutcome>>(async () => ({ ok: true }));
    render(CustomRoleEditor, { props: { config, role: config.roles.at(-1)!, onSave, onCancel: vi.fn() } });
    await fireEvent.change(screen.getByTestId('custom-role-join-step'), { target: { value: 'CODE_REVIEW' } });
    await fireEvent.input(screen.getByTestId('custom-role-join-files'), { target: { value: '/etc/**' } });
    await fireEvent.click(screen.getByTestId('custom-role-save'));
    expect(screen.getByTestId('field-error-joinFiles').textContent).toMatch(/relative to the workspace/);
    expect(onSave).not.toHaveBeenCalled();
  });
});
