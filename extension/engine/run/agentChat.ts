import type { AgentRecord } from '../agents/agentSchema';
import type { WorkRequest } from '../backends/agentBackend';
import { OrchestraError } from '../util/errors';
import { dataBlock } from './promptInputs';

const NO_ANSWER = 'The agent gave no readable answer. Ask again, or look at its transcript in the dashboard.';

/** What an agent is told of the run when the user talks to it: enough to answer without its work's own prompt. */
export interface TalkContext {
  /** The run's phase in words ("Writing the code"). */
  phase: string;
  task: string;
  /** The files of the plan this agent has worked on or owns, if any. */
  files: string[];
}

/**
 * A user's message to one agent, as a `chat` request in that agent's own session (so it answers
 * with what it already knows of its work), with the run's phase, the task and the agent's files.
 * An agent with nothing to do is asked to say what it could do. It grants no files: talking never
 * changes the workspace.
 */
export function talkRequest(agent: AgentRecord, text: string, sequence: number, context?: TalkContext): WorkRequest {
  const about = context
    ? [
        `The run's task: ${context.task.split('\n')[0]!.slice(0, 300)}`,
        `The run is now: ${context.phase}.`,
        `You are ${agent.id} (role ${agent.role}), ${agent.status}${agent.currentStep ? `, ${agent.currentStep}` : ''}, after ${agent.turns} turn${agent.turns === 1 ? '' : 's'}.`,
        context.files.length > 0 ? `Your files: ${context.files.slice(0, 20).join(', ')}${context.files.length > 20 ? ` and ${context.files.length - 20} more` : ''}.` : 'No file of the plan is yours.',
      ].join('\n')
    : `You are ${agent.id} (role ${agent.role}).`;
  const prompt = [
    about,
    `The user is watching the run and sends you (${agent.id}, role ${agent.role}) this message:`,
    dataBlock('the user message', text),
    'Answer briefly and in plain words. If you have no work now, say what you could do for this run instead. Do not change any file for this message. Reply with JSON {"answer": "..."}.',
  ].join('\n\n');
  return { workId: `talk-${agent.id}-${sequence}`, kind: 'chat', prompt, grants: [], inputs: [], detail: { message: text, agentId: agent.id } };
}

/** Why `agent` cannot be talked to now, as an error; undefined when it can. */
export function talkProblem(agentId: string, agent: AgentRecord | undefined, runEnded: boolean): OrchestraError | undefined {
  if (!agent) return new OrchestraError('unknown-recipient', `There is no agent ${agentId} in this run.`, { hint: 'Pick one of the agents shown in the dashboard.' });
  if (runEnded || agent.status === 'terminated') {
    return new OrchestraError('recipient-terminated', `${agentId} has finished and no longer takes messages.`, { hint: 'Ask the Organiser instead.' });
  }
  return undefined;
}

/** The answer text of a chat reply: `answer`, else `summary`, also when the JSON came as text. */
export function readAnswer(output: unknown): string {
  return answerIn(output) ?? NO_ANSWER;
}

function answerIn(output: unknown): string | undefined {
  if (typeof output === 'string') {
    const trimmed = output.trim();
    if (trimmed === '') return undefined;
    if (!trimmed.startsWith('{')) return output;
    try {
      return answerIn(JSON.parse(trimmed)) ?? output;
    } catch {
      return output;
    }
  }
  if (typeof output !== 'object' || output === null) return undefined;
  for (const key of ['answer', 'summary'] as const) {
    const value = (output as Record<string, unknown>)[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return undefined;
}
