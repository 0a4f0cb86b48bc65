import { describe, expect, it } from 'vitest';
import { OrchestrationConfigManager, PROFILES_KEY, WORKSPACE_ROLES_KEY } from '../../../extension/config/orchestrationConfigManager';
import { COST_BASIS, TYPICAL_TOKENS } from '../../../extension/config/costPreview';
import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import type { RolesConfigView } from '../../../extension/protocol/rolesView';
import { FakeMemento, PRICED_MODELS, aModel } from './fakes';

function aManager(global = new FakeMemento(), workspace = new FakeMemento()) {
  const log: string[] = [];
  const manager = new OrchestrationConfigManager({ globalState: global, workspaceState: workspace, log: (line) => log.push(line), now: () => 1234 });
  return { manager, global, workspace, log };
}

/** Every role on one of two profiles: a cheap one for coders, a pricier one for the rest. */
function aView(manager: OrchestrationConfigManager): RolesConfigView {
  const view = manager.view();
  view.profiles = [
    { id: 'cheap', label: 'Cheap', providerID: 'deepseek', modelID: 'deepseek-chat' },
    { id: 'smart', label: 'Smart', providerID: 'anthropic', modelID: 'claude-sonnet', cost: { input: 3, output: 15 } },
  ];
  view.assignments = Object.fromEntries(view.roles.map((role) => [role.id, role.id.endsWith('coder') ? 'cheap' : 'smart']));
  return view;
}

