import { z } from 'zod';
import { AgentReplySchema, WorkRequestSchema } from '../backends/workMessages';

export const MessageTypeSchema = z.enum(['artifact', 'request', 'status', 'review']);
export type MessageType = z.infer<typeof MessageTypeSchema>;

/*
 * What each kind of message carries in `payload.metadata`. The router checks every message against
 * these on send, so a receiver reads typed fields and a damaged or hostile payload never travels:
 * the sender hears why (see AgentWorker.send, which answers with a failure status instead).
 */

/** A `request`: the work, and the step to show while it runs. */
export const RequestMetadataSchema = z.looseObject({ work: WorkRequestSchema, step: z.string().optional(), kind: z.string().optional() });

/** An `artifact` or `review`: the work is done, with the agent's reply. */
export const ReplyMetadataSchema = z.looseObject({ reply: AgentReplySchema, workId: z.string().optional() });

/** A `status`: the work was aborted, or failed with `error` (an OrchestraError's fields). */
export const StatusMetadataSchema = z.looseObject({
  aborted: z.boolean().optional(),
  error: z.looseObject({ reason: z.string().optional(), message: z.string(), retryable: z.boolean().optional() }).optional(),
  workId: z.string().optional(),
});

export type RequestMetadata = z.infer<typeof RequestMetadataSchema>;
export type ReplyMetadata = z.infer<typeof ReplyMetadataSchema>;
export type StatusMetadata = z.infer<typeof StatusMetadataSchema>;

const envelope = {
  id: z.string().min(1),
  from: z.string().min(1),
  to: z.string().min(1),
  /** Ties a request to its answers (the work item id). */
  correlationId: z.string().min(1),
  timestamp: z.string(),
};

function payloadOf<T extends z.ZodType>(metadata: T) {
  return z.object({ content: z.string(), metadata });
}

export const RouterMessageSchema = z.discriminatedUnion('messageType', [
  z.object({ ...envelope, messageType: z.literal('request'), payload: payloadOf(RequestMetadataSchema) }),
  z.object({ ...envelope, messageType: z.literal('artifact'), payload: payloadOf(ReplyMetadataSchema) }),
  z.object({ ...envelope, messageType: z.literal('review'), payload: payloadOf(ReplyMetadataSchema) }),
  z.object({ ...envelope, messageType: z.literal('status'), payload: payloadOf(StatusMetadataSchema) }),
]);
export type RouterMessage = z.infer<typeof RouterMessageSchema>;
export type RequestMessage = Extract<RouterMessage, { messageType: 'request' }>;

/** What a sender supplies; the router adds `id` and `timestamp` (one per kind of message). */
export type OutgoingMessage = RouterMessage extends infer M ? (M extends RouterMessage ? Omit<M, 'id' | 'timestamp'> : never) : never;

/** The Organiser's address on the router. */
export const ORGANISER_ADDRESS = 'organiser';
