import type { AgentView } from '../../extension/protocol/viewModel';
import { agentDisplayName, agentIdDisplayName, type RoleNaming } from '../../extension/protocol/vocabulary';

/*
 * The dashboard's agent names, from the one vocabulary the host also uses (protocol/vocabulary.ts):
 * the host sends each agent's role name, so a role the user renamed reads the same here and there.
 */

/** "Architect", "Coder 2". */
export function agentName(agent: Pick<AgentView, 'role' | 'instance' | 'roleName'>): string {
  return agentDisplayName(agent.role, agent.instance, [{ id: agent.role, name: agent.roleName }]);
}

/** Names any party by id: an agent of the run, the Organiser, the user ("You"), else the id in words. */
export function partyNamer(agents: readonly AgentView[]): (id: string) => string {
  const roles: RoleNaming[] = agents.map((agent) => ({ id: agent.role, name: agent.roleName }));
  return (id) => {
    const agent = agents.find((candidate) => candidate.id === id);
    return agent ? agentName(agent) : agentIdDisplayName(id, roles);
  };
}
