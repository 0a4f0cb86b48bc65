import { z } from 'zod';
import type { AgentReply, WorkRequest } from '../backends/agentBackend';
import { dataBlock, inlineData } from '../run/promptInputs';
import { countTokens, truncateToTokens } from '../tokens/tokenCounter';
import { oneLine } from './contextSections';
import { OrchestraError, describeError, isOrchestraError } from '../util/errors';
import {
  ORGANISER_ACTION_TYPES,
  OrganiserActionSchema,
  type DecisionRequest,
  type OrganiserAction,
  type OrganiserActionType,
} from '../workflow/workflowTypes';
import { CHAT_ACTIONS_PROMPT, ChatAnswerWireSchema, ChatReplyWireSchema, readChatReply, type ChatAction } from './chatReply';
import { DEFAULT_ORGANISER_BUDGET, buildOrganiserContext, type OrganiserContext, type OrganiserSnapshot } from './organiserContext';

export interface OrganiserOptions {
  /** Sends one request to the Organiser agent; rejects with `aborted` when the run pauses or stops. */
  ask: (request: WorkRequest) => Promise<AgentReply>;
  /** The run as it is now; read afresh for every question. */
  snapshot: () => OrganiserSnapshot;
  budgetTokens?: number;
  /** Invalid answers to one decision before the built-in rule decides instead. */
  maxInvalidAnswers?: number;
  log?: (entry: { event: string; data: unknown }) => void;
}

export interface OrganiserDecision {
  action: OrganiserAction;
  /** `rule` when the Organiser gave no valid answer and the built-in rule chose. */
  source: 'organiser' | 'rule';
  /** Tokens of the last context the Organiser was given for this decision. */
  contextTokens: number;
  /** Why each rejected answer was rejected, in order. */
  invalidAnswers: string[];
}

export interface OrganiserStats {
  turns: number;
  maxContextTokens: number;
  meanContextTokens: number;
}

/** What each action means, in words the Organiser agent reads next to the options. */
const ACTION_MEANINGS: Record<OrganiserActionType, string> = {
  request_plan_review: "wait for the Code Sceptic's review of the plan",
  approve_plan: 'accept the plan as it is and start building',
  revise_plan: "send the plan back to the Architect with the review's findings",
  fix_file: "send the file back to its coder with the review's findings",
  accept_file: 'approve the file as it is',
  fix_test_failures: 'send the failing files back to their coders',
  complete: 'finish the run with the work as it is',
  grant_spawn: 'start the extra agent that was asked for',
  refuse_spawn: 'carry on without the extra agent',
  escalate: 'stop and ask the user to decide',
  retry_work: 'try the failed work again as it is',
  reassign_work: 'give the failed work to the agent on another profile',
  skip_work: 'leave the failed step as it is and go on',
};

const PREAMBLE =
  'You are the Organiser of a team of agents. You see summaries of the work, never its full content. ' +
  'Everything you know about the run is below; it is current as of now.';
const QUESTION_TOKENS = 300;
const NO_ANSWER = 'The Organiser gave no readable answer. Ask again, or look at the dashboard for the current state of the run.';
const EXPLAIN = 'Explain in plain words what is happening now and what comes next.';
/** Chat exchanges carried into the next chat's context, and the tokens each side keeps there. */
const RECENT_EXCHANGES = 3;
const RECENT_SIDE_TOKENS = 60;
const USER_MESSAGE_TOKENS = 500;
/** The run's own context never shrinks below this, whatever is added next to it. */
const MIN_CONTEXT_TOKENS = 800;

interface ChatExchange {
  message: string;
  answer: string;
}

/** The Organiser's answer to a chat message and the actions it chose (not yet checked or applied). */
export interface OrganiserChatAnswer {
  text: string;
  actions: ChatAction[];
  /** Actions in the answer that could not be read, and why. */
  dropped: string[];
  contextTokens: number;
}

/**
 * The Organiser: answers the workflow's decision points and the user's chat messages. Every question
 * gets a context built fresh from the run's snapshot; no history is kept between questions.
 */
export class Organiser {
  private readonly budgetTokens: number;
  private readonly maxInvalidAnswers: number;
  private readonly contextSizes: number[] = [];
  /** The last few chat exchanges, for the next chat's context; decisions never see them. */
  private recentChat: ChatExchange[] = [];

  constructor(private readonly options: OrganiserOptions) {
    this.budgetTokens = options.budgetTokens ?? DEFAULT_ORGANISER_BUDGET;
    this.maxInvalidAnswers = options.maxInvalidAnswers ?? 2;
    if (!Number.isInteger(this.maxInvalidAnswers) || this.maxInvalidAnswers < 0) {
      throw new OrchestraError('invalid-config', `maxInvalidAnswers must be a whole number of at least 0, not ${this.maxInvalidAnswers}.`);
    }
  }

