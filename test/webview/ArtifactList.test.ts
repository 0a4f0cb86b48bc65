// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import ArtifactList from '../../webview/components/ArtifactList.svelte';
import { anArtifact, artifacts } from './fixtures/dashboardBuilders';

describe('ArtifactList', () => {
  it('shows every one of 200 artifacts with its summary, most recently updated first', () => {
    render(ArtifactList, { artifacts: artifacts(200), filter: 'all', onFilter: vi.fn(), onSelect: vi.fn() });
    const items = screen.getAllByTestId(/^artifact-artifact-/);
    expect(items).toHaveLength(200);
    expect(items[0]?.textContent).toContain('Summary 199');
  });

  it('shows only the chosen type, with how many there are of all', () => {
    render(ArtifactList, { artifacts: artifacts(12), filter: 'code', onFilter: vi.fn(), onSelect: vi.fn() });
    const items = screen.getAllByTestId(/^artifact-artifact-/);
    expect(items).toHaveLength(2);
    expect(items.every((i) => i.textContent?.includes('code'))).toBe(true);
    expect(screen.getByTestId('artifact-list').querySelector('h2')?.textContent).toContain('2 of 12');
  });

  it('reports a change of the type filter', async () => {
    const onFilter = vi.fn();
    render(ArtifactList, { artifacts: artifacts(3), filter: 'all', onFilter, onSelect: vi.fn() });
    await fireEvent.change(screen.getByTestId('artifact-filter'), { target: { value: 'review' } });
    expect(onFilter).toHaveBeenCalledWith('review');
  });

  it('reports the clicked artifact and marks the selected one', async () => {
    const onSelect = vi.fn();
    render(ArtifactList, { artifacts: [anArtifact({ id: 'plan-1', type: 'plan' }), anArtifact({ id: 'code-1' })], filter: 'all', selectedId: 'code-1', onFilter: vi.fn(), onSelect });
    expect(screen.getByTestId('artifact-code-1').getAttribute('aria-pressed')).toBe('true');
    await fireEvent.click(screen.getByTestId('artifact-plan-1'));
    expect(onSelect).toHaveBeenCalledWith('plan-1');
  });

  it('says when no artifact has the chosen type', () => {
    render(ArtifactList, { artifacts: [anArtifact({ type: 'plan' })], filter: 'test-report', onFilter: vi.fn(), onSelect: vi.fn() });
    expect(screen.getByText('No artifacts of this type.')).toBeTruthy();
  });
});
