import { describe, expect, it } from 'vitest';
import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import { resolveRoles, workflowInstances, type ConfigIssue } from '../../../extension/engine/roles/roleValidation';
import { isOrchestraError } from '../../../extension/engine/util/errors';
import { aRolesConfig } from './rolesConfigBuilder';

function codes(issues: ConfigIssue[]): string[] {
  return issues.map((issue) => issue.code);
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('resolveRoles', () => {
  it('accepts every role on its own model with no errors or warnings', () => {
    const resolution = resolveRoles(aRolesConfig().withEveryRoleOnItsOwnModel().build());
    expect(resolution.errors).toEqual([]);
    expect(resolution.warnings).toEqual([]);
    expect(resolution.roles.map((role) => role.id)).toEqual(BUILTIN_ROLES.map((role) => role.id));
    expect(resolution.roles.every((role) => role.active)).toBe(true);
  });

  it('reports a required role without a profile as an error that says to assign one', () => {
    const config = aRolesConfig().withEveryRoleOnItsOwnModel().build();
    delete config.assignments.architect;
    const { errors } = resolveRoles(config);
    expect(errors).toEqual([{ code: 'required-unassigned', roleId: 'architect', message: expect.stringMatching(/Architect .*assign/) }]);
  });

  it('reports a required role switched off as an error', () => {
    const config = aRolesConfig().withEveryRoleOnItsOwnModel().withRole({ id: 'primary-coder', active: false }).build();
    const { errors } = resolveRoles(config);
    expect(errors).toEqual([{ code: 'required-inactive', roleId: 'primary-coder', message: expect.stringMatching(/Primary Coder .*turn it back on/) }]);
  });

  it('reports an assignment to a profile that does not exist and drops it', () => {
    const config = aRolesConfig().withEveryRoleOnItsOwnModel().assign('debugger', 'nowhere').build();
    const resolution = resolveRoles(config);
    expect(codes(resolution.errors)).toEqual(['unknown-profile']);
    expect(resolution.errors[0]!.message).toMatch(/"nowhere".*pick one of: p-organiser/);
    expect(resolution.assignments.debugger).toBeUndefined();
  });

  it('reports an assignment to a role that does not exist', () => {
    const config = aRolesConfig().withEveryRoleOnItsOwnModel().assign('tester', 'p-debugger').build();
    const resolution = resolveRoles(config);
    expect(resolution.errors).toEqual([{ code: 'unknown-role', roleId: 'tester', message: expect.stringMatching(/"tester".*remove it or define the role/) }]);
    expect(resolution.assignments).not.toHaveProperty('tester');
  });

  it('reports a profile id used twice and keeps the first', () => {
    const config = aRolesConfig().withEveryRoleOnItsOwnModel().withProfile('p-architect', 'other-model').build();
    const resolution = resolveRoles(config);
    expect(codes(resolution.errors)).toEqual(['duplicate-profile']);
    expect(resolution.profiles.filter((p) => p.id === 'p-architect')).toEqual([expect.objectContaining({ modelID: 'model-p-architect' })]);
  });

  it('refuses to make a required built-in role optional or a built-in role custom', () => {
    const config = aRolesConfig()
      .withEveryRoleOnItsOwnModel()
      .withRole({ id: 'organiser', required: false })
      .withRole({ id: 'debugger', builtin: false })
      .build();
    const resolution = resolveRoles(config);
    expect(resolution.errors).toEqual([
      { code: 'builtin-locked', roleId: 'organiser', message: expect.stringContaining('"required"') },
      { code: 'builtin-locked', roleId: 'debugger', message: expect.stringContaining('"builtin"') },
    ]);
    expect(resolution.roles.find((r) => r.id === 'organiser')).toMatchObject({ required: true, builtin: true });
    expect(resolution.roles.find((r) => r.id === 'debugger')).toMatchObject({ builtin: true });
  });

  it('applies the fields an override sets and keeps every other built-in value', () => {
    const config = aRolesConfig().withEveryRoleOnItsOwnModel().withRole({ id: 'secondary-coder', instances: 3, prompt: 'Write Rust.' }).build();
    const coder = resolveRoles(config).roles.find((role) => role.id === 'secondary-coder')!;
    const builtin = BUILTIN_ROLES.find((role) => role.id === 'secondary-coder')!;
    expect(coder).toEqual({ ...builtin, instances: 3, prompt: 'Write Rust.' });
  });

  it('leaves the built-in definitions untouched', () => {
    const before = structuredClone(BUILTIN_ROLES);
    resolveRoles(aRolesConfig().withRole({ id: 'architect', name: 'Planner', capabilities: ['x'] }).build());
    expect(BUILTIN_ROLES).toEqual(before);
  });

  it('refuses a custom role without name, description and prompt, naming what is missing', () => {
    const config = aRolesConfig().withEveryRoleOnItsOwnModel().withRole({ id: 'tester', name: 'Tester' }).build();
    const resolution = resolveRoles(config);
    expect(resolution.errors).toEqual([{ code: 'custom-role-incomplete', roleId: 'tester', message: expect.stringContaining('missing description, prompt') }]);
    expect(resolution.roles.some((role) => role.id === 'tester')).toBe(false);
  });

  it('adds a complete custom role as an optional role in the custom category', () => {
    const config = aRolesConfig()
      .withEveryRoleOnItsOwnModel()
      .withRole({ id: 'security-auditor', name: 'Security Auditor', description: 'Looks for vulnerabilities.', prompt: 'Audit the code.' })
      .assign('security-auditor', 'p-code-sceptic')
      .build();
    const resolution = resolveRoles(config);
    expect(resolution.errors).toEqual([]);
    expect(resolution.roles.at(-1)).toMatchObject({ id: 'security-auditor', category: 'custom', builtin: false, required: false, active: true, instances: 1 });
    expect(resolution.resolve('security-auditor').profile.id).toBe('p-code-sceptic');
  });

  it('warns of a rate-limit risk when every active role runs on the same model', () => {
    const resolution = resolveRoles(aRolesConfig().withRequiredRolesOn('shared').build());
    expect(resolution.errors).toEqual([]);
    expect(resolution.warnings).toEqual([{ code: 'same-model-everywhere', message: expect.stringMatching(/All 4 active roles run on provider\/shared-model, a rate-limit risk/) }]);
  });

  it('does not warn about a shared model when two providers serve the same model id', () => {
    const config = aRolesConfig().withRequiredRolesOn('shared').withProfile('other', 'shared-model', 'another-provider').assign('architect', 'other').build();
    expect(resolveRoles(config).warnings).toEqual([]);
  });

  it('warns about an active optional role without a profile and treats it as inactive', () => {
    const config = aRolesConfig().withEveryRoleOnItsOwnModel().build();
    delete config.assignments['code-sceptic'];
    const resolution = resolveRoles(config);
    expect(resolution.errors).toEqual([]);
    expect(resolution.warnings).toEqual([{ code: 'optional-unassigned', roleId: 'code-sceptic', message: expect.stringMatching(/Code Sceptic .*assign a profile or switch it off/) }]);
    expect(resolution.roles.find((role) => role.id === 'code-sceptic')!.active).toBe(false);
    expect(workflowInstances(resolution)).not.toHaveProperty('code-sceptic');
  });

  it('writes every issue as one line ending in a full stop', () => {
    const config = aRolesConfig()
      .withProfile('a')
      .withProfile('a')
      .assign('ghost', 'a')
      .assign('debugger', 'missing')
      .withRole({ id: 'architect', active: false, required: false })
      .withRole({ id: 'tester' })
      .build();
    const { errors, warnings } = resolveRoles(config);
    expect(errors.length + warnings.length).toBeGreaterThanOrEqual(6);
    for (const issue of [...errors, ...warnings]) expect(issue.message).toMatch(/^[^\n]+\.$/);
  });
});

describe('workflowInstances', () => {
  it('gives every role that will run its instance count', () => {
    const config = aRolesConfig().withEveryRoleOnItsOwnModel().withRole({ id: 'debugger', active: false }).build();
    expect(workflowInstances(resolveRoles(config))).toEqual({
      organiser: 1,
      architect: 1,
      // One Primary Coder, Sceptic and Writer set, two coders: the run gives each one agent per coder (teamScaling.ts).
      'primary-coder': 2,
      'secondary-coder': 2,
      'code-sceptic': 2,
      'documentation-writer': 2,
    });
  });

  it('scales the Code Sceptic to the coders, keeps a larger number the user set, and stops at the provider limit', () => {
    const withCoders = (coders: number, sceptics = 1) => aRolesConfig().withEveryRoleOnItsOwnModel().withRole({ id: 'secondary-coder', instances: coders }).withRole({ id: 'code-sceptic', instances: sceptics }).build();
    expect(workflowInstances(resolveRoles(withCoders(4)))['code-sceptic']).toBe(4);
    expect(workflowInstances(resolveRoles(withCoders(1, 3)))['code-sceptic']).toBe(3);
    expect(workflowInstances(resolveRoles(withCoders(8)))['code-sceptic']).toBe(8);
    const resolution = resolveRoles(withCoders(6));
    const provider = resolution.profiles.find((profile) => profile.id === resolution.assignments['code-sceptic'])!.providerID;
    expect(workflowInstances(resolution, { [provider]: { maxConcurrent: 3 } })['code-sceptic']).toBe(3);
    // The coders themselves, and roles that do not work on their files, keep their numbers.
    expect(workflowInstances(resolution)).toMatchObject({ 'secondary-coder': 6, architect: 1, debugger: 1 });
  });
});

describe('RoleResolution.resolve', () => {
  const config = aRolesConfig().withEveryRoleOnItsOwnModel().withRole({ id: 'debugger', active: false }).build();
  delete config.assignments['documentation-writer'];
  const resolution = resolveRoles(config);

  it('returns the role with its profile', () => {
    const { role, profile } = resolution.resolve('architect');
    expect(role.id).toBe('architect');
    expect(profile).toMatchObject({ id: 'p-architect', modelID: 'model-p-architect' });
  });

  it.each([
    ['tester', /There is no role "tester"; use one of: organiser, architect/],
    ['debugger', /Debugger is switched off; turn it on/],
    ['documentation-writer', /Documentation Writer is switched off and has no provider profile; assign a profile/],
  ])('refuses %s with invalid-config and a readable message', (roleId, message) => {
    const error = thrown(() => resolution.resolve(roleId));
    expect(isOrchestraError(error, 'invalid-config')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses an active role that has no profile', () => {
    const broken = aRolesConfig().withEveryRoleOnItsOwnModel().build();
    delete broken.assignments.organiser;
    const error = thrown(() => resolveRoles(broken).resolve('organiser'));
    expect(isOrchestraError(error, 'invalid-config')).toBe(true);
    expect((error as Error).message).toBe('Organiser has no provider profile; assign one before starting it.');
  });
});
