// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import TranscriptParts from '../../webview/components/TranscriptParts.svelte';
import type { TranscriptPartView } from '../../extension/protocol/transcriptPart';
import type { PartLoadOutcome } from '../../webview/lib/partLoad';

function aPart(overrides: Partial<TranscriptPartView> = {}): TranscriptPartView {
  return { id: 'p1', turn: 'w1', step: 'implement src/a.ts', atMs: 1000, kind: 'tool', status: 'completed', tool: 'bash', target: 'npm test', sizes: { input: 30, output: 20_000 }, preview: 'PASS test/a.test.ts', ...overrides };
}

const parts: TranscriptPartView[] = [
  aPart({ id: 't1', kind: 'text', status: undefined, tool: undefined, target: undefined, preview: 'I will change a.ts', sizes: { text: 18 } }),
  aPart({ id: 'w1', tool: 'edit', target: 'src/a.ts', sizes: { input: 80, output: 30, diff: 60 }, additions: 1, deletions: 1, preview: 'Edit applied successfully.' }),
  aPart({ id: 'b1', status: 'running', preview: undefined, sizes: { input: 30 } }),
  aPart({ id: 's1', kind: 'step', status: undefined, tool: undefined, target: undefined, preview: undefined, sizes: {}, tokens: { input: 1500, output: 200 }, costUsd: 0.004 }),
  aPart({ id: 'e1', turn: 'w2', step: 'revise src/a.ts', kind: 'error', status: undefined, tool: undefined, target: undefined, preview: 'rate-limited: too many requests', sizes: { text: 31 } }),
];

describe('TranscriptParts', () => {
  it('lists turns with their parts: text, tool calls with name, target and status, errors, and each turn’s tokens and cost', () => {
    render(TranscriptParts, { parts, load: vi.fn() });
    const turns = screen.getAllByTestId('transcript-turn');
    expect(turns).toHaveLength(2);
    expect(turns[0]?.textContent).toContain('implement src/a.ts');
    expect(within(turns[0]!).getByTestId('turn-usage').textContent).toContain('+1s · 1,500 in / 200 out · $0.0040');
    const rows = within(turns[0]!).getAllByTestId('transcript-part');
    // The step is summed into the turn, not listed.
    expect(rows.map((row) => row.dataset.partId)).toEqual(['t1', 'w1', 'b1']);
    expect(rows[1]?.textContent).toContain('edit');
    expect(rows[1]?.textContent).toContain('src/a.ts');
    expect(rows[1]?.textContent).toContain('+1');
    expect(within(rows[2]!).getByTestId('part-status').getAttribute('aria-label')).toBe('running');
    expect(turns[1]?.textContent).toContain('rate-limited: too many requests');
  });

  it('loads a folded output on demand, shows input, diff and output, and says how much of a long output is kept', async () => {
    const load = vi.fn(async (): Promise<PartLoadOutcome> => ({
      ok: true,
      body: { input: { text: '{"filePath":"src/a.ts"}', size: 23 }, diff: { text: '--- src/a.ts\n+++ src/a.ts\n@@ -1 +1 @@\n-let a\n+const a\n', size: 52 }, output: { text: 'x'.repeat(100), size: 20_000 } },
    }));
    render(TranscriptParts, { parts, load });
    expect(load).not.toHaveBeenCalled();
    const row = screen.getAllByTestId('transcript-part').find((element) => element.dataset.partId === 'w1')!;
    await fireEvent.click(within(row).getByTestId('part-toggle'));
    expect(load).toHaveBeenCalledWith('w1', 'w1');
    await waitFor(() => expect(within(row).getByTestId('part-diff')).toBeTruthy());
    const diff = within(row).getByTestId('part-diff');
    expect(diff.querySelector('.removed')?.textContent).toBe('-let a');
    expect(diff.querySelector('.added')?.textContent).toBe('+const a');
    expect(within(row).getByTestId('part-input').textContent).toBe('{"filePath":"src/a.ts"}');
    expect(row.textContent).toContain('first 100 chars of 19.5 KB');
    // Folding again and opening once more uses what was loaded.
    await fireEvent.click(within(row).getByTestId('part-toggle'));
    await fireEvent.click(within(row).getByTestId('part-toggle'));
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('says why a body could not be loaded', async () => {
    render(TranscriptParts, { parts, load: async () => ({ ok: false, error: 'That part is not in this run.' }) });
    const row = screen.getAllByTestId('transcript-part').find((element) => element.dataset.partId === 'b1')!;
    await fireEvent.click(within(row).getByTestId('part-toggle'));
    await waitFor(() => expect(within(row).getByTestId('part-load-error').textContent).toBe('That part is not in this run.'));
  });

  it('renders the latest parts of a long transcript first and the earlier ones a page at a time, until all are there', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => aPart({ id: `c${i}`, turn: `w${Math.floor(i / 10)}`, target: `file${i}.ts` }));
    render(TranscriptParts, { parts: many, load: vi.fn(), window: 300 });
    expect(screen.getAllByTestId('transcript-part')).toHaveLength(300);
    expect(screen.getAllByTestId('transcript-part').at(-1)?.dataset.partId).toBe('c999');
    while (screen.queryByTestId('transcript-earlier')) await fireEvent.click(screen.getByTestId('transcript-earlier'));
    const ids = screen.getAllByTestId('transcript-part').map((row) => row.dataset.partId);
    expect(ids).toHaveLength(1000);
    expect(new Set(ids).size).toBe(1000);
    expect(ids[0]).toBe('c0');
  });
});
