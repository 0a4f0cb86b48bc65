// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/svelte';
import type { Component } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import CostPreviewComponent from '../../../webview/roles/CostPreview.svelte';
import type { CostPreviewProps } from '../../../webview/roles/rolesProps';

const CostPreview = CostPreviewComponent as unknown as Component<CostPreviewProps>;

afterEach(cleanup);

describe('CostPreview', () => {
  it('shows the total, each role by name, unpriced roles marked, and the basis', () => {
    render(CostPreview, {
      props: {
        preview: {
          totalUsd: 1.5,
          perRole: [
            { roleId: 'architect', usd: 1.5, priced: true },
            { roleId: 'my-role', usd: 0, priced: false },
          ],
          basis: 'A 10-file task.',
        },
        roleNames: new Map([['architect', 'Architect']]),
      },
    });
    expect(screen.getByTestId('cost-total').textContent).toBe('$1.50');
    expect(screen.getByTestId('cost-preview').textContent).toContain('some roles not priced');
    expect(screen.getByTestId('cost-role-architect').textContent).toMatch(/Architect\s*\$1\.50/);
    expect(screen.getByTestId('cost-role-my-role').textContent).toMatch(/my-role\s*not priced/);
    expect(screen.getByTestId('cost-preview').textContent).toContain('A 10-file task.');
  });

  it('shows small amounts with enough digits to tell them apart', () => {
    render(CostPreview, { props: { preview: { totalUsd: 0.0042, perRole: [], basis: '' }, roleNames: new Map() } });
    expect(screen.getByTestId('cost-total').textContent).toBe('$0.0042');
    expect(screen.getByTestId('cost-preview').textContent).not.toContain('not priced');
  });
});