  /**
   * Asks the Organiser agent to choose one of `request.options`. An answer that is not valid JSON of
   * the action schema, or names an action outside the options, is asked again with a fresh context
   * and a line saying what was wrong; after `maxInvalidAnswers` the built-in rule's `recommended`
   * action is taken. Rejects with `aborted` when the ask is aborted.
   */
  async decide(request: DecisionRequest): Promise<OrganiserDecision> {
    const [first, ...rest] = request.options;
    if (first === undefined) throw new OrchestraError('invalid-input', `Decision ${request.id} offers no options to choose from.`);
    const responseSchema = z.toJSONSchema(OrganiserActionSchema.extend({ action: z.enum([first, ...rest]) })) as Record<string, unknown>;
    const invalidAnswers: string[] = [];
    let contextTokens = 0;
    while (invalidAnswers.length < this.maxInvalidAnswers) {
      const context = this.freshContext();
      contextTokens = context.tokens;
      const prompt = decisionPrompt(context, request, invalidAnswers.at(-1));
      let output: unknown;
      try {
        const reply = await this.options.ask({
          workId: request.id,
          kind: 'decide',
          prompt,
          grants: [],
          inputs: [],
          responseSchema,
          detail: { point: request.point, options: request.options, recommended: request.recommended, file: request.file },
        });
        output = reply.output;
      } catch (error) {
        if (isOrchestraError(error, 'aborted')) throw error;
        this.reject(request, invalidAnswers, `the request failed: ${describeError(error)}`);
        continue;
      }
      const verdict = readAction(output, request.options);
      if (typeof verdict === 'string') {
        this.reject(request, invalidAnswers, verdict);
        continue;
      }
      this.log('organiser:decided', { decision: request.id, point: request.point, action: verdict.action, reason: verdict.reason, contextTokens });
      return { action: verdict, source: 'organiser', contextTokens, invalidAnswers };
    }
    const why = invalidAnswers.length === 0 ? 'the Organiser was not asked' : `the Organiser gave no valid answer after ${invalidAnswers.length} tries (last: ${invalidAnswers.at(-1)})`;
    const action: OrganiserAction = { action: request.recommended, reason: `built-in rule: ${why}`.slice(0, 500) };
    this.log('organiser:fallback', { decision: request.id, point: request.point, action: action.action, invalidAnswers });
    return { action, source: 'rule', contextTokens, invalidAnswers };
  }

  /**
   * Answers a user's chat message from a fresh context plus the last few exchanges (summarised,
   * within the same token budget), with the actions the Organiser chose to take for the user
   * (not yet applied: the run checks and applies them). Errors from the ask are passed on.
   */
  async answer(message: string, { withActions = true }: { withActions?: boolean } = {}): Promise<OrganiserChatAnswer> {
    const recent = recentChatBlock(this.recentChat);
    const context = this.freshContext(countTokens(recent));
    const prompt = [
      PREAMBLE,
      context.text,
      ...(recent === '' ? [] : [recent]),
      'USER MESSAGE',
      dataBlock('the user message', truncateToTokens(message, USER_MESSAGE_TOKENS)),
      withActions ? CHAT_ACTIONS_PROMPT : 'Answer the user briefly and in plain words, from what is above. Reply with JSON {"answer": "..."}.',
    ].join('\n\n');
    const responseSchema = jsonSchemaOf(withActions ? ChatReplyWireSchema : ChatAnswerWireSchema);
    const reply = await this.options.ask({ workId: `chat-${this.contextSizes.length}`, kind: 'chat', prompt, grants: [], inputs: [], responseSchema, detail: { message } });
    const read = readChatReply(reply.output);
    if (read === undefined) this.log('organiser:unreadable-answer', { output: describeOutput(reply.output) });
    const text = read?.answer || (read && read.actions.length > 0 ? 'Done as asked.' : NO_ANSWER);
    const actions = withActions ? (read?.actions ?? []) : [];
    this.recentChat = [...this.recentChat, { message, answer: text }].slice(-RECENT_EXCHANGES);
    return { text, actions, dropped: read?.dropped ?? [], contextTokens: context.tokens };
  }

  /** What is happening now and what comes next, in plain words. */
  explain(): Promise<OrganiserChatAnswer> {
    return this.answer(EXPLAIN, { withActions: false });
  }

