import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Discovery } from '../../../extension/config/modelDiscovery';
import { OrchestrationConfigManager } from '../../../extension/config/orchestrationConfigManager';
import { RolesTab, type ModelSource } from '../../../extension/config/rolesController';
import { FakeRolesDialogs } from '../fakes/fakeRolesDialogs';
import { RolesViewSchema } from '../../../extension/protocol/rolesView';
import { FakeMemento, PRICED_MODELS } from './fakes';

/** Discovery that answers from memory and counts its queries. */
class FakeModelSource implements ModelSource {
  queries = 0;
  private result: Discovery | undefined;
  constructor(private readonly answer: Discovery = { models: PRICED_MODELS }) {}
  cached() {
    return this.result;
  }
  async models() {
    this.queries += 1;
    return (this.result = this.answer);
  }
  async refresh() {
    return this.models();
  }
}


function aTab(options: { dialogs?: FakeRolesDialogs; discovery?: FakeModelSource; live?: boolean } = {}) {
  const config = new OrchestrationConfigManager({ globalState: new FakeMemento(), workspaceState: new FakeMemento() });
  const discovery = options.discovery ?? new FakeModelSource();
  const dialogs = options.dialogs ?? new FakeRolesDialogs();
  const tab = new RolesTab({ config, discovery, dialogs, isRunLive: () => options.live ?? false });
  return { tab, config, discovery, dialogs };
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'roles-tab-'));

describe('RolesTab', () => {
  it('shows the view at once, starts discovery in the background and announces the models when they arrive', async () => {
    const { tab, discovery } = aTab({ live: true });
    const changed = new Promise<void>((resolve) => tab.onDidChange(resolve));
    const first = await tab.view();
    expect(RolesViewSchema.parse(first)).toEqual(first);
    expect(first.discovered).toEqual([]);
    expect(first.appliesAtNextStart).toBe(true);
    expect(first.templates.map((t) => t.id)).toEqual(['economy', 'balanced', 'best-quality']);
    await changed;
    expect((await tab.view()).discovered).toEqual(PRICED_MODELS);
    expect(discovery.queries).toBe(1);
  });

  it('passes a discovery problem on to the view', async () => {
    const { tab } = aTab({ discovery: new FakeModelSource({ models: [], problem: 'Kilo is not installed.' }) });
    await tab.refreshModels();
    expect((await tab.view()).discoveryProblem).toBe('Kilo is not installed.');
  });

  it('applies a template with the discovered models, then shows a priced cost preview without errors', async () => {
    const { tab } = aTab();
    let changes = 0;
    tab.onDidChange(() => changes++);
    await tab.applyTemplate('economy');
    const view = await tab.view();
    expect(changes).toBeGreaterThan(0);
    expect(view.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(view.costPreview.totalUsd).toBeGreaterThan(0);
    expect(view.costPreview.perRole.every((r) => r.priced)).toBe(true);
  });

  it('exports every active role as a Kilo agent file and imports them back into a fresh workspace', async () => {
    const folder = tempDir();
    const source = aTab({ dialogs: new FakeRolesDialogs(folder) });
    await source.tab.applyTemplate('balanced');
    await source.tab.exportToFiles();
    const written = fs.readdirSync(folder).sort();
    expect(written).toContain('organiser.md');
    expect(source.dialogs.info[0]).toMatch(/^Exported \d+ roles/);

    const target = aTab({ dialogs: new FakeRolesDialogs(undefined, written.map((name) => path.join(folder, name))) });
    await target.tab.importFromFiles();
    expect(target.dialogs.info[0]).toMatch(/^Imported \d+ roles/);
    const model = (tab: typeof source, roleId: string) => {
      const config = tab.config.load();
      const profile = config.profiles.find((p) => p.id === config.assignments[roleId]);
      return profile && `${profile.providerID}/${profile.modelID}`;
    };
    for (const name of written) {
      const roleId = name.replace(/\.md$/, '');
      expect(model(target, roleId)).toBe(model(source, roleId));
    }
    expect(target.config.resolution().errors).toEqual([]);
  });

  it('imports a custom role from a hand-written file, and names the files it skipped and why', async () => {
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'security-auditor.md'), '---\ndescription: Looks for injection and secrets\nmodel: anthropic/claude-sonnet\n---\nAudit the changed files for security problems.\n');
    fs.writeFileSync(path.join(folder, 'broken.md'), 'no front matter');
    fs.writeFileSync(path.join(folder, 'Bad Name.md'), '---\n---\nx');
    const { tab, config, dialogs } = aTab({ dialogs: new FakeRolesDialogs(undefined, ['security-auditor.md', 'broken.md', 'Bad Name.md', 'missing.md'].map((n) => path.join(folder, n))) });
    await tab.importFromFiles();

    const auditor = config.view().roles.find((r) => r.id === 'security-auditor');
    expect(auditor).toMatchObject({ name: 'Security Auditor', description: 'Looks for injection and secrets', category: 'custom', builtin: false, active: true });
    expect(auditor?.prompt).toBe('Audit the changed files for security problems.');
    expect(config.load().profiles).toEqual([{ id: 'anthropic-claude-sonnet', label: 'anthropic/claude-sonnet', providerID: 'anthropic', modelID: 'claude-sonnet' }]);
    expect(dialogs.info[0]).toMatch(/^Imported 1 role \(security-auditor\)\. Skipped: broken\.md: .*Bad Name\.md: .*missing\.md: could not be read/);
  });

  it('does nothing when the user cancels a dialog', async () => {
    const { tab, dialogs, config } = aTab();
    await tab.importFromFiles();
    await tab.exportToFiles();
    expect(dialogs.info).toEqual([]);
    expect(config.load()).toEqual({ profiles: [], roles: [], assignments: {} });
  });
});
