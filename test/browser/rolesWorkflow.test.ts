import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { HostMessage } from '../../extension/protocol/dashboardProtocol';
import type { RolesConfigView, RolesView } from '../../extension/protocol/rolesView';
import type { FileView } from '../../extension/protocol/viewModel';
import { useBrowserHarness } from './browserHarness';
import { openDashboard, type DashboardPage, type HarnessWindow } from './dashboardPage';
import { finalState, readRecording } from './recording';
import { securityAuditorCard } from '../unit/support/securityAuditor';

// The Workflow section of the built Agent Roles tab in real Chromium: what a person edits there must
// reach the host as one `roles/save` carrying the workflow and the custom role's join.

const harness = useBrowserHarness();
const recorded = readRecording('recordedRun');

const auditor = securityAuditorCard();

/** The recorded roles view with the Security Auditor added, not yet joining any step. */
function rolesWithAuditor(): RolesView {
  const { roles } = finalState(recorded);
  return { ...roles, config: { ...roles.config, roles: [...roles.config.roles, auditor] } };
}

type Save = { type: 'roles/save'; requestId: string; config: RolesConfigView };

async function saves(page: Page, count: number): Promise<Save[]> {
  await page.waitForFunction((n) => (window as unknown as HarnessWindow).__posted.filter((message) => message.type === 'roles/save').length >= n, count);
  const posted = await page.evaluate(() => (window as unknown as HarnessWindow).__posted);
  return posted.filter((message): message is Save => message.type === 'roles/save');
}

async function withDashboard(use: (dashboard: DashboardPage) => Promise<void>): Promise<void> {
  const { browser, server } = harness();
  const dashboard = await openDashboard(browser, server, 'dark');
  try {
    await use(dashboard);
    expect(dashboard.pageErrors).toEqual([]);
    expect(await dashboard.cspViolations()).toEqual([]);
  } finally {
    await dashboard.close();
  }
}

describe('the Workflow section in the Agent Roles tab', () => {
  it('turns documentation off and makes a custom role a second reviewer, and roles/save carries both', async () => {
    await withDashboard(async (dashboard) => {
      const { page } = dashboard;
      await dashboard.send([recorded.messages[0]!, { type: 'roles/didChange', roles: rolesWithAuditor() }]);
      await page.getByTestId('tab-roles').click();
      const sequence = page.getByTestId('workflow-sequence');
      await sequence.filter({ hasText: 'Documentation by Documentation Writer' }).waitFor();

      await page.getByTestId('workflow-documentation').uncheck();
      const [first] = await saves(page, 1);
      expect(first!.config.workflow).toEqual({ documentation: false });
      expect(await sequence.textContent()).not.toContain('Documentation');
      await dashboard.send([{ type: 'request/done', requestId: first!.requestId, ok: true }]);

      await page.getByTestId('edit-role-security-auditor').click();
      await page.getByTestId('custom-role-join-step').selectOption('CODE_REVIEW');
      expect(await page.getByTestId('custom-role-join-after').locator('option').allTextContents()).toEqual(['Code Sceptic']);
      await page.getByTestId('custom-role-join-files').fill('src/**');
      await page.getByTestId('custom-role-save').click();

      const [, second] = await saves(page, 2);
      expect(second!.config.workflow).toEqual({ documentation: false });
      expect(second!.config.roles.find((role) => role.id === 'security-auditor')?.joins).toEqual({ step: 'CODE_REVIEW', after: 'code-sceptic', files: 'src/**' });
      await dashboard.send([{ type: 'request/done', requestId: second!.requestId, ok: true }]);
      await sequence.filter({ hasText: 'Code review by Code Sceptic, then Security Auditor (src/**)' }).waitFor();
    });
  });
});

describe('the file board shows the diagnostics gate', () => {
  it('marks files being checked, with errors and clean, and names a reviewer other than the Code Sceptic', async () => {
    await withDashboard(async (dashboard) => {
      const { page } = dashboard;
      const file = (path: string, fields: Partial<FileView>): FileView => ({ path, purpose: `The ${path} module`, fixes: 0, stage: 'pending', ...fields });
      const reset = recorded.messages[0]!;
      if (reset.type !== 'state/reset') throw new Error('The recording should start with state/reset.');
      const state = {
        ...reset.state,
        files: [
          file('src/a.ts', { stage: 'checking', coder: 1 }),
          file('src/b.ts', { stage: 'fixing', coder: 1, diagnostics: 2 }),
          file('src/c.ts', { stage: 'reviewing', coder: 2, diagnostics: 0, reviewer: 'security-auditor' }),
        ],
      };
      const messages: HostMessage[] = [{ type: 'state/reset', state }];
      await dashboard.send(messages);
      const board = page.getByTestId('file-board');
      await board.getByTestId('file-stage-checking').getByText('src/a.ts').waitFor();
      expect(await board.getByTestId('file-src/a.ts').getByTestId('file-gate').textContent()).toBe('checking…');
      expect(await board.getByTestId('file-src/b.ts').getByTestId('file-gate').textContent()).toBe('2 errors');
      expect(await board.getByTestId('file-src/c.ts').getByTestId('file-gate').textContent()).toBe('clean');
      expect(await board.getByTestId('file-src/c.ts').getByTestId('file-reviewer').textContent()).toContain('review by Security Auditor');
    });
  });
});
