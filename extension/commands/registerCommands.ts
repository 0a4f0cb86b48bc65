import * as vscode from 'vscode';
import type { DashboardFocus } from '../statusBar/statusBarText';
import type { StartTaskArgs } from '../testApi';
import type { CommandDeps } from './commandDeps';
import { COMMANDS, type CommandId } from './commandIds';
import { explain } from './explain';
import { rollBackToCheckpoint, type RollBackArgs } from './rollBackToCheckpoint';
import { cancel, pauseAll, resume } from './runControls';
import { setProviderKey, type SetProviderKeyArgs } from './setProviderKey';
import { startOrchestratedTask } from './startOrchestratedTask';
import { talkToAgent, type TalkToAgentArgs } from './talkToAgent';
import { pauseAgent, resumeAgent, type AgentControlArgs } from './agentControls';
import { discardRun, resumeRun, type RunIdArg } from './unfinishedRunCommands';

/** Registers every command in COMMANDS (the map's type makes a missing one a compile error). */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const handlers: Record<CommandId, (...args: any[]) => unknown> = {
    [COMMANDS.startOrchestratedTask]: (args?: StartTaskArgs) => startOrchestratedTask(deps, args),
    [COMMANDS.openDashboard]: (focus?: DashboardFocus) => deps.showDashboard(focus ?? { tab: 'run' }),
    [COMMANDS.pauseAll]: () => pauseAll(deps),
    [COMMANDS.resume]: () => resume(deps),
    [COMMANDS.cancel]: () => cancel(deps),
    [COMMANDS.configureAgentRoles]: () => deps.showDashboard({ tab: 'roles' }),
    [COMMANDS.explain]: () => explain(deps),
    [COMMANDS.talkToAgent]: (args?: TalkToAgentArgs) => talkToAgent(deps, args),
    [COMMANDS.pauseAgent]: (args?: AgentControlArgs) => pauseAgent(deps, args),
    [COMMANDS.resumeAgent]: (args?: AgentControlArgs) => resumeAgent(deps, args),
    [COMMANDS.rollBackToCheckpoint]: (args?: RollBackArgs) => rollBackToCheckpoint(deps, args),
    [COMMANDS.showLog]: () => deps.channel.show(true),
    [COMMANDS.setProviderKey]: (args?: SetProviderKeyArgs) => setProviderKey(deps, args),
    [COMMANDS.resumeRun]: (arg?: RunIdArg) => resumeRun(deps, arg),
    [COMMANDS.discardRun]: (arg?: RunIdArg) => discardRun(deps, arg),
  };
  return Object.entries(handlers).map(([id, handler]) => vscode.commands.registerCommand(id, handler));
}