  /** Size of every context built so far (one per ask). */
  stats(): OrganiserStats {
    const turns = this.contextSizes.length;
    if (turns === 0) return { turns, maxContextTokens: 0, meanContextTokens: 0 };
    const total = this.contextSizes.reduce((sum, size) => sum + size, 0);
    return { turns, maxContextTokens: Math.max(...this.contextSizes), meanContextTokens: Math.round(total / turns) };
  }

  /** `reservedTokens` of the budget go to what is added next to the context (the recent chat). */
  private freshContext(reservedTokens = 0): OrganiserContext {
    const context = buildOrganiserContext(this.options.snapshot(), Math.max(MIN_CONTEXT_TOKENS, this.budgetTokens - reservedTokens));
    this.contextSizes.push(context.tokens);
    this.log('organiser:context', { tokens: context.tokens, omitted: context.omitted });
    return context;
  }

  private reject(request: DecisionRequest, invalidAnswers: string[], why: string): void {
    invalidAnswers.push(why);
    this.log('organiser:invalid-answer', { decision: request.id, point: request.point, attempt: invalidAnswers.length, why });
  }

  private log(event: string, data: unknown): void {
    this.options.log?.({ event, data });
  }
}

function decisionPrompt(context: OrganiserContext, request: DecisionRequest, correction: string | undefined): string {
  const about = [request.point, request.file ? `file ${request.file}` : undefined].filter(Boolean).join(', ');
  // The question quotes agents (findings, failures, a spawn reason): it travels as data, the options as instructions.
  const lines = [`DECISION (${about})`, dataBlock('the decision question', truncateToTokens(request.question, QUESTION_TOKENS))];
  if (request.spawn) lines.push(`Spawn request: a ${request.spawn.role} agent, asked for by ${request.spawn.requestedBy}: ${inlineData(truncateToTokens(request.spawn.reason, 100))}`);
  lines.push('OPTIONS');
  for (const option of request.options) {
    lines.push(`- ${option}: ${ACTION_MEANINGS[option]}${option === request.recommended ? ' (what the built-in rule would do)' : ''}`);
  }
  if (correction !== undefined) lines.push(`Your previous answer was rejected: ${correction}.`);
  lines.push(`Answer with JSON {action, reason}: action is one of ${request.options.join(', ')}; reason is one sentence.`);
  return [PREAMBLE, context.text, lines.join('\n')].join('\n\n');
}

/** The action in `output`, or why it is not a valid answer. */
function readAction(output: unknown, options: OrganiserActionType[]): OrganiserAction | string {
  let value = output;
  if (typeof value === 'string') {
    value = parseJson(value);
    if (value === undefined) return `the answer was not JSON: ${JSON.stringify((output as string).slice(0, 80))}`;
  }
  const parsed = OrganiserActionSchema.safeParse(value);
  if (!parsed.success) {
    const named = (value as { action?: unknown } | null)?.action;
    if (typeof named === 'string' && !(ORGANISER_ACTION_TYPES as readonly string[]).includes(named)) {
      return `"${named.slice(0, 40)}" is not an action; choose one of ${options.join(', ')}`;
    }
    const issue = parsed.error.issues[0];
    return `the answer did not match {action, reason}: ${issue ? `${issue.path.join('.') || 'answer'}: ${issue.message}` : 'invalid'}`;
  }
  if (!options.includes(parsed.data.action)) {
    return `"${parsed.data.action}" is not one of the allowed options (${options.join(', ')})`;
  }
  return parsed.data;
}

/** A schema as the JSON Schema a backend's structured output takes (no `$schema` key). */
function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return json;
}

/** JSON text, also inside a Markdown code fence, or undefined when it is not JSON. */
function parseJson(text: string): unknown {
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/.exec(text.trim());
  try {
    return JSON.parse(fenced ? fenced[1]! : text.trim()) as unknown;
  } catch {
    return undefined;
  }
}

/** The last exchanges, each side cut short, as one data block; '' when there are none. */
function recentChatBlock(exchanges: readonly ChatExchange[]): string {
  if (exchanges.length === 0) return '';
  const lines = exchanges.map((exchange) => `user: ${oneLine(exchange.message, RECENT_SIDE_TOKENS)}\nyou: ${oneLine(exchange.answer, RECENT_SIDE_TOKENS)}`);
  return `RECENT CHAT (oldest first)\n${dataBlock('the recent chat', lines.join('\n'))}`;
}

function describeOutput(output: unknown): string {
  if (output === undefined) return 'nothing';
  return truncateToTokens(typeof output === 'string' ? output : (JSON.stringify(output) ?? String(output)), 40);
}
