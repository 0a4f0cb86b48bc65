// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import type { Component } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import RolesTabComponent from '../../../webview/roles/RolesTab.svelte';
import type { RolesTabProps } from '../../../webview/roles/rolesProps';
import { aFakeRequest } from './fakeRequest';
import { aRolesView } from './rolesViewBuilder';

const RolesTab = RolesTabComponent as unknown as Component<RolesTabProps>;

afterEach(cleanup);

describe('RolesTab: the Workflow section', () => {
  it('saves a workflow change with roles/save and keeps the roles as they were', async () => {
    const fake = aFakeRequest();
    const roles = aRolesView().build();
    render(RolesTab, { props: { roles, request: fake.send } });
    await fireEvent.click(screen.getByTestId('workflow-testing'));
    const [save] = fake.messagesOf('roles/save');
    expect(save?.config.workflow).toEqual({ testing: false });
    expect(save?.config.roles).toEqual(roles.config.roles);
  });

  it('puts the host’s last workflow back and shows why when the save is refused', async () => {
    const fake = aFakeRequest().failNext('The roles configuration: workflow.maxFixRounds: Too big.');
    render(RolesTab, { props: { roles: aRolesView().build(), request: fake.send } });
    await fireEvent.click(screen.getByTestId('workflow-documentation'));
    await waitFor(() => expect(screen.getByTestId('workflow-save-error').textContent).toContain('workflow.maxFixRounds'));
    expect((screen.getByTestId('workflow-documentation') as HTMLInputElement).checked).toBe(true);
  });
});
