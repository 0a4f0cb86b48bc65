import { describe, expect, it } from 'vitest';
import { scriptedRolesConfig } from '../../../extension/cli/kiloRuntime';
import { parseRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles, workflowInstances } from '../../../extension/engine/roles/roleValidation';

describe('the offline kilo run honours the roles file', () => {
  it('applies role changes and custom roles on top of the scripted profiles', () => {
    const file = parseRolesConfig(
      {
        roles: [
          { id: 'documentation-writer', active: false },
          { id: 'secondary-coder', instances: 3, prompt: 'Write small functions.' },
          { id: 'security-reviewer', name: 'Security Reviewer', description: 'Looks for holes.', prompt: 'Review for security.' },
        ],
        testCommand: 'npm test',
      },
      'roles.json',
    );
    const config = scriptedRolesConfig('http://127.0.0.1:1/v1', file);
    const roles = resolveRoles(config);

    expect(roles.errors).toEqual([]);
    const byId = new Map(roles.roles.map((role) => [role.id, role]));
    expect(byId.get('documentation-writer')!.active).toBe(false);
    expect(byId.get('secondary-coder')!.prompt).toBe('Write small functions.');
    expect(workflowInstances(roles)['secondary-coder']).toBe(3);
    expect(roles.resolve('security-reviewer').profile).toMatchObject({ providerID: 'scripted', modelID: 'security-reviewer-model' });
    expect(roles.resolve('architect').profile).toMatchObject({ providerID: 'scripted', modelID: 'architect-model' });
    expect(config.testCommand).toBe('npm test');
  });

  it('without a roles file runs every built-in role on its own scripted model', () => {
    const roles = resolveRoles(scriptedRolesConfig('http://127.0.0.1:1/v1', undefined));
    expect(roles.errors).toEqual([]);
    expect(new Set(Object.values(roles.assignments)).size).toBe(roles.roles.length);
  });
});
