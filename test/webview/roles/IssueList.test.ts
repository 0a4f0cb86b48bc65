// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import type { Component } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import IssueListComponent from '../../../webview/roles/IssueList.svelte';
import type { IssueListProps } from '../../../webview/roles/rolesProps';

const IssueList = IssueListComponent as unknown as Component<IssueListProps>;
const roleNames = new Map([['architect', 'Architect'], ['debugger', 'Debugger']]);

afterEach(cleanup);

describe('IssueList', () => {
  it('renders nothing when there are no issues', () => {
    render(IssueList, { props: { issues: [], roleNames, onSelect: vi.fn() } });
    expect(screen.queryByTestId('issue-list')).toBeNull();
  });

  it('puts errors first and names each role, or all roles', () => {
    render(IssueList, {
      props: {
        issues: [
          { severity: 'warning', code: 'same-model-everywhere', message: 'All 7 active roles run on one model.' },
          { severity: 'error', code: 'required-unassigned', roleId: 'architect', message: 'Architect has no profile.' },
        ],
        roleNames,
        onSelect: vi.fn(),
      },
    });
    const items = within(screen.getByTestId('issue-list')).getAllByRole('listitem');
    expect(items[0]!.textContent).toMatch(/Error\s*Architect:\s*Architect has no profile\./);
    expect(items[1]!.textContent).toMatch(/Warning\s*All roles:\s*All 7 active roles/);
  });

  it('reports which role was clicked', async () => {
    const onSelect = vi.fn();
    render(IssueList, { props: { issues: [{ severity: 'warning', code: 'x', roleId: 'debugger', message: 'm' }], roleNames, onSelect } });
    await fireEvent.click(screen.getByTestId('issue-role-debugger'));
    expect(onSelect).toHaveBeenCalledWith('debugger');
  });
});
