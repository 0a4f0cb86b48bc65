import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebviewMessageSchema } from '../../extension/protocol/dashboardProtocol';
import type { TranscriptPartView } from '../../extension/protocol/transcriptPart';
import { SCREENSHOTS, useBrowserHarness } from './browserHarness';
import { openDashboard, type HarnessWindow } from './dashboardPage';
import { asPosted, finalState, readRecording } from './recording';

// One agent's transcript of 1,000 parts in the built dashboard in real Chromium: every part can be
// reached, and a folded tool call opens with the body the host sends for `transcript/loadPart`.

const recorded = readRecording('recordedRun');
const { state: finished } = finalState(recorded);
const PARTS = 1000;

function manyParts(): TranscriptPartView[] {
  const tools = ['read', 'write', 'edit', 'bash', 'glob', 'grep'] as const;
  return Array.from({ length: PARTS }, (_, i) => {
    const tool = tools[i % tools.length]!;
    const turn = `w${Math.floor(i / 25)}`;
    if (i % 10 === 0) return { id: `p${i}`, turn, step: `implement src/f${Math.floor(i / 25)}.ts`, atMs: i * 100, kind: 'text', preview: `Thinking about part ${i}`, sizes: { text: 40 } };
    return { id: `p${i}`, turn, atMs: i * 100, kind: 'tool', status: i === PARTS - 1 ? 'running' : 'completed', tool, target: tool === 'bash' ? `npm test -- ${i}` : `src/f${i}.ts`, preview: `output of ${i}`, sizes: { input: 50, output: 12_000, ...(tool === 'edit' ? { diff: 80 } : {}) }, ...(tool === 'edit' ? { additions: 1, deletions: 1 } : {}) };
  });
}

const harness = useBrowserHarness();

describe('an agent transcript of 1,000 parts', () => {
  it('lists every part, reachable page by page, and opens a folded tool call with its diff', async () => {
    const { browser, server } = harness();
    const dashboard = await openDashboard(browser, server, 'dark');
    try {
      const { page } = dashboard;
      await dashboard.send(asPosted(recorded));
      const agent = finished.agents[0]!;
      const parts = manyParts();
      await dashboard.send([{ type: 'batch', messages: [{ type: 'transcript/partsDidChange', agentId: agent.id, parts }] }]);
      await page.getByTestId(`agent-card-${agent.id}`).click();
      await page.getByTestId('transcript-parts').waitFor();
      // Newest first on screen: the running call at the end is there before any paging.
      await page.locator('[data-part-id="p999"]').waitFor();
      while ((await page.getByTestId('transcript-earlier').count()) > 0) await page.getByTestId('transcript-earlier').click();
      const ids = await page.getByTestId('transcript-part').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.partId));
      expect(ids).toEqual(parts.map((part) => part.id));

      const first = page.locator('[data-part-id="p1"]');
      await first.scrollIntoViewIfNeeded();
      expect(await first.isVisible()).toBe(true);
      const edit = page.locator('[data-part-id="p2"]');
      await edit.scrollIntoViewIfNeeded();
      await edit.getByTestId('part-toggle').click();
      await page.waitForFunction(() => (window as unknown as HarnessWindow).__posted.some((message) => message.type === 'transcript/loadPart'));
      // What the page posted, read through the protocol as the host reads it.
      const posted = WebviewMessageSchema.parse((await dashboard.posted()).find((message) => message.type === 'transcript/loadPart'));
      if (posted.type !== 'transcript/loadPart') throw new Error(`expected transcript/loadPart, got ${posted.type}`);
      const asked = posted;
      expect(asked).toMatchObject({ agentId: agent.id, turn: 'w0', partId: 'p2' });
      const body = { diff: { text: '--- src/f2.ts\n+++ src/f2.ts\n@@ -1 +1 @@\n-let a\n+const a\n', size: 50 }, output: { text: 'Edit applied successfully.', size: 12_000 } };
      await dashboard.send([{ type: 'transcript/partContent', requestId: asked.requestId, agentId: asked.agentId, turn: asked.turn, partId: asked.partId, body }, { type: 'request/done', requestId: asked.requestId, ok: true }]);
      await edit.getByTestId('part-diff').waitFor();
      expect(await edit.getByTestId('part-diff').locator('.added').textContent()).toBe('+const a');
      expect(await edit.textContent()).toContain('of 11.7 KB');
      await edit.screenshot({ path: path.join(SCREENSHOTS, 'transcript-part-open.png') });
      expect(dashboard.pageErrors).toEqual([]);
      expect(await dashboard.cspViolations()).toEqual([]);
    } finally {
      await dashboard.close();
    }
  }, 90_000);
});
