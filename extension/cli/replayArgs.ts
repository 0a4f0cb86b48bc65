import fs from 'node:fs';
import path from 'node:path';
import { checkedReportPath } from './taskInput';
import { UsageError } from './usageError';

/** `replay`: re-drives a recorded run from its replies, with no model call, into a new run folder. */
export interface ReplayArgs {
  command: 'replay';
  workspace: string;
  runId: string;
  reportFile?: string;
  /** The roles the run was made with, when they were not the built-in simulated ones. */
  rolesFile?: string;
  quiet: boolean;
}

const REPLAY_FLAGS = ['workspace', 'run', 'report', 'roles', 'quiet'];

export function replayArgs(values: Record<string, unknown>, extra: string[]): ReplayArgs {
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
  const other = Object.keys(values).find((flag) => !REPLAY_FLAGS.includes(flag));
  if (other !== undefined) throw new UsageError(`--${other} is not an option of replay (it takes --workspace, --run, --report, --roles and --quiet).`);
  const workspaceFlag = values.workspace as string | undefined;
  const run = values.run as string | undefined;
  if (!workspaceFlag) throw new UsageError('--workspace is required.');
  if (run === undefined) throw new UsageError('replay needs --run ID: the recorded run to replay.');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(run)) throw new UsageError(`--run takes a run id (run-…), not "${run}".`);
  const workspace = path.resolve(workspaceFlag);
  if (!fs.existsSync(workspace) || !fs.statSync(workspace).isDirectory()) throw new UsageError(`The workspace ${workspace} does not exist or is not a folder.`);
  const report = values.report as string | undefined;
  const roles = values.roles as string | undefined;
  return { command: 'replay', workspace, runId: run, quiet: values.quiet === true, ...(report ? { reportFile: checkedReportPath(report) } : {}), ...(roles ? { rolesFile: path.resolve(roles) } : {}) };
}
