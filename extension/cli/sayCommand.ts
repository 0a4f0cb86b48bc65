import { awaitAnswer, postToMailbox, type MailboxAnswer } from '../engine/run/runMailbox';
import { findUnfinishedRuns } from '../engine/run/unfinishedRuns';
import { OrchestraError } from '../engine/util/errors';
import { shellWord } from './continueHint';
import type { SayArgs } from './sayArgs';

/** How long `say` waits for a running run to answer; the message stays and is answered anyway. */
const ANSWER_WAIT_MS = 10 * 60_000;

/**
 * `kilo-orchestra say`: a message to the Organiser of the workspace's running run (answered while
 * this waits), or of a paused one (kept in its mailbox and answered when it is resumed).
 */
export async function sayCommand(args: SayArgs, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { runs, problems } = await findUnfinishedRuns(args.workspace);
  const run = args.runId === undefined ? runs[0] : runs.find((candidate) => candidate.runId === args.runId);
  if (!run) {
    const why = args.runId === undefined ? `No run of ${args.workspace} is running or paused` : `Run ${args.runId} of ${args.workspace} is not running or paused`;
    const more = problems.length > 0 ? ` (${problems.length} run folder${problems.length === 1 ? '' : 's'} could not be read: ${problems[0]})` : '';
    throw new OrchestraError('invalid-input', `${why}${more}.`, { hint: `Start one with: kilo-orchestra run --workspace ${shellWord(args.workspace)} --task "…"` });
  }
  const id = await postToMailbox(run.runDir, args.message);
  if (!run.live) {
    out.write(`Run ${run.runId} is ${run.kind}; the message waits in its mailbox and the Organiser answers it when the run continues:\n  kilo-orchestra resume --workspace ${shellWord(args.workspace)} --run ${run.runId}\n`);
    return 0;
  }
  const waiting = new AbortController();
  const timer = setTimeout(() => waiting.abort(), ANSWER_WAIT_MS);
  const onInterrupt = () => waiting.abort();
  process.once('SIGINT', onInterrupt);
  try {
    const answer = await awaitAnswer(run.runDir, id, waiting.signal);
    out.write(`${answerLines(answer, args.workspace, run.runId).join('\n')}\n`);
    return answer.ok ? 0 : 1;
  } catch (error) {
    if (!waiting.signal.aborted) throw error;
    out.write(`No answer yet from run ${run.runId}; the message stays in its mailbox and is answered in turn (see the run's events.jsonl).\n`);
    return 1;
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', onInterrupt);
  }
}

/** The Organiser's words, then one line per action: done, not done (why), or proposed with the command that applies it. */
export function answerLines(answer: MailboxAnswer, workspace: string, runId: string): string[] {
  const lines = [answer.text];
  for (const action of answer.actions) {
    if (action.status === 'applied') lines.push(`  done: ${action.said}${action.detail ? ` — ${action.detail}` : ''}`);
    else if (action.status === 'refused') lines.push(`  not done: ${action.said}${action.detail ? ` — ${action.detail}` : ''}`);
    else {
      const target = `--workspace ${shellWord(workspace)} --run ${runId}`;
      lines.push(`  proposed (${action.proposalId ?? '?'}): ${action.said}`, `    apply: kilo-orchestra say ${target} --apply ${action.proposalId ?? ''}`, `    dismiss: kilo-orchestra say ${target} --dismiss ${action.proposalId ?? ''}`);
    }
  }
  return lines;
}
