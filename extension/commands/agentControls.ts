import * as vscode from 'vscode';
import type { AgentRecord } from '../engine/agents/agentSchema';
import { describeError } from '../engine/util/errors';
import { agentIdDisplayName } from '../protocol/vocabulary';
import type { CommandDeps } from './commandDeps';
import { liveSession } from './runControls';

/** From code or the Agents view's menu (its agent item carries `agentId`): skips the picker. */
export interface AgentControlArgs {
  agentId: string;
}

/** Pauses one agent while the rest of the team goes on; its work waits for it. */
export function pauseAgent(deps: CommandDeps, args?: AgentControlArgs): Promise<void> {
  return controlAgent(deps, args, 'pause');
}

export function resumeAgent(deps: CommandDeps, args?: AgentControlArgs): Promise<void> {
  return controlAgent(deps, args, 'resume');
}

async function controlAgent(deps: CommandDeps, args: AgentControlArgs | undefined, doing: 'pause' | 'resume'): Promise<void> {
  const session = liveSession(deps, `to ${doing} an agent of`);
  if (!session) return;
  const candidates = session.talkableAgents().filter((agent) => (doing === 'pause' ? agent.status !== 'paused' : agent.status === 'paused'));
  const agentId = args?.agentId ?? (await pick(candidates, doing, session.roleNaming));
  if (!agentId) {
    if (candidates.length === 0) void vscode.window.showInformationMessage(doing === 'pause' ? 'No agent is working to pause.' : 'No agent is paused.');
    return;
  }
  const name = agentIdDisplayName(agentId, session.roleNaming);
  try {
    await (doing === 'pause' ? session.pauseAgent(agentId) : session.resumeAgent(agentId));
    void vscode.window.showInformationMessage(doing === 'pause' ? `${name} is paused; its work waits for it while the rest of the team goes on.` : `${name} goes on with its work.`);
  } catch (error) {
    void vscode.window.showErrorMessage(`Could not ${doing} ${name}: ${describeError(error)}`);
  }
}

async function pick(agents: AgentRecord[], doing: 'pause' | 'resume', naming: Parameters<typeof agentIdDisplayName>[1]): Promise<string | undefined> {
  if (agents.length === 0) return undefined;
  const items = agents.map((agent) => ({ agentId: agent.id, label: agentIdDisplayName(agent.id, naming), description: agent.status, ...(agent.currentStep ? { detail: agent.currentStep } : {}) }));
  const picked = await vscode.window.showQuickPick(items, { title: doing === 'pause' ? 'Pause Agent' : 'Resume Agent', placeHolder: doing === 'pause' ? 'Which agent should stop? The rest of the team goes on.' : 'Which agent should go on?' });
  return picked?.agentId;
}
