// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { ProfileViewSchema, RolesConfigViewSchema } from '../../../extension/protocol/rolesView';
import {
  addCustomRole,
  applyProfileChoice,
  assignDiscoveredModel,
  assignProfile,
  emptyCustomRoleForm,
  formFromRole,
  instancesAdjustable,
  parseList,
  priceOf,
  profileIdFor,
  MAX_MODEL_OPTIONS,
  profileOptions,
  removeCustomRole,
  selectedOption,
  setActive,
  setInstances,
  sortIssues,
  updateCustomRole,
  type CustomRoleForm,
} from '../../../webview/roles/rolesDraft';
import { aRolesView } from './rolesViewBuilder';

const auditorForm = (fields: Partial<CustomRoleForm> = {}): CustomRoleForm => ({
  ...emptyCustomRoleForm(),
  id: 'security-auditor',
  name: 'Security Auditor',
  description: 'Looks for security problems.',
  capabilities: 'audit dependencies, check secrets\nreview auth',
  inputArtifacts: ['code'],
  outputArtifacts: ['review'],
  prompt: 'You audit code.',
  ...fields,
});

describe('assignProfile', () => {
  it('assigns a profile without changing the input config', () => {
    const config = aRolesView().build().config;
    const next = assignProfile(config, 'debugger', 'mini');
    expect(next.assignments['debugger']).toBe('mini');
    expect(config.assignments['debugger']).toBe('sonnet');
  });

  it('removes the assignment when given no profile', () => {
    const next = assignProfile(aRolesView().build().config, 'architect', undefined);
    expect(next.assignments).not.toHaveProperty('architect');
  });
});

describe('profileIdFor', () => {
  it('turns provider and model into an id of the allowed characters', () => {
    const id = profileIdFor({ providerID: 'openrouter', modelID: 'qwen/qwen3-coder:free' }, []);
    expect(id).toBe('openrouter-qwen-qwen3-coder-free');
    expect(ProfileViewSchema.shape.id.safeParse(id).success).toBe(true);
  });

  it('adds a number when the id is taken', () => {
    const model = { providerID: 'openai', modelID: 'gpt-5' };
    expect(profileIdFor(model, ['openai-gpt-5'])).toBe('openai-gpt-5-2');
    expect(profileIdFor(model, ['openai-gpt-5', 'openai-gpt-5-2'])).toBe('openai-gpt-5-3');
  });

  it('stays within 64 characters, also with a number added', () => {
    const model = { providerID: 'p'.repeat(40), modelID: 'm'.repeat(40) };
    const first = profileIdFor(model, []);
    const second = profileIdFor(model, [first]);
    expect(first).toHaveLength(64);
    expect(second).toHaveLength(64);
    expect(second.endsWith('-2')).toBe(true);
    expect(ProfileViewSchema.shape.id.safeParse(second).success).toBe(true);
  });

  it('falls back to a plain id when nothing usable is left', () => {
    expect(profileIdFor({ providerID: '//', modelID: '::' }, [])).toBe('profile');
  });
});

describe('assignDiscoveredModel', () => {
  it('adds the model as a profile and assigns it', () => {
    const view = aRolesView().build();
    const qwen = view.discovered[1]!;
    const next = assignDiscoveredModel(view.config, 'debugger', qwen);
    const added = next.profiles.at(-1)!;
    expect(added).toMatchObject({ id: 'openrouter-qwen-qwen3-coder-free', label: 'Qwen3 Coder (free)', providerID: 'openrouter', modelID: 'qwen/qwen3-coder:free', cost: { input: 0, output: 0 } });
    expect(next.assignments['debugger']).toBe(added.id);
    expect(RolesConfigViewSchema.safeParse(next).success).toBe(true);
  });

  it('reuses a profile that already stands for the model', () => {
    const view = aRolesView().build();
    const next = assignDiscoveredModel(view.config, 'secondary-coder', view.discovered[0]!);
    expect(next.profiles).toHaveLength(view.config.profiles.length);
    expect(next.assignments['secondary-coder']).toBe('sonnet');
  });
});

