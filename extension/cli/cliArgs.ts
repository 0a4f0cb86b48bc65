import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ProviderLimits } from '../engine/agents/providerScheduler';
import type { Budgets } from '../engine/run/budget';
import { budgetsFrom } from './budgetArgs';
import { providerLimitsFrom } from './providerLimitArgs';
import { modelAssignments } from './modelArgs';
import { replayArgs, type ReplayArgs } from './replayArgs';
import { sayArgs, type SayArgs } from './sayArgs';
import { UsageError } from './usageError';
import { TASK_LIMIT, checkedReportPath, taskFrom } from './taskInput';

export interface RunArgs {
  command: 'run';
  task: string;
  workspace: string;
  backend: 'simulated' | 'kilo';
  rolesFile?: string;
  reportFile?: string;
  maxAgents: number;
  simFiles: number;
  simLatencyMs: number;
  /** `--kilo-path`: the kilo binary to use. */
  kiloPath?: string;
  /** `--model ROLE=provider/model`: real models per role (kilo backend); none means the scripted model. */
  models: Record<string, { providerID: string; modelID: string }>;
  quiet: boolean;
  /** `--budget-usd`, `--role-budget ROLE=USD`: the run pauses before a turn would pass one. */
  budgets?: Budgets;
  /** `--provider-limit PROVIDER=N/M`: caps on model requests per provider, over the defaults. */
  providerLimits?: ProviderLimits;
}

/** `resume`: continues an unfinished (paused or crashed) run of the workspace; `backend` and `budgets` default to the run's own. */
export interface ResumeArgs extends Omit<RunArgs, 'command' | 'task' | 'backend'> {
  command: 'resume';
  runId?: string;
  backend?: RunArgs['backend'];
}

/** `rollback`: lists a run's checkpoints, or restores checkpoint `to` (1 is before the run). */
export interface RollbackArgs {
  command: 'rollback';
  workspace: string;
  runId?: string;
  to?: number;
}

export type CliArgs = RunArgs | ResumeArgs | RollbackArgs | ReplayArgs | SayArgs | { command: 'help' } | { command: 'version' };

// Its own file, so that the flag parsers beside this one can throw it without an import cycle.
export { UsageError } from './usageError';

export const USAGE = `Usage: kilo-orchestra run --task TEXT --workspace DIR [options]
       kilo-orchestra resume --workspace DIR [--run ID] [options]
       kilo-orchestra rollback --workspace DIR [--run ID] [--to N]
       kilo-orchestra replay --workspace DIR --run ID [--report FILE] [--roles FILE]
       kilo-orchestra replay --workspace DIR --run ID --fork-at N [--model ROLE=PROVIDER/MODEL] [--backend simulated|kilo]
       kilo-orchestra say --workspace DIR [--run ID] "MESSAGE"       (to the Organiser of a running or paused run)
       kilo-orchestra say --workspace DIR [--run ID] --apply|--dismiss PROPOSAL

Options:
  --task-file FILE           read the task from a UTF-8 file (for long tasks; limit ${TASK_LIMIT} characters)
  --backend simulated|kilo   agent runtime (default: simulated)
  --roles FILE               roles, profiles and assignments (JSON)
  --report FILE              write the JSON run report here
  --max-agents N             most agents working at once (default: 4)
  --sim-files N              simulated backend: files in the plan (default: 6)
  --sim-latency-ms N         simulated backend: latency of each agent turn (default: 0)
  --kilo-path FILE           kilo backend: the kilo binary (default: the Kilo extension's, then PATH)
  --model ROLE=PROVIDER/MODEL  kilo backend: the model a role runs on (repeatable); with none,
                             every role runs on the scripted offline model
  --budget-usd N             pause before a turn would take the run past N US dollars
  --role-budget ROLE=USD     the same for one role (repeatable)
  --provider-limit P=N/M     at most N requests at once and M a minute to provider P
                             (repeatable; known providers have conservative defaults)
  --run ID                   resume: the run to continue (default: the newest unfinished one);
                             rollback: the run whose checkpoints to use (default: the newest);
                             replay: the recorded run to re-drive, with no model call
  --to N                     rollback: restore checkpoint N (1 is before the run); without it,
                             the run's checkpoints are listed
  --fork-at N                replay: replay the run up to its Nth transition (its Nth phase change,
                             as state.json's "transitions" counts them and the progress lines show
                             them, 1 is IDLE → PLANNING) into a new run <id>-fork-<n>, then go on
                             live there (on --backend, the run's own by default) with the roles
                             --model changes; --max-agents, --sim-* and --kilo-path apply to the live part
  --quiet                    no live progress, only the final line
  -h, --help                 show this help
  --version                  print the version`;

