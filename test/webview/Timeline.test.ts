// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import Timeline from '../../webview/components/Timeline.svelte';
import { anEntry, entries } from './fixtures/dashboardBuilders';

describe('Timeline', () => {
  it('shows the newest entry first', () => {
    render(Timeline, { entries: [anEntry(0, { title: 'First' }), anEntry(1, { title: 'Second' })] });
    const rows = screen.getAllByTestId('timeline-entry');
    expect(rows.map((r) => r.dataset['seq'])).toEqual(['1', '0']);
  });

  it('times every entry from the start, and says how long a phase took or that it is current', () => {
    render(Timeline, {
      entries: [
        anEntry(0, { kind: 'phase', title: 'Planning', durationMs: 125_000 }),
        anEntry(1, { kind: 'decision', title: 'Plan approved', atMs: 130_000 }),
        anEntry(2, { kind: 'phase', title: 'Code implementation', atMs: 131_000 }),
      ],
    });
    const [current, decision, planning] = screen.getAllByTestId('timeline-entry');
    expect(planning?.textContent).toContain('+0s');
    expect(planning?.textContent).toContain('took 2m 05s');
    expect(decision?.textContent).toContain('+2m 10s');
    expect(current?.textContent).toContain('+2m 11s');
    expect(current?.textContent).toContain('current');
    // No clock times: "2:10" would read as ten past two.
    expect(screen.getByTestId('timeline').textContent).not.toMatch(/\d:\d\d/);
  });

  it('names phases in words, and no phase "current" once the run has stopped', () => {
    render(Timeline, { entries: [anEntry(0, { kind: 'phase', title: 'COMPLETED', atMs: 95_000 })], running: false });
    expect(screen.getByTestId('timeline-entry').textContent).toContain('+1m 35s');
    expect(screen.getByTestId('timeline-entry').textContent).toContain('Completed');
    expect(screen.getByTestId('timeline-entry').textContent).not.toContain('COMPLETED');
    expect(screen.getByTestId('timeline-entry').textContent).not.toContain('current');
  });

  it('keeps only a bounded number of rows in the DOM with 1,000 entries, and shows older ones on request', async () => {
    render(Timeline, { entries: entries(1000) });
    expect(screen.getAllByTestId('timeline-entry')).toHaveLength(100);
    expect(screen.getAllByTestId('timeline-entry')[0]?.dataset['seq']).toBe('999');
    const more = screen.getByTestId('timeline-show-more');
    expect(more.textContent).toContain('900 hidden');
    await fireEvent.click(more);
    expect(screen.getAllByTestId('timeline-entry')).toHaveLength(200);
    expect(screen.getAllByTestId('timeline-entry').at(-1)?.dataset['seq']).toBe('800');
  });

  it('keeps the newest entries in view as more arrive', async () => {
    const { rerender } = render(Timeline, { entries: entries(150) });
    await rerender({ entries: entries(151) });
    expect(screen.getAllByTestId('timeline-entry')[0]?.dataset['seq']).toBe('150');
    expect(screen.getAllByTestId('timeline-entry')).toHaveLength(100);
  });

  it('offers no "show more" when everything fits', () => {
    render(Timeline, { entries: entries(3) });
    expect(screen.queryByTestId('timeline-show-more')).toBeNull();
  });
});