describe('profile dropdown', () => {
  it('groups profiles, connected models and other models, leaving out models that are already profiles', () => {
    const view = aRolesView().build();
    const groups = profileOptions(view.config, view.discovered);
    expect(groups.profiles.map((o) => o.label)).toEqual(['Claude Sonnet (anthropic/claude-sonnet-4)', 'GPT Mini (openai/gpt-5-mini)']);
    expect(groups.models.map((group) => [group.label, group.options.map((o) => o.label)])).toEqual([
      ['openrouter (connected)', ['Qwen3 Coder (free) (openrouter/qwen/qwen3-coder:free)']],
      ['google', ['Gemini 2.5 Pro (google/gemini-2.5-pro)']],
    ]);
    expect(groups.hidden).toBe(0);
  });

  it('filters models by every word typed, keeps the profiles, and lists at most MAX_MODEL_OPTIONS with the rest counted', () => {
    const view = aRolesView().build();
    const filtered = profileOptions(view.config, view.discovered, 'GEMINI pro');
    expect(filtered.models.flatMap((group) => group.options.map((o) => o.label))).toEqual(['Gemini 2.5 Pro (google/gemini-2.5-pro)']);
    expect(filtered.profiles).toHaveLength(2);
    expect(profileOptions(view.config, view.discovered, 'gemini flash').models).toEqual([]);

    const many = Array.from({ length: MAX_MODEL_OPTIONS + 50 }, (_, n) => ({ providerID: n % 2 ? 'zeta' : 'alpha', modelID: `m${n}`, label: `Model ${n}`, connected: n % 2 === 1 }));
    const capped = profileOptions(view.config, many);
    expect(capped.models.reduce((sum, group) => sum + group.options.length, 0)).toBe(MAX_MODEL_OPTIONS);
    expect(capped.hidden).toBe(50);
    // The connected provider comes first, so its models are never the ones left out.
    expect(capped.models[0]).toMatchObject({ label: 'zeta (connected)' });
    expect(capped.models[0]!.options).toHaveLength(MAX_MODEL_OPTIONS / 2 + 25);
  });

  it('applies each kind of choice', () => {
    const view = aRolesView().build();
    const groups = profileOptions(view.config, view.discovered);
    const toMini = applyProfileChoice(view.config, 'architect', groups.profiles[1]!.value, view.discovered);
    expect(selectedOption(toMini, 'architect')).toBe(groups.profiles[1]!.value);
    const toGemini = applyProfileChoice(view.config, 'architect', groups.models[1]!.options[0]!.value, view.discovered);
    expect(toGemini.assignments['architect']).toBe('google-gemini-2.5-pro');
    const none = applyProfileChoice(view.config, 'architect', '', view.discovered);
    expect(none.assignments).not.toHaveProperty('architect');
  });

  it('finds a price on the profile or else on the discovered model', () => {
    const view = aRolesView().build();
    expect(priceOf(view.config.profiles[0]!, view.discovered)).toEqual({ input: 3, output: 15 });
    expect(priceOf({ id: 'x', label: 'x', providerID: 'anthropic', modelID: 'claude-sonnet-4' }, view.discovered)).toEqual({ input: 3, output: 15 });
    expect(priceOf({ id: 'x', label: 'x', providerID: 'local', modelID: 'llama' }, view.discovered)).toBeUndefined();
  });
});

describe('setActive and setInstances', () => {
  it('switches an optional role off but never a required one', () => {
    const config = aRolesView().build().config;
    expect(setActive(config, 'debugger', false).roles.find((r) => r.id === 'debugger')!.active).toBe(false);
    expect(setActive(config, 'architect', false).roles.find((r) => r.id === 'architect')!.active).toBe(true);
  });

  it('switches a required role that was switched off back on', () => {
    const config = aRolesView().withRole('architect', { active: false }).build().config;
    expect(setActive(config, 'architect', true).roles.find((r) => r.id === 'architect')!.active).toBe(true);
  });

  it('clamps instances to 1–8', () => {
    const config = aRolesView().build().config;
    const of = (c: typeof config) => c.roles.find((r) => r.id === 'secondary-coder')!.instances;
    expect(of(setInstances(config, 'secondary-coder', 3))).toBe(3);
    expect(of(setInstances(config, 'secondary-coder', 12))).toBe(8);
    expect(of(setInstances(config, 'secondary-coder', 0))).toBe(1);
    expect(of(setInstances(config, 'secondary-coder', Number.NaN))).toBe(2);
  });

  it('keeps the single-agent built-ins at one instance', () => {
    const config = aRolesView().build().config;
    expect(setInstances(config, 'architect', 3).roles.find((r) => r.id === 'architect')!.instances).toBe(1);
    const roles = config.roles;
    expect(roles.filter(instancesAdjustable).map((r) => r.id)).toEqual(['primary-coder', 'secondary-coder', 'code-sceptic', 'documentation-writer']);
  });

  it('offers no stepper for an inactive role', () => {
    const role = aRolesView().withRole('code-sceptic', { active: false }).build().config.roles.find((r) => r.id === 'code-sceptic')!;
    expect(instancesAdjustable(role)).toBe(false);
  });
});

