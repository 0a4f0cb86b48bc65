import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { HostMessage } from '../../extension/protocol/dashboardProtocol';
import { phaseInWords } from '../../extension/protocol/vocabulary';
import { SCREENSHOTS, useBrowserHarness } from './browserHarness';
import { openDashboard, screenshotWholePage } from './dashboardPage';
import { finalState, readRecording } from './recording';

// The built dashboard in real Chromium at the widths people dock it at: a narrow side panel
// (320 px) and a wide editor column (1,600 px). The header must keep its title and never stack
// one element over another; nothing may scroll sideways.

const midRun = readRecording('midRun');
const { state: midState } = finalState(midRun);

/** The longest header the dashboard shows: a paused run (the longest badge) with a long task. */
const LONG_TASK = 'Add overdue-loan tracking to the library service, with reminders by e-mail and a weekly report for the desk';

const HEADER_PARTS = ['run-title', 'phase-badge', 'header-cost', 'pause-button', 'resume-button', 'cancel-button'] as const;

interface Box {
  part: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

const harness = useBrowserHarness();

async function boxesOf(page: Page): Promise<Box[]> {
  const boxes: Box[] = [];
  for (const part of HEADER_PARTS) {
    const box = await page.getByTestId(part).boundingBox();
    expect(box, `${part} is laid out`).not.toBeNull();
    boxes.push({ part, ...box! });
  }
  return boxes;
}

/** Overlap in px² of two boxes; half a pixel of anti-aliased edge is not an overlap. */
function overlap(a: Box, b: Box): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0.5 && height > 0.5 ? width * height : 0;
}

describe.each([
  { width: 320, name: 'narrow' },
  { width: 1600, name: 'wide' },
])('the dashboard $width px wide', ({ width, name }) => {
  it('keeps the title readable, lays the header out without overlaps and never scrolls sideways', async () => {
    const { browser, server } = harness();
    const dashboard = await openDashboard(browser, server, 'dark', { width, height: 900 });
    try {
      const { page } = dashboard;
      const paused: HostMessage = { type: 'run/didChange', run: { ...midState.run!, task: LONG_TASK, phase: 'PAUSED', pausedFrom: 'CODE_IMPLEMENTATION' } };
      await dashboard.send([...midRun.messages, paused]);
      await page.getByTestId('phase-badge').filter({ hasText: `Paused (while ${phaseInWords('CODE_IMPLEMENTATION').toLowerCase()})` }).waitFor();

      const title = page.getByTestId('run-title');
      expect(await title.isVisible()).toBe(true);
      expect(await title.textContent()).toBe(LONG_TASK);
      const boxes = await boxesOf(page);
      const titleBox = boxes.find((box) => box.part === 'run-title')!;
      // At least a few words of the task show: the title may shorten with an ellipsis, never vanish.
      expect(titleBox.width).toBeGreaterThan(Math.min(200, width / 2));
      expect(titleBox.height).toBeGreaterThan(8);

      const overlaps = boxes.flatMap((a, i) => boxes.slice(i + 1).flatMap((b) => (overlap(a, b) > 0 ? [`${a.part} overlaps ${b.part}`] : [])));
      expect(overlaps).toEqual([]);
      const outside = boxes.filter((box) => box.x < -0.5 || box.x + box.width > width + 0.5).map((box) => box.part);
      expect(outside).toEqual([]);

      const scroll = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
      expect(scroll.scrollWidth).toBeLessThanOrEqual(scroll.clientWidth);

      await screenshotWholePage(page, path.join(SCREENSHOTS, `dashboard-${name}.png`));
      expect(dashboard.pageErrors).toEqual([]);
      expect(await dashboard.cspViolations()).toEqual([]);
    } finally {
      await dashboard.close();
    }
  });
});