describe('OrchestrationConfigManager', () => {
  it('starts from the built-in roles with no profiles, and says the required roles need one', () => {
    const { manager } = aManager();
    expect(manager.load()).toEqual({ profiles: [], roles: [], assignments: {} });
    expect(manager.view().roles.map((r) => r.id)).toEqual(BUILTIN_ROLES.map((r) => r.id));
    const errors = manager.issues().filter((i) => i.severity === 'error');
    expect(errors.map((e) => e.code)).toEqual(expect.arrayContaining(['required-unassigned']));
    expect(errors.filter((e) => e.code === 'required-unassigned').map((e) => e.roleId).sort()).toEqual(BUILTIN_ROLES.filter((r) => r.required).map((r) => r.id).sort());
  });

  it('keeps profiles in global state and role settings in workspace state, and reads them back as saved', async () => {
    const { manager, global, workspace } = aManager();
    const view = aView(manager);
    view.roles.find((r) => r.id === 'secondary-coder')!.instances = 3;
    await manager.save(view);

    expect(global.get(PROFILES_KEY)).toEqual(view.profiles);
    expect(workspace.get(WORKSPACE_ROLES_KEY)).toEqual({ roles: [{ id: 'secondary-coder', instances: 3 }], assignments: view.assignments });
    expect(manager.view()).toEqual(view);
    expect(manager.resolution().errors).toEqual([]);
    // Another workspace sees the profiles but not this workspace's assignments.
    const other = aManager(global).manager;
    expect(other.load().profiles).toEqual(view.profiles);
    expect(other.load().assignments).toEqual({});
  });

  it('stores custom roles in full and keeps the locked fields of built-ins', async () => {
    const { manager } = aManager();
    const view = aView(manager);
    view.roles.find((r) => r.id === 'architect')!.required = false;
    view.roles.push({ ...view.roles[0]!, id: 'security-auditor', name: 'Security Auditor', builtin: false, required: false, category: 'custom' });
    view.assignments['security-auditor'] = 'smart';
    await manager.save(view);

    const saved = manager.view();
    expect(saved.roles.find((r) => r.id === 'architect')?.required).toBe(true);
    expect(saved.roles.find((r) => r.id === 'security-auditor')).toMatchObject({ name: 'Security Auditor', builtin: false, category: 'custom' });
  });

  it('refuses a configuration the engine schema refuses, and stores nothing', async () => {
    const { manager, global } = aManager();
    const view = aView(manager);
    view.assignments = { 'Not A Role': 'cheap' };
    await expect(manager.save(view)).rejects.toMatchObject({ reason: 'invalid-config' });
    expect(global.get(PROFILES_KEY)).toBeUndefined();
  });

  it('replaces corrupt stored data by defaults without throwing, keeps the raw value under a backup key and says so', async () => {
    const corruptProfiles = [{ id: 'bad id with spaces', label: '' }];
    const { manager, global, log } = aManager(new FakeMemento({ [PROFILES_KEY]: corruptProfiles }), new FakeMemento({ [WORKSPACE_ROLES_KEY]: 'not an object' }));

    expect(manager.load()).toEqual({ profiles: [], roles: [], assignments: {} });
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(global.get(`${PROFILES_KEY}.corrupt.1234`)).toEqual(corruptProfiles);
    expect(global.get(PROFILES_KEY)).toBeUndefined();
    const warnings = manager.issues().filter((i) => i.code === 'stored-config-corrupt');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]?.message).toContain(`${PROFILES_KEY}.corrupt.1234`);
    expect(log.some((line) => line.includes('damaged'))).toBe(true);
  });

  it('backs a corrupt value up once, even when it is read again before the key is cleared', () => {
    const global = new FakeMemento({ [PROFILES_KEY]: 42 });
    let backups = 0;
    const counting = { get: <T>(key: string) => global.get<T>(key), update: async (key: string) => (key.includes('.corrupt.') && backups++, undefined) };
    const manager = new OrchestrationConfigManager({ globalState: counting, workspaceState: new FakeMemento() });
    manager.load();
    manager.load();
    manager.issues();
    expect(backups).toBe(1);
  });

  it('leaves a corrupt value where it is when its backup cannot be written, and logs why', async () => {
    const global = new FakeMemento({ [PROFILES_KEY]: 'garbage' });
    const failingBackup = { get: <T>(key: string) => global.get<T>(key), update: async () => Promise.reject(new Error('disk full')) };
    const log: string[] = [];
    const manager = new OrchestrationConfigManager({ globalState: failingBackup, workspaceState: new FakeMemento(), log: (line) => log.push(line) });
    expect(manager.load().profiles).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(global.get(PROFILES_KEY)).toBe('garbage');
    expect(log.some((line) => line.includes('could not back up') && line.includes('disk full'))).toBe(true);
  });

  it('warns of one model everywhere and of an expensive model on a high-volume role', async () => {
    const { manager } = aManager();
    const view = aView(manager);
    view.assignments = Object.fromEntries(view.roles.map((role) => [role.id, 'smart']));
    await manager.save(view);

    const codes = manager.issues().map((i) => `${i.code}${i.roleId ? `:${i.roleId}` : ''}`);
    expect(codes).toContain('same-model-everywhere');
    expect(codes).toContain('expensive-high-volume:primary-coder');
    expect(codes).toContain('expensive-high-volume:secondary-coder');
    expect(codes).not.toContain('expensive-high-volume:architect');
  });

  it('counts a role with two or more instances as high-volume, pricing models from discovery', async () => {
    const { manager } = aManager();
    const view = aView(manager);
    view.profiles.push({ id: 'opus', label: 'Opus', providerID: 'anthropic', modelID: 'claude-opus' });
    view.assignments['code-sceptic'] = 'opus';
    view.roles.find((r) => r.id === 'code-sceptic')!.instances = 2;
    await manager.save(view);

    expect(manager.issues().some((i) => i.code === 'expensive-high-volume' && i.roleId === 'code-sceptic')).toBe(false);
    const withPrices = manager.issues(PRICED_MODELS).find((i) => i.code === 'expensive-high-volume' && i.roleId === 'code-sceptic');
    expect(withPrices?.message).toMatch(/runs as 2 agents/);
  });

  it('estimates a typical task as tokens × instances × price, flagging unpriced roles', async () => {
    const { manager } = aManager();
    await manager.save(aView(manager));

    const preview = manager.costEstimate([aModel('deepseek', 'deepseek-chat', { input: 0.27, output: 1.1 })]);
    const architect = preview.perRole.find((r) => r.roleId === 'architect')!;
    const tokens = TYPICAL_TOKENS.architect!;
    expect(architect.usd).toBeCloseTo((tokens.input * 3 + tokens.output * 15) / 1e6, 4);
    const secondary = preview.perRole.find((r) => r.roleId === 'secondary-coder')!;
    const instances = manager.resolution().roles.find((r) => r.id === 'secondary-coder')!.instances;
    expect(secondary.usd).toBeCloseTo(((80_000 * 0.27 + 30_000 * 1.1) / 1e6) * instances, 4);
    expect(preview.totalUsd).toBeCloseTo(preview.perRole.reduce((sum, r) => sum + r.usd, 0), 4);
    expect(preview.basis).toBe(COST_BASIS);

    const unpriced = manager.costEstimate([]);
    expect(unpriced.perRole.find((r) => r.roleId === 'primary-coder')).toEqual({ roleId: 'primary-coder', usd: 0, priced: false });
  });

  it('applies a template to every role and announces the change', async () => {
    const { manager } = aManager();
    let changes = 0;
    manager.onDidChange(() => changes++);
    await manager.applyTemplate('balanced', PRICED_MODELS);

    const { assignments, profiles } = manager.load();
    const model = (roleId: string) => profiles.find((p) => p.id === assignments[roleId])?.modelID;
    expect(model('organiser')).toBe('claude-opus');
    expect(model('secondary-coder')).toBe('deepseek-chat');
    expect(changes).toBe(1);
    expect(manager.issues().filter((i) => i.severity === 'error')).toEqual([]);
  });
});
