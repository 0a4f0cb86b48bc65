import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrchestrationConfigManager, WORKSPACE_ROLES_KEY } from '../../../extension/config/orchestrationConfigManager';
import { RolesTab, type ModelSource } from '../../../extension/config/rolesController';
import { FakeRolesDialogs } from '../fakes/fakeRolesDialogs';
import { ROLES_FILE_NAME, mergeRolesFile } from '../../../extension/config/rolesFileExchange';
import { loadRolesConfigFile } from '../../../extension/engine/roles/rolesConfigFile';
import type { RoleCard, RolesConfigView } from '../../../extension/protocol/rolesView';
import { FakeMemento, PRICED_MODELS } from './fakes';
import { SECURITY_AUDITOR, securityAuditorCard } from '../support/securityAuditor';

function aManager(workspace = new FakeMemento()) {
  return new OrchestrationConfigManager({ globalState: new FakeMemento(), workspaceState: workspace });
}

function auditor(joins: RoleCard['joins'] = SECURITY_AUDITOR.joins): RoleCard {
  return securityAuditorCard(joins);
}

/** The tab's view with the Security Auditor joining code review and documentation off. */
function aWorkflowView(manager: OrchestrationConfigManager): RolesConfigView {
  const view = manager.view();
  return { ...view, roles: [...view.roles, auditor()], workflow: { documentation: false, maxFixRounds: 2 } };
}


const models: ModelSource = { cached: () => ({ models: PRICED_MODELS }), models: async () => ({ models: PRICED_MODELS }), refresh: async () => ({ models: PRICED_MODELS }) };

function aTab(dialogs: FakeRolesDialogs) {
  const config = aManager();
  return { config, tab: new RolesTab({ config, discovery: models, dialogs }) };
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'roles-workflow-'));

describe('the workflow in the stored roles configuration', () => {
  it('stores the workflow and a custom role’s join in workspace state and shows them again in the view', async () => {
    const workspace = new FakeMemento();
    const manager = aManager(workspace);
    await manager.save(aWorkflowView(manager));
    expect(workspace.get<{ workflow: unknown }>(WORKSPACE_ROLES_KEY)?.workflow).toEqual({ documentation: false, maxFixRounds: 2 });
    const view = aManager(workspace).view();
    expect(view.workflow).toEqual({ documentation: false, maxFixRounds: 2 });
    expect(view.roles.find((role) => role.id === 'security-auditor')?.joins).toEqual({ step: 'CODE_REVIEW', after: 'code-sceptic' });
    expect(manager.resolution().workflow).toEqual({ documentation: false, maxFixRounds: 2 });
  });

  it('keeps the workflow and the joins when a template assigns the models', async () => {
    const manager = aManager();
    await manager.save(aWorkflowView(manager));
    await manager.applyTemplate('balanced', PRICED_MODELS);
    expect(manager.view().workflow).toEqual({ documentation: false, maxFixRounds: 2 });
    expect(manager.view().roles.find((role) => role.id === 'security-auditor')?.joins).toEqual({ step: 'CODE_REVIEW', after: 'code-sceptic' });
  });

  it('leaves the workflow out when the user changed nothing, so the built-in workflow applies', async () => {
    const workspace = new FakeMemento();
    const manager = aManager(workspace);
    await manager.save(manager.view());
    expect(workspace.get<object>(WORKSPACE_ROLES_KEY)).not.toHaveProperty('workflow');
    expect(manager.view()).not.toHaveProperty('workflow');
  });

  it('refuses an invalid workflow with the path of the bad field, and stores nothing', async () => {
    const workspace = new FakeMemento();
    const manager = aManager(workspace);
    const view = { ...aWorkflowView(manager), workflow: { maxFixRounds: 99 } };
    await expect(manager.save(view)).rejects.toMatchObject({ reason: 'invalid-config', message: expect.stringContaining('workflow.maxFixRounds') });
    const badGlob = { ...aWorkflowView(manager), roles: [...manager.view().roles, auditor({ step: 'CODE_REVIEW', files: '../secrets/**' })] };
    await expect(manager.save(badGlob)).rejects.toMatchObject({ message: expect.stringContaining('security-auditor.joins.files: A file pattern is relative') });
    expect(workspace.get(WORKSPACE_ROLES_KEY)).toBeUndefined();
  });

  it('refuses a join after a role that is not in the step, and a join on a built-in role, naming the field', async () => {
    const manager = aManager();
    const lost = { ...aWorkflowView(manager), roles: [...manager.view().roles, auditor({ step: 'CODE_REVIEW', after: 'debugger' })] };
    await expect(manager.save(lost)).rejects.toMatchObject({ reason: 'invalid-config', message: expect.stringContaining('security-auditor.joins.after: "debugger" does not take part in CODE_REVIEW') });
    const builtin = manager.view();
    builtin.roles = builtin.roles.map((role) => (role.id === 'debugger' ? { ...role, joins: { step: 'CODE_REVIEW' } } : role));
    await expect(manager.save(builtin)).rejects.toMatchObject({ message: expect.stringContaining('debugger.joins: Debugger is built in') });
    expect(manager.load()).toEqual({ profiles: [], roles: [], assignments: {} });
  });
});

