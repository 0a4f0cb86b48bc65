import { describe, expect, it } from 'vitest';
import { AgentOutputSchema } from '../../../extension/engine/backends/agentOutput';
import { BUILTIN_ROLES, builtinRole } from '../../../extension/engine/roles/builtinRoles';
import { BUILTIN_ROLE_IDS, RoleDefinitionSchema } from '../../../extension/engine/roles/roleSchema';

describe('built-in roles', () => {
  it.each(BUILTIN_ROLES.map((role) => [role.id, role] as const))('%s is a complete role definition', (_id, role) => {
    // Parsing must not need to fill anything in: a built-in states every field itself.
    expect(RoleDefinitionSchema.parse(role)).toEqual(role);
    expect(role.builtin).toBe(true);
    expect(role.active).toBe(true);
    expect(role.capabilities.length).toBeGreaterThan(0);
  });

  it('defines exactly the seven roles the workflow knows', () => {
    expect(BUILTIN_ROLES.map((role) => role.id).sort()).toEqual([...BUILTIN_ROLE_IDS].sort());
  });

  it('makes organiser, architect and both coders required and the other three optional', () => {
    const required = BUILTIN_ROLES.filter((role) => role.required).map((role) => role.id);
    const optional = BUILTIN_ROLES.filter((role) => !role.required).map((role) => role.id);
    expect(required.sort()).toEqual(['architect', 'organiser', 'primary-coder', 'secondary-coder']);
    expect(optional.sort()).toEqual(['code-sceptic', 'debugger', 'documentation-writer']);
  });

  it.each([
    ['organiser', [], []],
    ['architect', [], ['plan']],
    ['code-sceptic', ['plan', 'code'], ['review']],
    ['primary-coder', ['plan'], ['pseudocode']],
    ['secondary-coder', ['pseudocode', 'review', 'test-report'], ['code']],
    ['documentation-writer', ['code'], ['documentation']],
    ['debugger', ['code'], ['test-report']],
  ])('%s takes %j and produces %j', (id, inputs, outputs) => {
    const role = builtinRole(id)!;
    expect(role.inputArtifacts).toEqual(inputs);
    expect(role.outputArtifacts).toEqual(outputs);
  });

  it('runs two secondary coders and one agent of every other role by default', () => {
    const instances = Object.fromEntries(BUILTIN_ROLES.map((role) => [role.id, role.instances]));
    expect(instances).toEqual({
      organiser: 1,
      architect: 1,
      'primary-coder': 1,
      'secondary-coder': 2,
      'code-sceptic': 1,
      'documentation-writer': 1,
      debugger: 1,
    });
  });

  it('tells every working role about the result envelope and its file grants', () => {
    const envelopeFields = Object.keys(AgentOutputSchema.shape);
    for (const role of BUILTIN_ROLES.filter((r) => r.id !== 'organiser')) {
      for (const field of envelopeFields) expect(role.prompt, `${role.id} prompt names ${field}`).toContain(`"${field}"`);
      expect(role.prompt).toMatch(/read-only/);
      expect(role.prompt).toMatch(/You receive:/);
      expect(role.prompt).toMatch(/You produce:/);
    }
  });

  it('tells the organiser to answer decisions with one of the allowed actions and never to write files', () => {
    const prompt = builtinRole('organiser')!.prompt;
    expect(prompt).toContain('"action"');
    expect(prompt).toContain('"reason"');
    expect(prompt).toMatch(/summaries/);
    expect(prompt).toMatch(/may not change any file/);
  });

  it('finds no built-in role for an unknown id', () => {
    expect(builtinRole('tester')).toBeUndefined();
  });
});
