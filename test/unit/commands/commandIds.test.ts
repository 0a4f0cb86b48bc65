import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, CONTEXT_KEYS } from '../../../extension/commands/commandIds';
import { VIEW_COMMANDS } from '../../../extension/views/viewIds';

interface Manifest {
  activationEvents?: string[];
  extensionDependencies?: string[];
  engines: { vscode: string };
  contributes: {
    commands: Array<{ command: string; title: string; category?: string; enablement?: string }>;
    menus?: { commandPalette?: Array<{ command: string; when?: string }> };
    configuration: { properties: Record<string, { type: unknown; default?: unknown; minimum?: number; maximum?: number }> };
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as Manifest;
const contributed = manifest.contributes.commands;
/** The commands' list and the one the views' menus add (registered with the views). */
const ALL_COMMANDS: string[] = [...Object.values(COMMANDS), ...Object.values(VIEW_COMMANDS)];

describe('package.json and COMMANDS', () => {
  it('contributes exactly the commands in COMMANDS and VIEW_COMMANDS', () => {
    expect(contributed.map((command) => command.command).sort()).toEqual([...ALL_COMMANDS].sort());
  });

  it('puts every command in the "Kilo Orchestra" palette category with a title', () => {
    for (const command of contributed) {
      expect(command.category, command.command).toBe('Kilo Orchestra');
      expect(command.title.trim(), command.command).not.toBe('');
    }
  });

  it('conditions commands only on context keys the extension sets', () => {
    const known = new Set<string>(Object.values(CONTEXT_KEYS));
    const clauses = [...contributed.map((command) => command.enablement), ...(manifest.contributes.menus?.commandPalette ?? []).map((item) => item.when)];
    for (const clause of clauses.filter((c): c is string => c !== undefined)) {
      for (const key of clause.match(/kiloOrchestra\.[A-Za-z]+/g) ?? []) expect(known, clause).toContain(key);
    }
    const palette = manifest.contributes.menus?.commandPalette ?? [];
    for (const item of palette) expect(ALL_COMMANDS, item.command).toContain(item.command);
  });

  it('hides run controls from the palette when there is no run, and roll back until a checkpoint exists', () => {
    const when = (id: string) => manifest.contributes.menus?.commandPalette?.find((item) => item.command === id)?.when;
    expect(when(COMMANDS.pauseAll)).toContain(CONTEXT_KEYS.runActive);
    expect(when(COMMANDS.resume)).toContain(CONTEXT_KEYS.runPaused);
    expect(when(COMMANDS.rollBackToCheckpoint)).toContain(CONTEXT_KEYS.canRollBack);
    expect(when(COMMANDS.startOrchestratedTask)).toBeUndefined();
  });

  it('depends on the Kilo Code extension, activates lazily (a dashboard to restore, or after startup) and stays within VS Code ^1.139', () => {
    expect(manifest.extensionDependencies).toEqual(['kilocode.kilo-code']);
    // Besides its commands: the dashboard's restore, and once the window is up, to offer an unfinished run
    // (workspaceContains cannot see .kilo-orchestra/: its own .gitignore hides it from VS Code's search).
    expect(manifest.activationEvents).toEqual(['onWebviewPanel:kiloOrchestra.dashboard', 'onStartupFinished']);
    const [major, minor] = manifest.engines.vscode.replace(/^\^/, '').split('.').map(Number);
    expect(major).toBe(1);
    expect(minor).toBeLessThanOrEqual(139);
  });

  it('offers the budget and the agent limit (1–8, default 4) as settings', () => {
    const properties = manifest.contributes.configuration.properties;
    expect(properties['kiloOrchestra.budgetUsd']).toBeDefined();
    expect(properties['kiloOrchestra.maxActiveAgents']).toMatchObject({ default: 4, minimum: 1, maximum: 8 });
  });
});