describe('custom roles', () => {
  it('adds a valid custom role with its capabilities split', () => {
    const result = addCustomRole(aRolesView().build().config, auditorForm());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.roles.at(-1)).toMatchObject({
      id: 'security-auditor',
      category: 'custom',
      builtin: false,
      required: false,
      active: true,
      capabilities: ['audit dependencies', 'check secrets', 'review auth'],
    });
  });

  it('reports each invalid field in words', () => {
    const result = addCustomRole(aRolesView().build().config, auditorForm({ id: 'Bad Id', name: '', prompt: '  ', instances: 9 }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.id).toMatch(/lower-case/);
    expect(result.errors.name).toMatch(/1–60/);
    expect(result.errors.prompt).toMatch(/cannot be empty/);
    expect(result.errors.instances).toMatch(/1 to 8/);
  });

  it('rejects an id that is already used, including a built-in one', () => {
    const result = addCustomRole(aRolesView().build().config, auditorForm({ id: 'debugger' }));
    expect(result).toEqual({ ok: false, errors: { id: expect.stringMatching(/already exists/) } });
  });

  it('edits a custom role and moves its assignment when its id changes', () => {
    const config = aRolesView().withCustomRole({ id: 'security-auditor' }, 'mini').build().config;
    const role = config.roles.find((r) => r.id === 'security-auditor')!;
    const result = updateCustomRole(config, 'security-auditor', { ...formFromRole(role), id: 'auditor', name: 'Auditor' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.roles.map((r) => r.id)).toContain('auditor');
    expect(result.config.roles.map((r) => r.id)).not.toContain('security-auditor');
    expect(result.config.assignments).toMatchObject({ auditor: 'mini' });
    expect(result.config.assignments).not.toHaveProperty('security-auditor');
  });

  it('keeps the id of the role being edited from counting as a duplicate', () => {
    const config = aRolesView().withCustomRole({ id: 'security-auditor' }).build().config;
    const role = config.roles.find((r) => r.id === 'security-auditor')!;
    expect(updateCustomRole(config, 'security-auditor', { ...formFromRole(role), description: 'New words.' }).ok).toBe(true);
  });

  it('refuses to edit a built-in role as a custom one', () => {
    expect(updateCustomRole(aRolesView().build().config, 'debugger', auditorForm({ id: 'debugger' })).ok).toBe(false);
  });

  it('removes a custom role together with its assignment', () => {
    const config = aRolesView().withCustomRole({ id: 'security-auditor' }, 'mini').build().config;
    const result = removeCustomRole(config, 'security-auditor');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.roles.some((r) => r.id === 'security-auditor')).toBe(false);
    expect(result.config.assignments).not.toHaveProperty('security-auditor');
  });

  it('never removes a built-in role', () => {
    const result = removeCustomRole(aRolesView().build().config, 'debugger');
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/built-in/) });
  });

  it('splits lists on commas and lines, dropping blanks and repeats', () => {
    expect(parseList('a, b\n\n c ,a,')).toEqual(['a', 'b', 'c']);
  });
});

describe('sortIssues', () => {
  it('puts errors before warnings and keeps the host order within each', () => {
    const sorted = sortIssues([
      { severity: 'warning', code: 'w1', message: 'w1' },
      { severity: 'error', code: 'e1', message: 'e1' },
      { severity: 'warning', code: 'w2', message: 'w2' },
      { severity: 'error', code: 'e2', message: 'e2' },
    ]);
    expect(sorted.map((i) => i.code)).toEqual(['e1', 'e2', 'w1', 'w2']);
  });
});
