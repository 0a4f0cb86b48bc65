import { z } from 'zod';
import type { AgentReply } from '../backends/agentBackend';
import { OrchestraError } from '../util/errors';
import type { RouterMessage } from './messageSchema';

/*
 * What an agent's answer carries in `payload.metadata`, by message type: an `artifact` or `review`
 * carries the AgentReply, a `status` says the work was aborted or why it failed. Read back through
 * these schemas, so a damaged or hostile payload becomes a failure with a reason, never a cast.
 */

/** A `request` message: the work (a WorkRequest, checked for the fields every backend needs) and the step to show. */
export const RequestMetadataSchema = z.looseObject({
  work: z.looseObject({
    workId: z.string().min(1),
    kind: z.string().min(1),
    prompt: z.string(),
    grants: z.array(z.string()),
    inputs: z.array(z.unknown()),
    detail: z.record(z.string(), z.unknown()),
  }),
  step: z.string().optional(),
  kind: z.string().optional(),
});

const UsageSchema = z.looseObject({ inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number() });

export const AgentReplySchema = z.looseObject({
  /** The parsed JSON answer, validated later by whoever asked (an AgentOutput, or an action). */
  output: z.unknown(),
  changedFiles: z.array(z.string()),
  usage: UsageSchema,
  deniedWrites: z.array(z.string()).optional(),
  deniedCommands: z.array(z.union([z.string(), z.looseObject({ command: z.string(), reason: z.string() })])).optional(),
  testsNotRun: z.string().optional(),
});

/** An `artifact` or `review` message: the work is done. */
export const ReplyMetadataSchema = z.looseObject({ reply: AgentReplySchema, workId: z.string().optional() });

/** A `status` message: the work was aborted, or failed with `error` (an OrchestraError's fields). */
export const StatusMetadataSchema = z.looseObject({
  aborted: z.boolean().optional(),
  error: z.looseObject({ reason: z.string().optional(), message: z.string(), retryable: z.boolean().optional() }).optional(),
  workId: z.string().optional(),
});

export type ReplyMetadata = z.infer<typeof ReplyMetadataSchema>;
export type StatusMetadata = z.infer<typeof StatusMetadataSchema>;

/** An answer read back: the reply, or that the work was aborted, or the failure with its reason. */
export type AnswerOf =
  | { kind: 'reply'; reply: AgentReply }
  | { kind: 'aborted' }
  | { kind: 'failed'; error: OrchestraError };

/** Reads an agent's answer to a request; never throws. */
export function readAnswer(message: RouterMessage): AnswerOf {
  const meta = message.payload.metadata;
  if (message.messageType === 'status') {
    const status = StatusMetadataSchema.safeParse(meta);
    if (!status.success) return { kind: 'failed', error: invalidPayload(message, status.error) };
    if (status.data.aborted === true) return { kind: 'aborted' };
    const error = status.data.error;
    return { kind: 'failed', error: new OrchestraError('backend-failed', error?.message ?? `${message.from} answered without a result.`, { retryable: error?.retryable ?? true }) };
  }
  if (message.messageType === 'artifact' || message.messageType === 'review') {
    const parsed = ReplyMetadataSchema.safeParse(meta);
    if (!parsed.success) return { kind: 'failed', error: invalidPayload(message, parsed.error) };
    return { kind: 'reply', reply: parsed.data.reply };
  }
  return { kind: 'failed', error: new OrchestraError('invalid-output', `${message.from} answered with a ${message.messageType} message, not a reply or status.`) };
}

/** One line: the first problems the schema found, with where they are. */
function invalidPayload(message: RouterMessage, error: z.ZodError): OrchestraError {
  const why = error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'metadata'}: ${issue.message}`)
    .join('; ');
  return new OrchestraError('invalid-output', `${message.from}'s ${message.messageType} for ${message.correlationId} is not valid: ${why}.`, { retryable: true });
}
