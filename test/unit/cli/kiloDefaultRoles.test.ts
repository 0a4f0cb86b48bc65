import { describe, expect, it } from 'vitest';
import { resolveKiloDefault } from '../../../extension/cli/kiloDefaultRoles';
import type { RolesConfig } from '../../../extension/engine/roles/roleSchema';
import type { KiloProviders } from '../../../extension/kilo/kiloHttp';

const PROVIDERS: KiloProviders = {
  all: [
    { id: 'teamproxy', name: 'Team proxy', models: { 'team-model': { id: 'team-model', name: 'Team', cost: { input: 0, output: 0 } }, 'coder-model': { id: 'coder-model', name: 'Coder', cost: { input: 0.5, output: 2 } } } },
    { id: 'kilo', name: 'Kilo', models: { 'kilo-auto/free': { id: 'kilo-auto/free', name: 'Auto' } } },
  ],
  connected: ['teamproxy', 'kilo'],
  default: { kilo: 'kilo-auto/free' },
};

/** A stand-in Kilo server: GET /provider and GET /config (its merged `model`). */
function aFakeKilo(model: string | undefined, providers: KiloProviders = PROVIDERS) {
  return (async (url: URL | string) => {
    const body = new URL(String(url)).pathname === '/config' ? (model ? { model } : {}) : providers;
    return new Response(JSON.stringify(body), { status: 200 });
  }) as typeof fetch;
}

const ONE_ROLE: RolesConfig = { profiles: [{ id: 'coder', label: 'teamproxy/coder-model', providerID: 'teamproxy', modelID: 'coder-model' }], roles: [], assignments: { 'secondary-coder': 'coder' } };

function resolve(model: string | undefined, providers?: KiloProviders) {
  const lines: string[] = [];
  const endpoint = { baseUrl: 'http://127.0.0.1:9', authHeader: 'Basic x' };
  const roles = resolveKiloDefault({ endpoint: () => endpoint, workspace: '/ws', config: ONE_ROLE, userDefault: undefined, log: (line) => lines.push(line), fetch: aFakeKilo(model, providers) });
  return { roles, lines };
}

describe("resolveKiloDefault (the running server's default and prices)", () => {
  it("runs the unassigned roles on the server's default and prices the assigned one from Kilo", async () => {
    const { roles, lines } = resolve('teamproxy/team-model');
    const resolution = await roles;
    expect(resolution.errors).toEqual([]);
    expect(resolution.resolve('organiser').profile).toMatchObject({ id: 'kilo-default', providerID: 'teamproxy', modelID: 'team-model' });
    // Kilo's 0/0 for the custom model is no price; the coder's model has one.
    expect(resolution.resolve('organiser').profile.cost).toBeUndefined();
    expect(resolution.resolve('secondary-coder').profile.cost).toEqual({ input: 0.5, output: 2 });
    expect(lines).toEqual([expect.stringMatching(/^Organiser, Architect and 4 more run on the Kilo default teamproxy\/team-model \(Kilo's "model" setting\)\.$/)]);
  });

  it("falls back to Kilo's own provider's default when no model is set", async () => {
    expect((await resolve(undefined).roles).resolve('architect').profile).toMatchObject({ providerID: 'kilo', modelID: 'kilo-auto/free' });
  });

  it('refuses in one line a default Kilo does not have, or none at all', async () => {
    await expect(resolve('ghost/model').roles).rejects.toThrow(/^Kilo's default model ghost\/model names provider "ghost", which Kilo does not have; correct "model" in your Kilo config, or pass --model ROLE=PROVIDER\/MODEL for Organiser, Architect and 4 more\.$/);
    await expect(resolve(undefined, { ...PROVIDERS, connected: ['teamproxy'] }).roles).rejects.toThrow(/^Organiser, Architect and Primary Coder have no model and Kilo has no default model: set "model" .* or pass --model ROLE=PROVIDER\/MODEL for each\.$/);
  });
});