export function parseCliArgs(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        task: { type: 'string' },
        'task-file': { type: 'string' },
        workspace: { type: 'string' },
        backend: { type: 'string' },
        roles: { type: 'string' },
        report: { type: 'string' },
        'max-agents': { type: 'string' },
        'sim-files': { type: 'string' },
        'sim-latency-ms': { type: 'string' },
        'kilo-path': { type: 'string' },
        model: { type: 'string', multiple: true },
        'budget-usd': { type: 'string' },
        'role-budget': { type: 'string', multiple: true },
        'provider-limit': { type: 'string', multiple: true },
        run: { type: 'string' },
        to: { type: 'string' },
        'fork-at': { type: 'string' },
        apply: { type: 'string' },
        dismiss: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError(firstLine(error instanceof Error ? error.message : String(error)));
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  const [command, ...extra] = positionals;
  if (values.to !== undefined && command !== 'rollback') throw new UsageError('--to is an option of rollback.');
  if (values['fork-at'] !== undefined && command !== 'replay') throw new UsageError('--fork-at is an option of replay.');
  if (command === 'resume') {
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
    if (values.task !== undefined || values['task-file'] !== undefined) throw new UsageError('resume continues the saved task; --task is not taken.');
    if (values.run !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(values.run)) throw new UsageError(`--run takes a run id (run-…), not "${values.run}".`);
    const { command: _run, task: _task, backend, ...common } = commonArgs({ ...values, task: 'resume' }, values.backend);
    return { command: 'resume', ...common, ...(values.backend ? { backend } : {}), ...(values.run ? { runId: values.run } : {}) };
  }
  if (command === 'rollback') return rollbackArgs(values, extra);
  if (command === 'replay') return replayArgs(values, extra);
  if (command === 'say') return sayArgs(values, extra);
  if (values.apply !== undefined || values.dismiss !== undefined) throw new UsageError('--apply and --dismiss are options of say.');
  if (values.run !== undefined) throw new UsageError('--run is an option of resume.');
  if (command !== 'run') throw new UsageError(command ? `Unknown command "${command}"; the commands are "run", "resume", "rollback" and "say" (and "replay", to re-drive a recorded run).` : 'Missing command; try: kilo-orchestra run --task TEXT --workspace DIR');
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
  return commonArgs({ ...values, task: taskFrom(values.task, values['task-file']) }, values.backend ?? 'simulated');
}

function rollbackArgs(values: Record<string, unknown>, extra: string[]): RollbackArgs {
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
  const other = Object.keys(values).find((flag) => !['workspace', 'run', 'to'].includes(flag));
  if (other !== undefined) throw new UsageError(`--${other} is not an option of rollback (it takes --workspace, --run and --to).`);
  const run = values.run as string | undefined;
  const to = values.to as string | undefined;
  if (run !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(run)) throw new UsageError(`--run takes a run id (run-…), not "${run}".`);
  if (to !== undefined && !/^[1-9]\d{0,5}$/.test(to)) throw new UsageError(`--to takes a checkpoint number (1 is before the run), not "${to}".`);
  const { workspace } = commonArgs({ workspace: values.workspace as string | undefined, task: 'rollback' }, undefined);
  return { command: 'rollback', workspace, ...(run !== undefined ? { runId: run } : {}), ...(to !== undefined ? { to: Number(to) } : {}) };
}

/** The flags `run` and `resume` share, as parseArgs gives them. */
interface ParsedValues {
  workspace?: string;
  roles?: string;
  report?: string;
  'max-agents'?: string;
  'sim-files'?: string;
  'sim-latency-ms'?: string;
  'kilo-path'?: string;
  model?: string[];
  quiet?: boolean;
  'budget-usd'?: string;
  'role-budget'?: string[];
  'provider-limit'?: string[];
}

function commonArgs(values: ParsedValues & { task: string }, backendFlag: string | undefined): RunArgs {
  if (!values.workspace) throw new UsageError('--workspace is required.');
  const workspace = path.resolve(values.workspace);
  if (!fs.existsSync(workspace) || !fs.statSync(workspace).isDirectory()) throw new UsageError(`The workspace ${workspace} does not exist or is not a folder.`);
  const backend = backendFlag ?? 'simulated';
  if (backend !== 'simulated' && backend !== 'kilo') throw new UsageError(`--backend must be "simulated" or "kilo", not "${backend}".`);
  return {
    command: 'run',
    task: values.task.trim(),
    workspace,
    backend,
    rolesFile: values.roles ? path.resolve(values.roles) : undefined,
    reportFile: values.report ? checkedReportPath(values.report) : undefined,
    maxAgents: integer('--max-agents', values['max-agents'], 4, 1, 32),
    simFiles: integer('--sim-files', values['sim-files'], 6, 1, 5000),
    simLatencyMs: integer('--sim-latency-ms', values['sim-latency-ms'], 0, 0, 600_000),
    kiloPath: values['kilo-path'] ? path.resolve(values['kilo-path']) : undefined,
    models: modelAssignments(values.model ?? []),
    quiet: values.quiet ?? false,
    budgets: budgetsFrom(values['budget-usd'], values['role-budget'] ?? []),
    providerLimits: providerLimitsFrom(values['provider-limit'] ?? []),
  };
}

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`${flag} takes a whole number, not "${raw}".`);
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`${flag} must be between ${min} and ${max}.`);
  return value;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
