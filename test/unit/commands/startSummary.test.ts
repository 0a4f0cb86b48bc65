import { describe, expect, it } from 'vitest';
import { startDetail } from '../../../extension/commands/startSummary';
import { everyRoleOnItsOwnProfile } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import type { CostPreview } from '../../../extension/protocol/rolesView';

const cost: CostPreview = { totalUsd: 1.234, perRole: [{ roleId: 'architect', usd: 1.234, priced: true }, { roleId: 'debugger', usd: 0, priced: false }], basis: 'A 10-file task.' };

describe('startDetail', () => {
  it('lists each active role with its provider/model (and base URL for custom endpoints), then the estimate', () => {
    const roles = resolveRoles(everyRoleOnItsOwnProfile((role) => ({ id: `p-${role.id}`, label: role.name, providerID: 'scripted', modelID: `${role.id}-model`, baseURL: 'http://127.0.0.1:4000/v1' })));
    const detail = startDetail('Add overdue-loan tracking', roles, cost);

    expect(detail).toContain('Task: Add overdue-loan tracking');
    expect(detail).toContain('• Architect → scripted/architect-model at http://127.0.0.1:4000/v1');
    for (const role of roles.roles.filter((candidate) => candidate.active)) expect(detail).toContain(`• ${role.name}`);
    expect(detail).toContain('Estimated cost: about $1.23 (1 roles have no price and are not counted).');
    expect(detail).toContain('A 10-file task.');
  });

  it('shows the warnings of the resolution', () => {
    const roles = resolveRoles(everyRoleOnItsOwnProfile(() => ({ id: 'same', label: 'Same', providerID: 'openai', modelID: 'gpt-4.1' })));
    expect(roles.warnings.length).toBeGreaterThan(0);
    const detail = startDetail('t', roles, cost);
    for (const warning of roles.warnings) expect(detail).toContain(`⚠ ${warning.message}`);
  });
});

describe('startDetail with the Kilo default', () => {
  it('names a role on the fallback "Kilo default (provider/model)" and says an all-unpriced estimate is unknown, not $0.00', () => {
    const roles = resolveRoles({ profiles: [], roles: [], assignments: {} }, { kiloDefault: { providerID: 'teamproxy', modelID: 'team-model' } });
    const unpriced: CostPreview = { totalUsd: 0, perRole: roles.roles.map((role) => ({ roleId: role.id, usd: 0, priced: false })), basis: 'b' };
    const detail = startDetail('t', roles, unpriced, ['The $1 budget of Organiser cannot be enforced.']);

    expect(detail).toContain('• Organiser → Kilo default (teamproxy/team-model)');
    expect(detail).toContain('Estimated cost: unknown: no model of this run has a price');
    expect(detail).not.toContain('$0.00');
    expect(detail).toContain('⚠ The $1 budget of Organiser cannot be enforced.');
  });
});
