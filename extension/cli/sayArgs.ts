import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './usageError';

/** `say`: a message to the Organiser of a workspace's running or paused run, or an answer to one of its proposals. */
export interface SayArgs {
  command: 'say';
  workspace: string;
  runId?: string;
  /** The message, or the proposal answered (`--apply p1` / `--dismiss p1`). */
  message: { kind: 'say'; text: string } | { kind: 'proposal'; proposalId: string; apply: boolean };
}

const SAY_FLAGS = ['workspace', 'run', 'apply', 'dismiss'];

export function sayArgs(values: Record<string, unknown>, extra: string[]): SayArgs {
  const other = Object.keys(values).find((flag) => !SAY_FLAGS.includes(flag));
  if (other !== undefined) throw new UsageError(`--${other} is not an option of say (it takes --workspace, --run, --apply and --dismiss).`);
  const workspaceFlag = values.workspace as string | undefined;
  if (!workspaceFlag) throw new UsageError('--workspace is required.');
  const workspace = path.resolve(workspaceFlag);
  if (!fs.existsSync(workspace) || !fs.statSync(workspace).isDirectory()) throw new UsageError(`The workspace ${workspace} does not exist or is not a folder.`);
  const run = values.run as string | undefined;
  if (run !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(run)) throw new UsageError(`--run takes a run id (run-…), not "${run}".`);
  const apply = values.apply as string | undefined;
  const dismiss = values.dismiss as string | undefined;
  const proposal = apply ?? dismiss;
  const base = { command: 'say' as const, workspace, ...(run !== undefined ? { runId: run } : {}) };
  if (proposal !== undefined) {
    if (apply !== undefined && dismiss !== undefined) throw new UsageError('Give --apply or --dismiss, not both.');
    if (extra.length > 0) throw new UsageError('--apply and --dismiss answer a proposal; they take no message.');
    if (!/^p\d{1,6}$/.test(proposal)) throw new UsageError(`A proposal id looks like p1, not "${proposal}".`);
    return { ...base, message: { kind: 'proposal', proposalId: proposal, apply: apply !== undefined } };
  }
  const text = extra.join(' ').trim();
  if (text === '') throw new UsageError('say needs a message, e.g. kilo-orchestra say --workspace DIR "skip the docs".');
  if (text.length > 4000) throw new UsageError(`The message is ${text.length} characters; at most 4000 are taken.`);
  return { ...base, message: { kind: 'say', text } };
}
