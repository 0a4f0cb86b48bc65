import type { AgentRecord } from '../agents/agentSchema';
import type { WorkRequest } from '../backends/agentBackend';
import { OrchestraError } from '../util/errors';

const NO_ANSWER = 'The agent gave no readable answer. Ask again, or look at its transcript in the dashboard.';

/**
 * A user's message to one agent, as a `chat` request in that agent's own session (so it answers
 * with what it already knows of its work). It grants no files: talking never changes the workspace.
 */
export function talkRequest(agent: AgentRecord, text: string, sequence: number): WorkRequest {
  const prompt = [
    `The user is watching the run and sends you (${agent.id}, role ${agent.role}) this message:`,
    text,
    'Answer briefly and in plain words. Do not change any file for this message. Reply with JSON {"answer": "..."}.',
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
