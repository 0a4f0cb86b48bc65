/*
 * Resume, Show and Discard of a run the window did not start (interrupted, paused, or cut off):
 * the one implementation behind the activation offer, the commands and the dashboard's buttons.
 * Failures are thrown in user words; each caller shows them its own way.
 */
import * as vscode from 'vscode';
import type { UnfinishedRunControls } from '../dashboard/dashboardDeps';
import { SimulatedBackend } from '../engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../engine/roles/rolesConfigFile';
import { resolveRoles, type RoleResolution } from '../engine/roles/roleValidation';
import { discardRun } from '../engine/run/discardRun';
import type { RunSnapshot } from '../engine/run/runStateStore';
import { describeUnfinished, findUnfinishedRuns, runFolder, unfinishedRun, type UnfinishedRun } from '../engine/run/unfinishedRuns';
import { OrchestraError } from '../engine/util/errors';
import type { ResumeFrom, RunController } from './runController';
import type { RunLog } from './runLog';
import type { RunRuntime, RunSession } from './runSession';

export interface UnfinishedRunDeps {
  controller: Pick<RunController, 'live' | 'start' | 'showRunFolder' | 'source'>;
  log: RunLog;
  /** The user's roles configuration, for a run that ran on Kilo. */
  roles: { resolution(): RoleResolution };
}

/** The open folder on disk, or a refusal that says what to do. */
export function workspaceOrThrow(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') throw new OrchestraError('invalid-config', 'Kilo Orchestra needs the folder of the run open on disk.', { hint: 'Open the folder the run worked in, then try again.' });
  return folder.uri.fsPath;
}

/** The runs of this workspace that can be continued and that no live process holds. */
export async function resumableRuns(workspace: string, log: RunLog): Promise<UnfinishedRun[]> {
  const { runs, problems } = await findUnfinishedRuns(workspace);
  for (const problem of problems) log.warn(`A run folder could not be read and is not offered: ${problem}`);
  return runs.filter((run) => !run.live);
}

/**
 * Continues the run in this window on the runtime it ran on (a simulated run on simulated agents,
 * a Kilo run on Kilo with the user's roles). Resolves with the session once it has started, or
 * undefined when the controller could not start it (it has told the user why).
 */
export async function resumeUnfinishedRun(deps: UnfinishedRunDeps, runId: string): Promise<RunSession | undefined> {
  if (deps.controller.live) throw new OrchestraError('workspace-busy', 'A task is already running in this window.', { hint: 'Cancel it or let it finish, then resume the other run.' });
  const snapshot = await unfinishedRun(workspaceOrThrow(), runId);
  const { roles, runtime } = runtimeFor(snapshot, deps.roles);
  for (const [role, profileId] of Object.entries(snapshot.profiles)) {
    const now = roles.assignments[role];
    if (now !== profileId) deps.log.warn(`${role} ran on profile ${profileId} and now runs on ${now ?? 'none'}.`, { runId: snapshot.runId });
  }
  const resume: ResumeFrom = { snapshot, ...(runtime ? { runtime } : {}) };
  return deps.controller.start(snapshot.task, roles, resume);
}

/** Opens the dashboard on the run's folder. */
export async function showUnfinishedRun(deps: UnfinishedRunDeps, runId: string): Promise<void> {
  await deps.controller.showRunFolder(runFolder(workspaceOrThrow(), runId));
}

/** Ends the run for good on disk; a dashboard showing it from disk is redrawn with its new state. */
export async function discardUnfinishedRun(deps: UnfinishedRunDeps, runId: string): Promise<RunSnapshot> {
  const workspace = workspaceOrThrow();
  const ended = await discardRun(workspace, runId);
  deps.log.info(`Run ${runId} discarded by the user; it will not be offered or resumed again.`, { runId });
  if (!deps.controller.live && deps.controller.source().state().run?.runId === runId) await deps.controller.showRunFolder(runFolder(workspace, runId), { reveal: false });
  return ended;
}

/** The run named, or the one the user picks among the resumable ones (the only one is taken when `single`). */
export async function chooseRun(deps: UnfinishedRunDeps, purpose: 'resume' | 'discard', runId?: string): Promise<string | undefined> {
  if (runId !== undefined) return runId;
  const runs = await resumableRuns(workspaceOrThrow(), deps.log);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(`There is no unfinished run in this workspace to ${purpose}.`);
    return undefined;
  }
  if (runs.length === 1 && purpose === 'resume') return runs[0]!.runId;
  const items = runs.map((run) => ({ runId: run.runId, label: run.runId, detail: describeUnfinished(run) }));
  const picked = await vscode.window.showQuickPick(items, { title: purpose === 'resume' ? 'Resume Run' : 'Discard Run', placeHolder: purpose === 'resume' ? 'Which run should go on?' : 'Which run should be ended for good? Its files and artifacts stay.' });
  return picked?.runId;
}

function runtimeFor(snapshot: RunSnapshot, userRoles: { resolution(): RoleResolution }): { roles: RoleResolution; runtime?: ResumeFrom['runtime'] } {
  if (snapshot.backend === 'simulated') {
    // Deterministic agents in this process: what the run ran on, with the roles it ran with.
    const runtime = async (): Promise<RunRuntime> => {
      const backend = new SimulatedBackend();
      return { backend, description: 'simulated agents', dispose: () => backend.dispose() };
    };
    return { roles: resolveRoles(simulatedRolesConfig()), runtime };
  }
  if (snapshot.backend !== 'kilo') {
    throw new OrchestraError('invalid-input', `Run ${snapshot.runId} ran on "${snapshot.backend}", which this window cannot continue.`, { hint: `Continue it with: kilo-orchestra resume --run ${snapshot.runId} --backend simulated (or kilo).` });
  }
  const roles = userRoles.resolution();
  if (roles.errors.length > 0) {
    throw new OrchestraError('invalid-config', `The agent roles need fixing before run ${snapshot.runId} can go on: ${roles.errors.map((issue) => issue.message).join(' ')}`, { hint: 'Open "Kilo Orchestra: Configure Agent Roles".' });
  }
  return { roles };
}

/** The dashboard's Resume and Discard buttons: the same code as the commands, refusals in user words. */
export function dashboardUnfinishedControls(deps: UnfinishedRunDeps): UnfinishedRunControls {
  return {
    resume: async (runId) => {
      // A start that fails has told the user why in a notification; the button says so too.
      if (!(await resumeUnfinishedRun(deps, runId))) throw new OrchestraError('backend-unavailable', `Run ${runId} did not start again; the notification says why.`);
    },
    discard: async (runId) => {
      await discardUnfinishedRun(deps, runId);
    },
  };
}
