import { describe, expect, it } from 'vitest';
import { startBlocker } from '../../../extension/config/configChecks';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { aRolesConfig } from '../roles/rolesConfigBuilder';

describe('startBlocker (checked before the task is asked for)', () => {
  it('lets a configuration with every role on the Kilo default start', () => {
    expect(startBlocker(resolveRoles(aRolesConfig().build(), { kiloDefault: { providerID: 'p', modelID: 'm' } }))).toBeUndefined();
  });

  it('says in one line what to do when roles have no model and Kilo has no default', () => {
    const line = startBlocker(resolveRoles(aRolesConfig().withProfile('coder').assign('secondary-coder', 'coder').build()));
    expect(line).toBe('Organiser, Architect and 1 more role have no model and Kilo has no default model: set "model" in Kilo (~/.config/kilo/kilo.json), or assign models in Configure Agent Roles.');
  });

  it('names the first other problem and how many more there are', () => {
    const line = startBlocker(resolveRoles(aRolesConfig().assign('architect', 'missing').assign('organiser', 'gone').build(), { kiloDefault: { providerID: 'p', modelID: 'm' } }));
    expect(line).toMatch(/^Role "architect" is assigned profile "missing", which does not exist; .* \(and 1 more in Configure Agent Roles\)$/);
    expect(line!.split('\n')).toHaveLength(1);
  });
});
