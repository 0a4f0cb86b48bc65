import * as vscode from 'vscode';
import { describeError } from '../engine/util/errors';
import { agentIdDisplayName } from '../protocol/vocabulary';
import type { CommandDeps } from './commandDeps';
import { liveSession } from './runControls';

/** Arguments when called from code: skip the pickers. */
export interface TalkToAgentArgs {
  agentId: string;
  text: string;
}

/**
 * Picks an active agent (or the Organiser), asks for the message and shows the answer; question and
 * answer also go into the dashboard's chat and the agent's transcript. The message waits behind the
 * agent's current work.
 */
export async function talkToAgent(deps: CommandDeps, args?: TalkToAgentArgs): Promise<string | undefined> {
  const session = liveSession(deps, 'to talk to');
  if (!session) return undefined;
  const agentId = args?.agentId ?? (await pickAgent(deps));
  if (!agentId) return undefined;
  const name = agentIdDisplayName(agentId, session.roleNaming);
  const text = args?.text ?? (await vscode.window.showInputBox({ title: `Talk to ${name}`, prompt: 'Your message; the answer comes after the work the agent is doing now.', ignoreFocusOut: true }));
  if (!text?.trim()) return undefined;
  try {
    const answer = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Waiting for ${name}'s answer…` }, () => session.ask(agentId, text.trim()));
    void vscode.window.showInformationMessage(`${name}: ${answer}`, 'Open Dashboard').then((choice) => {
      if (choice) deps.showDashboard({ tab: 'run', agentId });
    });
    return answer;
  } catch (error) {
    void vscode.window.showErrorMessage(`${name} could not answer: ${describeError(error)}`, 'Open Dashboard', 'Show Log').then((choice) => {
      if (choice === 'Open Dashboard') deps.showDashboard({ tab: 'run', agentId });
      if (choice === 'Show Log') deps.channel.show(true);
    });
    return undefined;
  }
}

async function pickAgent(deps: CommandDeps): Promise<string | undefined> {
  const session = deps.controller.current;
  if (!session) return undefined;
  const items: Array<vscode.QuickPickItem & { agentId: string }> = [
    { agentId: 'organiser', label: '$(organization) Organiser', description: 'the run as a whole', detail: 'Answers from a fresh summary of the run' },
    ...session.talkableAgents().map((agent) => ({
      agentId: agent.id,
      label: agentIdDisplayName(agent.id, session.roleNaming),
      description: agent.status,
      ...(agent.currentStep ? { detail: agent.currentStep } : {}),
    })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Talk to Agent', placeHolder: 'Who do you want to talk to?', matchOnDescription: true, matchOnDetail: true });
  return picked?.agentId;
}
