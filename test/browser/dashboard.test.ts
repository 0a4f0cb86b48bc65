import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { PhaseView } from '../../extension/protocol/viewModel';
import { agentDisplayName, phaseInWords } from '../../extension/protocol/vocabulary';
import { describe, expect, it } from 'vitest';
import { SCREENSHOTS, useBrowserHarness } from './browserHarness';
import { openDashboard, screenshotWholePage, type DashboardPage } from './dashboardPage';
import { asPosted, finalState, readRecording } from './recording';
import type { ThemeName } from './vscodeThemes';

// The built dashboard (dist/webview/main.js) in real headless Chromium, fed what a real run's
// DashboardModel emitted (test/fixtures/dashboard, made by scripts/recordDashboardRun.mjs).

const recorded = readRecording('recordedRun');
const midRun = readRecording('midRun');
const { state: finished, roles } = finalState(recorded);

const harness = useBrowserHarness();

/** Nothing went wrong on the page: no exceptions, no console errors, nothing the CSP blocked, no request off loopback. */
async function expectCleanPage(dashboard: DashboardPage): Promise<void> {
  expect(dashboard.pageErrors).toEqual([]);
  expect(await dashboard.cspViolations()).toEqual([]);
  expect(dashboard.offLoopbackRequests).toEqual([]);
}

/** The header's phase badge once it names `phase` (shown in words: CODE_IMPLEMENTATION → "Writing the code"). */
function phaseBadge(page: Page, phase: PhaseView): Locator {
  return page.getByTestId('phase-badge').filter({ hasText: phaseInWords(phase) });
}

async function withDashboard(theme: ThemeName, use: (dashboard: DashboardPage) => Promise<void>): Promise<void> {
  const { browser, server } = harness();
  const dashboard = await openDashboard(browser, server, theme);
  try {
    await use(dashboard);
  } finally {
    await dashboard.close();
  }
}

describe.each<ThemeName>(['light', 'dark'])('the dashboard in the %s theme', (theme) => {
  it('renders the recorded run: task, phase, agents, timeline, artifacts and file board', async () => {
    await withDashboard(theme, async (dashboard) => {
      const { page } = dashboard;
      await dashboard.send(asPosted(recorded));
      const run = finished.run!;
      // The last deltas have arrived once the header shows the run finished.
      await phaseBadge(page, 'COMPLETED').waitFor();
      expect(await page.getByTestId('run-header').textContent()).toContain(run.task);

      for (const agent of finished.agents) {
        const card = page.getByTestId(`agent-card-${agent.id}`);
        await card.waitFor();
        expect(await card.textContent()).toContain(agentDisplayName(agent.role, agent.instance, [{ id: agent.role, name: agent.roleName }]));
      }

      const timeline = page.getByTestId('timeline');
      expect(await timeline.locator('h2').textContent()).toContain(String(finished.timeline.length));
      const rows = timeline.getByTestId('timeline-entry');
      expect(await rows.count()).toBe(Math.min(100, finished.timeline.length));
      // Newest first.
      const newest = finished.timeline[finished.timeline.length - 1]!;
      expect(await rows.first().getAttribute('data-seq')).toBe(String(newest.seq));
      expect(await rows.first().textContent()).toContain(newest.kind === 'phase' ? phaseInWords(newest.title) : newest.title);

      for (const artifact of finished.artifacts) await page.getByTestId(`artifact-${artifact.id}`).waitFor({ state: 'attached' });
      expect(await page.getByTestId('artifact-list').locator('h2').textContent()).toContain(String(finished.artifacts.length));

      const approved = page.getByTestId('file-stage-approved');
      const approvedText = await approved.textContent();
      for (const file of finished.files) expect(approvedText).toContain(file.path);

      await screenshotWholePage(page, path.join(SCREENSHOTS, `run-${theme}.png`));
      await expectCleanPage(dashboard);
    });
  });

  it('shows the roles tab warning that a required role has no profile, in the words of the config check', async () => {
    await withDashboard(theme, async (dashboard) => {
      const { page } = dashboard;
      await dashboard.send(asPosted(recorded));
      await phaseBadge(page, 'COMPLETED').waitFor();
      await page.getByTestId('tab-roles').click();

      const missing = roles.issues.find((issue) => issue.code === 'required-unassigned');
      expect(missing, 'the recording should carry a required-unassigned issue').toBeDefined();
      const issueList = page.getByTestId('issue-list');
      await issueList.getByText(missing!.message).waitFor();
      await page.getByTestId(`role-card-${missing!.roleId}`).waitFor();

      await screenshotWholePage(page, path.join(SCREENSHOTS, `roles-${theme}.png`));
      await expectCleanPage(dashboard);
    });
  });
});

describe('the dashboard controls', () => {
  it('sends workflow/pause with a request id when Pause is clicked during a run', async () => {
    await withDashboard('light', async (dashboard) => {
      const { page } = dashboard;
      // One message per post here (the other tests post batches), so both paths of the bridge run.
      await dashboard.send(midRun.messages);
      await phaseBadge(page, 'CODE_IMPLEMENTATION').waitFor();
      const pause = page.getByTestId('pause-button');
      await pause.click();
      await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((message) => message.type === 'workflow/pause'));

      const requests = (await dashboard.posted()).filter((message) => message.type === 'workflow/pause');
      expect(requests).toHaveLength(1);
      expect(requests[0]).toEqual({ type: 'workflow/pause', requestId: expect.stringMatching(/^.{1,64}$/) });
      // The host's answer settles the request without complaint.
      await dashboard.send([{ type: 'request/done', requestId: requests[0]!.requestId!, ok: true }]);
      await expectCleanPage(dashboard);
    });
  });

  it('keeps Pause disabled once the recorded run has completed, and a click on it sends nothing', async () => {
    await withDashboard('light', async (dashboard) => {
      const { page } = dashboard;
      await dashboard.send(asPosted(recorded));
      await phaseBadge(page, 'COMPLETED').waitFor();
      const pause = page.getByTestId('pause-button');
      expect(await pause.evaluate((button) => (button as HTMLElement & { disabled: boolean }).disabled)).toBe(true);
      await pause.click({ force: true });
      expect((await dashboard.posted()).map((message) => message.type)).not.toContain('workflow/pause');
      await expectCleanPage(dashboard);
    });
  });
});
