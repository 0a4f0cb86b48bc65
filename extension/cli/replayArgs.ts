import fs from 'node:fs';
import path from 'node:path';
import { modelAssignments, type ModelAssignments } from './modelArgs';
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
  /** `--fork-at N`: replay transitions 1..N into a new run, then go on live. */
  fork?: ForkArgs;
}

/** Where and how a fork's live part runs. */
export interface ForkArgs {
  /** The transition (1-based, as state.json counts them) after which the live backend answers. */
  atTransition: number;
  /** The live part's runtime; the recorded run's own by default. */
  backend?: 'simulated' | 'kilo';
  /** The changed assignments (`--model ROLE=PROVIDER/MODEL`). */
  models: ModelAssignments;
  maxAgents: number;
  simFiles: number;
  simLatencyMs: number;
  kiloPath?: string;
}

const REPLAY_FLAGS = ['workspace', 'run', 'report', 'roles', 'quiet'];
/** Flags only a fork takes: they say how its live part runs. */
const FORK_FLAGS = ['fork-at', 'model', 'backend', 'max-agents', 'sim-files', 'sim-latency-ms', 'kilo-path'];

export function replayArgs(values: Record<string, unknown>, extra: string[]): ReplayArgs {
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
  const forking = values['fork-at'] !== undefined;
  const other = Object.keys(values).find((flag) => !REPLAY_FLAGS.includes(flag) && !(forking && FORK_FLAGS.includes(flag)));
  if (other !== undefined && FORK_FLAGS.includes(other)) throw new UsageError(`--${other} is an option of a fork: pass --fork-at N too.`);
  if (other !== undefined) throw new UsageError(`--${other} is not an option of replay (it takes --workspace, --run, --report, --roles, --quiet and, for a fork, --fork-at, --model, --backend, --max-agents).`);
  const workspaceFlag = values.workspace as string | undefined;
  const run = values.run as string | undefined;
  if (!workspaceFlag) throw new UsageError('--workspace is required.');
  if (run === undefined) throw new UsageError('replay needs --run ID: the recorded run to replay.');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(run)) throw new UsageError(`--run takes a run id (run-…), not "${run}".`);
  const workspace = path.resolve(workspaceFlag);
  if (!fs.existsSync(workspace) || !fs.statSync(workspace).isDirectory()) throw new UsageError(`The workspace ${workspace} does not exist or is not a folder.`);
  const report = values.report as string | undefined;
  const roles = values.roles as string | undefined;
  const fork = forking ? forkArgs(values) : undefined;
  return { command: 'replay', workspace, runId: run, quiet: values.quiet === true, ...(report ? { reportFile: checkedReportPath(report) } : {}), ...(roles ? { rolesFile: path.resolve(roles) } : {}), ...(fork ? { fork } : {}) };
}

function forkArgs(values: Record<string, unknown>): ForkArgs {
  const at = values['fork-at'] as string;
  if (!/^[1-9]\d{0,5}$/.test(at)) throw new UsageError(`--fork-at takes a transition number (1 is the first phase change), not "${at}".`);
  const backend = values.backend as string | undefined;
  if (backend !== undefined && backend !== 'simulated' && backend !== 'kilo') throw new UsageError(`--backend must be "simulated" or "kilo", not "${backend}".`);
  const kiloPath = values['kilo-path'] as string | undefined;
  return {
    atTransition: Number(at),
    ...(backend ? { backend } : {}),
    models: modelAssignments((values.model as string[] | undefined) ?? []),
    maxAgents: integer('--max-agents', values['max-agents'], 4, 1, 32),
    simFiles: integer('--sim-files', values['sim-files'], 6, 1, 5000),
    simLatencyMs: integer('--sim-latency-ms', values['sim-latency-ms'], 0, 0, 600_000),
    ...(kiloPath ? { kiloPath: path.resolve(kiloPath) } : {}),
  };
}

function integer(flag: string, raw: unknown, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new UsageError(`${flag} takes a whole number, not "${String(raw)}".`);
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`${flag} must be between ${min} and ${max}.`);
  return value;
}
