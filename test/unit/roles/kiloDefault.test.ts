import { describe, expect, it } from 'vitest';
import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import { KILO_DEFAULT_PROFILE_ID, modelName, parseModelRef } from '../../../extension/engine/roles/kiloDefault';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { aRolesConfig } from './rolesConfigBuilder';

const DEFAULT = { providerID: 'teamproxy', modelID: 'team-model' };

describe('roles without an assignment on the Kilo default model', () => {
  it('runs every unassigned active role on the default, named "Kilo default (provider/model)", with no errors', () => {
    const config = aRolesConfig().withProfile('coder', 'coder-model').assign('secondary-coder', 'coder').build();
    const resolution = resolveRoles(config, { kiloDefault: DEFAULT });

    expect(resolution.errors).toEqual([]);
    expect(resolution.onKiloDefault).toEqual(BUILTIN_ROLES.filter((role) => role.id !== 'secondary-coder').map((role) => role.id));
    const organiser = resolution.resolve('organiser');
    expect(organiser.profile).toMatchObject({ id: KILO_DEFAULT_PROFILE_ID, providerID: 'teamproxy', modelID: 'team-model', label: 'Kilo default (teamproxy/team-model)' });
    expect(modelName(organiser.profile)).toBe('Kilo default (teamproxy/team-model)');
    expect(modelName(resolution.resolve('secondary-coder').profile)).toBe('provider/coder-model');
    // Optional roles run too, rather than being switched off for want of a profile.
    expect(resolution.roles.find((role) => role.id === 'debugger')?.active).toBe(true);
  });

  it('warns once that one model on every role is slow and rate-limited', () => {
    const resolution = resolveRoles(aRolesConfig().build(), { kiloDefault: DEFAULT });
    expect(resolution.warnings).toEqual([{ code: 'same-model-everywhere', message: expect.stringMatching(/^All 7 active roles run on Kilo default \(teamproxy\/team-model\), a rate-limit risk: one model for every role is slow/) }]);
  });

  it('carries the price Kilo reports for the default, and none when it reports none', () => {
    const priced = resolveRoles(aRolesConfig().build(), { kiloDefault: { ...DEFAULT, cost: { input: 1, output: 2 } } });
    expect(priced.resolve('architect').profile.cost).toEqual({ input: 1, output: 2 });
    expect(resolveRoles(aRolesConfig().build(), { kiloDefault: DEFAULT }).resolve('architect').profile.cost).toBeUndefined();
  });

  it('still refuses a required role switched off, and a user profile that takes the reserved id', () => {
    const off = resolveRoles(aRolesConfig().withRole({ id: 'architect', active: false }).build(), { kiloDefault: DEFAULT });
    expect(off.errors.map((issue) => issue.code)).toEqual(['required-inactive']);
    const clash = resolveRoles(aRolesConfig().withProfile(KILO_DEFAULT_PROFILE_ID).build(), { kiloDefault: DEFAULT });
    expect(clash.errors.map((issue) => issue.code)).toContain('reserved-profile');
  });

  it('without a default, an unassigned required role is an error as before', () => {
    const resolution = resolveRoles(aRolesConfig().build());
    expect(resolution.onKiloDefault).toEqual([]);
    expect(resolution.errors.filter((issue) => issue.code === 'required-unassigned')).toHaveLength(4);
  });
});

describe('parseModelRef', () => {
  it.each([
    ['anthropic/claude-sonnet-4-6', { providerID: 'anthropic', modelID: 'claude-sonnet-4-6' }],
    ['openrouter/google/gemini-3-pro', { providerID: 'openrouter', modelID: 'google/gemini-3-pro' }],
    ['no-slash', undefined],
    ['/model', undefined],
    ['provider/', undefined],
    [42, undefined],
  ])('%j → %j', (ref, expected) => {
    expect(parseModelRef(ref)).toEqual(expected);
  });
});
