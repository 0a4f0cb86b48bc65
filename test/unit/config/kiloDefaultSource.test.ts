import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { extensionKiloDefault } from '../../../extension/config/kiloDefaultSource';
import { OrchestrationConfigManager } from '../../../extension/config/orchestrationConfigManager';
import { costPreview } from '../../../extension/config/costPreview';
import { FakeMemento, aModel } from './fakes';

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) fs.rmSync(home, { recursive: true, force: true });
});

/** A private Kilo home whose ~/.config/kilo/kilo.json sets `model`. */
function aKiloHome(model: string): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-default-source-'));
  homes.push(home);
  fs.mkdirSync(path.join(home, '.config', 'kilo'), { recursive: true });
  fs.writeFileSync(path.join(home, '.config', 'kilo', 'kilo.json'), JSON.stringify({ model }));
  return home;
}

describe('the Kilo default in the extension', () => {
  it("reads the user's Kilo config first, priced from discovery when Kilo reports a price", () => {
    const home = aKiloHome('teamproxy/team-model');
    const discovery = { models: [aModel('teamproxy', 'team-model', { input: 1, output: 4 })], defaultModel: { providerID: 'other', modelID: 'x', source: 'config' as const } };
    expect(extensionKiloDefault(home, discovery, home)).toEqual({ providerID: 'teamproxy', modelID: 'team-model', cost: { input: 1, output: 4 } });
  });

  it("falls back to the discovery server's default, and is none without either", () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'kilo-default-empty-'));
    homes.push(empty);
    expect(extensionKiloDefault(empty, { models: [], defaultModel: { providerID: 'kilo', modelID: 'kilo-auto/free', source: 'kilo' } }, empty)).toEqual({ providerID: 'kilo', modelID: 'kilo-auto/free' });
    expect(extensionKiloDefault(empty, undefined, empty)).toBeUndefined();
  });

  it('lets a task start with no assignment: every role on the default, named so, its estimate unpriced', () => {
    const manager = new OrchestrationConfigManager({ globalState: new FakeMemento(), workspaceState: new FakeMemento(), kiloDefault: () => ({ providerID: 'teamproxy', modelID: 'team-model' }) });
    const resolution = manager.resolution();
    expect(resolution.errors).toEqual([]);
    expect(resolution.onKiloDefault).toHaveLength(7);
    expect(manager.kiloDefaultName()).toBe('Kilo default (teamproxy/team-model)');
    expect(manager.issues().map((issue) => issue.code)).toEqual(['same-model-everywhere']);
    expect(costPreview(resolution, []).perRole.every((role) => !role.priced)).toBe(true);
  });
});
