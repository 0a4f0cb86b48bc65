import { describe, expect, it } from 'vitest';
import { applyTemplate, profileIdFor } from '../../../extension/config/roleTemplates';
import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import type { RolesConfig } from '../../../extension/engine/roles/roleSchema';
import { PRICED_MODELS, aModel } from './fakes';

const EMPTY: RolesConfig = { profiles: [], roles: [], assignments: {} };

function modelsOf(config: RolesConfig): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(config.assignments).map(([role, id]) => [role, config.profiles.find((p) => p.id === id)?.modelID]));
}

describe('role templates', () => {
  it('economy: the cheapest model everywhere, a mid-priced one for the Organiser', () => {
    const models = modelsOf(applyTemplate('economy', EMPTY, PRICED_MODELS));
    expect(models.organiser).toBe('gemini-flash');
    for (const role of BUILTIN_ROLES.filter((r) => r.id !== 'organiser')) expect(models[role.id]).toBe('deepseek-chat');
  });

  it('balanced: the strongest model for the judging roles, the cheapest for the workers', () => {
    const models = modelsOf(applyTemplate('balanced', EMPTY, PRICED_MODELS));
    expect([models.organiser, models.architect, models['code-sceptic']]).toEqual(['claude-opus', 'claude-opus', 'claude-opus']);
    expect([models['primary-coder'], models['secondary-coder'], models['documentation-writer'], models.debugger]).toEqual(Array(4).fill('deepseek-chat'));
  });

  it('best quality: the strongest model everywhere, custom roles included', () => {
    const config: RolesConfig = { ...EMPTY, roles: [{ id: 'auditor', name: 'Auditor', description: 'Audits.', prompt: 'Audit.', category: 'custom' }] };
    const result = applyTemplate('best-quality', config, PRICED_MODELS);
    expect(new Set(Object.values(modelsOf(result)))).toEqual(new Set(['claude-opus']));
    expect(result.assignments.auditor).toBeDefined();
    expect(result.roles).toEqual(config.roles);
  });

  it('adds only the profiles it assigns, with their prices, and reuses existing profiles on the same model', () => {
    const existing = { id: 'my-opus', label: 'Opus', providerID: 'anthropic', modelID: 'claude-opus' };
    const result = applyTemplate('balanced', { ...EMPTY, profiles: [existing] }, PRICED_MODELS);
    expect(result.profiles.map((p) => p.id)).toEqual(['my-opus', profileIdFor('deepseek', 'deepseek-chat')]);
    expect(result.profiles[1]?.cost).toEqual({ input: 0.27, output: 1.1 });
    expect(result.assignments.organiser).toBe('my-opus');
  });

  it('ignores models that are not connected or have no price, and refuses when nothing is priced', () => {
    const result = applyTemplate('best-quality', EMPTY, [aModel('x', 'pricey', { input: 50, output: 200 }, false), aModel('y', 'free'), ...PRICED_MODELS.slice(0, 1)]);
    expect(new Set(Object.values(modelsOf(result)))).toEqual(new Set(['deepseek-chat']));
    expect(() => applyTemplate('economy', EMPTY, [aModel('y', 'free')])).toThrow(/No model with a known price/);
  });

  it('leaves out a profile on a provider the user is not connected to, once Kilo has listed the providers', () => {
    const offline = { id: 'their-opus', label: 'Opus', providerID: 'x', modelID: 'claude-opus', cost: { input: 90, output: 300 } };
    const listed = applyTemplate('best-quality', { ...EMPTY, profiles: [offline] }, [aModel('x', 'pricey', { input: 50, output: 200 }, false), ...PRICED_MODELS]);
    expect(Object.values(listed.assignments)).not.toContain('their-opus');
    // With no model list (Kilo not reachable), the user's own profiles are all there is to go by.
    const unlisted = applyTemplate('best-quality', { ...EMPTY, profiles: [offline] }, []);
    expect(new Set(Object.values(unlisted.assignments))).toEqual(new Set(['their-opus']));
  });

  it('makes safe profile ids from model names', () => {
    expect(profileIdFor('openrouter', 'anthropic/claude-3.5:beta')).toBe('openrouter-anthropic-claude-3.5-beta');
  });
});
