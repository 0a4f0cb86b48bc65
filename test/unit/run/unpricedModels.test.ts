import { describe, expect, it } from 'vitest';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { unenforceableBudgets, unpricedModels } from '../../../extension/engine/run/unpricedModels';
import { buildRunReport, type ReportInput } from '../../../extension/engine/run/runReport';
import type { AgentRecord } from '../../../extension/engine/agents/agentSchema';
import { aRolesConfig } from '../roles/rolesConfigBuilder';

/** Secondary Coder on a priced model, every other role on an unpriced Kilo default. */
function mixedRoles() {
  const config = aRolesConfig().withProfile('coder', 'coder-model').assign('secondary-coder', 'coder').build();
  config.profiles[0]!.cost = { input: 0.3, output: 1.2 };
  return resolveRoles(config, { kiloDefault: { providerID: 'teamproxy', modelID: 'team-model' } });
}

describe('unpriced models', () => {
  it('lists the models of active roles that have no price, once each', () => {
    expect(unpricedModels(mixedRoles())).toEqual(['Kilo default (teamproxy/team-model)']);
  });

  it('warns that a role budget on an unpriced role, and the run budget, cannot be enforced; a priced role budget is fine', () => {
    const warnings = unenforceableBudgets(mixedRoles(), { runUsd: 5, roleUsd: { organiser: 1, 'secondary-coder': 2 } });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^The \$1 budget of Organiser cannot be enforced: its model Kilo default \(teamproxy\/team-model\) has no price/);
    expect(warnings[1]).toMatch(/^The \$5 run budget does not count Organiser, Architect, .*: their models have no price \(Kilo default \(teamproxy\/team-model\)\)/);
    expect(unenforceableBudgets(mixedRoles(), { roleUsd: { 'secondary-coder': 2 } })).toEqual([]);
  });

  it('marks the report: unpricedModels names the models agents ran on without a price, and agents show the Kilo default by name', () => {
    const roles = mixedRoles();
    const agent = (id: string, role: string, profileId: string): AgentRecord => ({ id, role, profileId, turns: 1, tokens: { input: 10, output: 2 }, costUsd: 0 }) as unknown as AgentRecord;
    const input = {
      runId: 'r', status: 'COMPLETED', backend: 'kilo', task: 't', workspace: '/w', transitions: [], artifacts: [], findings: [],
      files: { planned: 0, approved: 0 }, organiser: { turns: 0, maxContextTokens: 0, meanContextTokens: 0, ruleFallbacks: 0, budgetTokens: 0 },
      concurrency: { maxActiveAgents: 1, maxActiveLimit: 1 }, wallMs: 1, runDir: '/w/.kilo-orchestra/runs/r',
      profiles: roles.profiles,
      agents: [agent('organiser-1', 'organiser', 'kilo-default'), agent('secondary-coder-1', 'secondary-coder', 'coder')],
    } as unknown as ReportInput;
    const report = buildRunReport(input);
    expect(report.unpricedModels).toEqual(['Kilo default (teamproxy/team-model)']);
    expect(report.agents.map((a) => a.profile)).toEqual(['Kilo default (teamproxy/team-model)', 'provider/coder-model']);
    expect('unpricedModels' in buildRunReport({ ...input, agents: [agent('secondary-coder-1', 'secondary-coder', 'coder')] })).toBe(false);
  });
});
