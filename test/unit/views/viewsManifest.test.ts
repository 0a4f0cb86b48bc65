import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, CONTEXT_KEYS } from '../../../extension/commands/commandIds';
import { ITEM_FLAGS, VIEWS, VIEW_COMMANDS, VIEW_CONTAINER_ID } from '../../../extension/views/viewIds';

// The VS Code surfaces package.json declares, checked against the ids the code uses and the files on disk.
const root = path.join(__dirname, '../../..');

interface MenuItem {
  command: string;
  when?: string;
  group?: string;
}
interface Manifest {
  icon: string;
  repository?: { type: string; url: string };
  capabilities: { untrustedWorkspaces: { supported: boolean | string; description?: string } };
  contributes: {
    commands: Array<{ command: string; icon?: string }>;
    viewsContainers: { activitybar: Array<{ id: string; title: string; icon: string }> };
    views: Record<string, Array<{ id: string; name: string }>>;
    viewsWelcome: Array<{ view: string; contents: string; when?: string }>;
    walkthroughs: Array<{ id: string; steps: Array<{ id: string; title: string; description: string; media: { image?: string; markdown?: string; altText?: string }; completionEvents?: string[] }> }>;
    keybindings: Array<{ command: string; key: string; mac?: string; when?: string }>;
    menus: Record<string, MenuItem[]>;
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
const { contributes } = manifest;
const contributed = new Set(contributes.commands.map((command) => command.command));
const menu = (name: string) => contributes.menus[name] ?? [];

describe('package.json: the activity-bar container and its views', () => {
  it('declares the "Kilo Orchestra" container with an icon file, holding the Agents and Runs views the code registers', () => {
    expect(contributes.viewsContainers.activitybar).toEqual([expect.objectContaining({ id: VIEW_CONTAINER_ID, title: 'Kilo Orchestra' })]);
    expect(fs.existsSync(path.join(root, contributes.viewsContainers.activitybar[0]!.icon))).toBe(true);
    expect(contributes.views[VIEW_CONTAINER_ID]!.map((view) => [view.id, view.name])).toEqual([
      [VIEWS.agents, 'Agents'],
      [VIEWS.runs, 'Runs'],
    ]);
  });

  it('gives both views a welcome text with a link that starts a task', () => {
    for (const view of Object.values(VIEWS)) {
      const welcome = contributes.viewsWelcome.filter((entry) => entry.view === view && entry.when !== 'workspaceFolderCount == 0');
      expect(welcome.map((entry) => entry.contents).join('\n'), view).toContain(`(command:${COMMANDS.startOrchestratedTask})`);
    }
  });

  it('puts on every view item only contributed commands, matched on the flags the trees set', () => {
    const items = menu('view/item/context');
    for (const item of items) expect(contributed, item.command).toContain(item.command);
    const when = (command: string) => items.filter((item) => item.command === command).map((item) => item.when ?? '');
    expect(when(COMMANDS.talkToAgent).every((clause) => clause.includes(`view == ${VIEWS.agents}`) && clause.includes(ITEM_FLAGS.talkable))).toBe(true);
    expect(when(VIEW_COMMANDS.openRun).length).toBeGreaterThan(0);
    expect(when('kiloOrchestra.resumeRun').every((clause) => clause.includes(`view == ${VIEWS.runs}`) && clause.includes(ITEM_FLAGS.resumable))).toBe(true);
    expect(when(COMMANDS.rollBackToCheckpoint).every((clause) => clause.includes(ITEM_FLAGS.rollback))).toBe(true);
    expect(when('kiloOrchestra.resumeRun').length).toBeGreaterThan(0);
    expect(when(COMMANDS.rollBackToCheckpoint).length).toBeGreaterThan(0);
    // An inline action shows as an icon, so it needs one.
    for (const item of items.filter((entry) => entry.group?.startsWith('inline'))) {
      expect(contributes.commands.find((command) => command.command === item.command)?.icon, item.command).toBeDefined();
    }
  });

  it('has title actions on both views, and on the dashboard pause, resume, cancel and the roles', () => {
    const titles = menu('view/title');
    for (const view of Object.values(VIEWS)) expect(titles.some((item) => item.when?.includes(`view == ${view}`)), view).toBe(true);
    const dashboard = menu('editor/title').filter((item) => item.when?.includes("activeWebviewPanelId == 'kiloOrchestra.dashboard'"));
    expect(dashboard.map((item) => item.command).sort()).toEqual([COMMANDS.cancel, COMMANDS.configureAgentRoles, COMMANDS.pauseAll, COMMANDS.resume].sort());
    expect(dashboard.find((item) => item.command === COMMANDS.pauseAll)?.when).toContain(CONTEXT_KEYS.runActive);
    expect(dashboard.find((item) => item.command === COMMANDS.resume)?.when).toContain(CONTEXT_KEYS.runPaused);
    for (const item of [...titles, ...menu('editor/title')]) expect(contributed, item.command).toContain(item.command);
  });
});

describe('package.json: walkthrough, keybindings, icon, trust', () => {
  it('walks through installing Kilo Code, picking models and a first task, with media that exist', () => {
    const [walkthrough, ...others] = contributes.walkthroughs;
    expect(others).toEqual([]);
    expect(walkthrough!.steps.map((step) => step.id)).toEqual(['installKilo', 'pickModels', 'firstTask']);
    const [install, models, first] = walkthrough!.steps;
    expect(install!.completionEvents).toContain('extensionInstalled:kilocode.kilo-code');
    expect(models!.description).toContain(`(command:${COMMANDS.configureAgentRoles})`);
    expect(first!.description).toContain(`(command:${COMMANDS.startOrchestratedTask})`);
    for (const step of walkthrough!.steps) {
      const file = step.media.image ?? step.media.markdown;
      expect(file, step.id).toMatch(/^media\//);
      expect(fs.existsSync(path.join(root, file!)), file).toBe(true);
      if (step.media.image) expect(step.media.altText, step.id).toBeTruthy();
    }
  });

  it('binds Start and Pause to their own chords, each only when it can act', () => {
    const binding = (command: string) => contributes.keybindings.find((entry) => entry.command === command);
    expect(binding(COMMANDS.startOrchestratedTask)).toMatchObject({ key: 'ctrl+alt+k s', when: expect.stringContaining(`!${CONTEXT_KEYS.runActive}`) });
    expect(binding(COMMANDS.pauseAll)).toMatchObject({ key: 'ctrl+alt+k p', when: expect.stringContaining(CONTEXT_KEYS.runActive) });
    const keys = contributes.keybindings.flatMap((entry) => [entry.key, entry.mac ?? entry.key]);
    expect(new Set(keys).size).toBe(keys.length);
    for (const entry of contributes.keybindings) expect(contributed, entry.command).toContain(entry.command);
  });

  it('has a 128x128 PNG icon, and names no repository it does not have', () => {
    const png = fs.readFileSync(path.join(root, manifest.icon));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]);
    // There is no public repository yet: an invented URL would send users to someone else's page.
    expect(manifest.repository).toBeUndefined();
  });

  it('refuses untrusted workspaces and says why: the agents run commands and write files', () => {
    expect(manifest.capabilities.untrustedWorkspaces.supported).toBe(false);
    expect(manifest.capabilities.untrustedWorkspaces.description).toMatch(/shell commands/);
    expect(manifest.capabilities.untrustedWorkspaces.description).toMatch(/write files/);
  });
});
