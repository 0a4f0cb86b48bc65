import { z } from 'zod';

export const MessageTypeSchema = z.enum(['artifact', 'request', 'status', 'review']);
export type MessageType = z.infer<typeof MessageTypeSchema>;

export const RouterMessageSchema = z.object({
  id: z.string().min(1),
  from: z.string().min(1),
  to: z.string().min(1),
  messageType: MessageTypeSchema,
  payload: z.object({
    content: z.string(),
    metadata: z.record(z.string(), z.unknown()).default({}),
  }),
  /** Ties a request to its answers (the work item id). */
  correlationId: z.string().min(1),
  timestamp: z.string(),
});
export type RouterMessage = z.infer<typeof RouterMessageSchema>;

/** What a sender supplies; the router adds `id` and `timestamp`. */
export type OutgoingMessage = Omit<RouterMessage, 'id' | 'timestamp'>;

/** The Organiser's address on the router. */
export const ORGANISER_ADDRESS = 'organiser';
