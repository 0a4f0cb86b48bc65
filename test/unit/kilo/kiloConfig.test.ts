import { describe, expect, it } from 'vitest';
import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import { agentNameForRole, buildKiloConfig } from '../../../extension/kilo/kiloConfig';

describe('buildKiloConfig', () => {
  it("switches off background processes, sub-agents, scheduled wake-ups and web tools in every role's agent", () => {
    const config = buildKiloConfig({ roles: BUILTIN_ROLES, profiles: [], secret: () => undefined });
    const agents = config.agent as Record<string, { tools: Record<string, boolean> }>;
    for (const role of BUILTIN_ROLES) {
      const tools = agents[agentNameForRole(role.id)]!.tools;
      for (const tool of ['background_process', 'notebook_execute', 'schedule_wakeup', 'task', 'webfetch', 'todowrite']) expect(tools[tool], `${role.id} ${tool}`).toBe(false);
      // The shell and the file tools stay governed by each session's ruleset, not switched off here.
      for (const tool of ['bash', 'read', 'write', 'edit']) expect(tools[tool]).toBeUndefined();
    }
  });

  it('turns off Kilo\'s git snapshots, sharing and self-update on our private server', () => {
    const config = buildKiloConfig({ roles: BUILTIN_ROLES, profiles: [], secret: () => undefined });
    expect(config).toMatchObject({ snapshot: false, share: 'disabled', autoupdate: false });
  });
});