describe('import and export carry the workflow', () => {
  it('exports a roles file the CLI reads, and a fresh workspace imports the workflow and the joins from it', async () => {
    const folder = tempDir();
    const source = aTab(new FakeRolesDialogs(folder));
    await source.config.save(aWorkflowView(source.config));
    await source.tab.exportToFiles();
    const file = path.join(folder, ROLES_FILE_NAME);
    expect(fs.existsSync(path.join(folder, 'security-auditor.md'))).toBe(true);
    const asCliReadsIt = await loadRolesConfigFile(file);
    expect(asCliReadsIt.workflow).toEqual({ documentation: false, maxFixRounds: 2 });
    expect(asCliReadsIt.roles.find((role) => role.id === 'security-auditor')?.joins).toEqual({ step: 'CODE_REVIEW', after: 'code-sceptic' });

    const dialogs = new FakeRolesDialogs(undefined, fs.readdirSync(folder).map((name) => path.join(folder, name)));
    const target = aTab(dialogs);
    await target.tab.importFromFiles();
    expect(target.config.view().workflow).toEqual({ documentation: false, maxFixRounds: 2 });
    expect(target.config.view().roles.find((role) => role.id === 'security-auditor')?.joins).toEqual({ step: 'CODE_REVIEW', after: 'code-sceptic' });
    expect(dialogs.info[0]).toMatch(/and the roles file kilo-orchestra-roles\.json \(1 role and the workflow\)\.$/);
  });

  it('skips a roles file the schema refuses, naming the file and the bad field, and keeps the workflow it had', async () => {
    const folder = tempDir();
    const bad = path.join(folder, 'team.json');
    fs.writeFileSync(bad, JSON.stringify({ workflow: { tests: { when: 'every-files', files: 0 } } }));
    const dialogs = new FakeRolesDialogs(undefined, [bad]);
    const { tab, config } = aTab(dialogs);
    await config.save({ ...config.view(), workflow: { testing: false } });
    await tab.importFromFiles();
    expect(dialogs.info[0]).toMatch(/^No role was imported\. Skipped: team\.json: workflow\.tests\.files: /);
    expect(dialogs.info[0]).not.toContain(folder);
    expect(config.view().workflow).toEqual({ testing: false });
  });

  it('merges a roles file: same ids replaced, new ones added, the workflow replaced only when the file has one', () => {
    const mine = { profiles: [{ id: 'p', label: 'P', providerID: 'a', modelID: 'b' }], roles: [{ id: 'architect', instances: 1 }], assignments: { architect: 'p' }, workflow: { testing: false } };
    const theirs = { profiles: [{ id: 'p', label: 'P2', providerID: 'a', modelID: 'c' }], roles: [{ id: 'debugger', active: false }], assignments: { debugger: 'p' } };
    expect(mergeRolesFile(mine, theirs)).toEqual({
      profiles: [{ id: 'p', label: 'P2', providerID: 'a', modelID: 'c' }],
      roles: [{ id: 'architect', instances: 1 }, { id: 'debugger', active: false }],
      assignments: { architect: 'p', debugger: 'p' },
      workflow: { testing: false },
    });
    expect(mergeRolesFile(mine, { ...theirs, workflow: { documentation: false } }).workflow).toEqual({ documentation: false });
  });
});
