// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { ArtifactLoadOutcome } from '../../webview/lib/artifactLoad';
import ArtifactViewer from '../../webview/components/ArtifactViewer.svelte';
import { anArtifact } from './fixtures/dashboardBuilders';

function loaded(content: string, previous?: string): ArtifactLoadOutcome {
  return { ok: true, artifact: { artifactId: 'code-login-1', version: 2, content, ...(previous === undefined ? {} : { previous }) } };
}

describe('ArtifactViewer', () => {
  it('loads the artifact on demand and shows its content as text', async () => {
    const load = vi.fn().mockResolvedValue(loaded('# Plan\n<b>not html</b>'));
    render(ArtifactViewer, { artifact: anArtifact({ type: 'plan' }), load });
    expect(screen.getByTestId('artifact-loading')).toBeTruthy();
    expect(load).toHaveBeenCalledWith('code-login-1');
    const content = await screen.findByTestId('artifact-content');
    expect(content.textContent).toBe('# Plan\n<b>not html</b>');
    expect(content.querySelector('b')).toBeNull();
  });

  it('shows code with a previous version as a unified diff with added and removed lines marked', async () => {
    const load = vi.fn().mockResolvedValue(loaded('a\nB\nc\nd\n', 'a\nb\nc\n'));
    render(ArtifactViewer, { artifact: anArtifact({ version: 2 }), load });
    const diff = await screen.findByTestId('artifact-diff');
    const removed = Array.from(diff.querySelectorAll('.removed')).map((l) => l.textContent);
    const added = Array.from(diff.querySelectorAll('.added')).map((l) => l.textContent);
    expect(removed).toEqual(['-b']);
    expect(added).toEqual(['+B', '+d']);
    expect(diff.querySelector('.hunk')?.textContent).toMatch(/^@@ -1,3 \+1,4 @@/);
  });

  it('switches from the diff to the whole file and back', async () => {
    const load = vi.fn().mockResolvedValue(loaded('new\n', 'old\n'));
    render(ArtifactViewer, { artifact: anArtifact({ version: 2 }), load });
    await fireEvent.click(await screen.findByTestId('artifact-show-whole'));
    expect(screen.getByTestId('artifact-content').textContent).toBe('new\n');
    await fireEvent.click(screen.getByText('Show changes'));
    expect(screen.getByTestId('artifact-diff')).toBeTruthy();
  });

  it('shows code without a previous version whole', async () => {
    render(ArtifactViewer, { artifact: anArtifact(), load: vi.fn().mockResolvedValue(loaded('export const x = 1;\n')) });
    expect((await screen.findByTestId('artifact-content')).textContent).toBe('export const x = 1;\n');
  });

  it('shows why loading failed', async () => {
    render(ArtifactViewer, { artifact: anArtifact(), load: vi.fn().mockResolvedValue({ ok: false, error: 'The artifact did not arrive in time. Try again.' }) });
    expect((await screen.findByRole('alert')).textContent).toContain('did not arrive');
  });

  it('loads again when a newer version is shown, and ignores the late answer for the old one', async () => {
    let answerOld: (o: ArtifactLoadOutcome) => void = () => {};
    const load = vi
      .fn()
      .mockReturnValueOnce(new Promise<ArtifactLoadOutcome>((resolve) => (answerOld = resolve)))
      .mockResolvedValueOnce(loaded('version two\n'));
    const { rerender } = render(ArtifactViewer, { artifact: anArtifact({ type: 'plan', version: 1 }), load });
    await rerender({ artifact: anArtifact({ type: 'plan', version: 2 }), load });
    expect(load).toHaveBeenCalledTimes(2);
    expect((await screen.findByTestId('artifact-content')).textContent).toBe('version two\n');
    answerOld(loaded('version one\n'));
    await Promise.resolve();
    expect(screen.getByTestId('artifact-content').textContent).toBe('version two\n');
  });

  it('does not load again when only the status of the shown version changes', async () => {
    const load = vi.fn().mockResolvedValue(loaded('text\n'));
    const { rerender } = render(ArtifactViewer, { artifact: anArtifact({ type: 'plan', status: 'completed' }), load });
    await screen.findByTestId('artifact-content');
    await rerender({ artifact: anArtifact({ type: 'plan', status: 'approved' }), load });
    expect(load).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('artifact-viewer').textContent).toContain('approved');
  });
});
