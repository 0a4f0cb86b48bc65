import { z } from 'zod';

/** Traffic-light states a person sees for each agent. */
export const AgentStatusSchema = z.enum(['idle', 'working', 'waiting-rate-limit', 'needs-attention', 'paused', 'done', 'terminated']);
export type AgentStatus = z.infer<typeof AgentStatusSchema>;

export const AgentRecordSchema = z.object({
  /** `${role}-${instance}`, e.g. `secondary-coder-2`. */
  id: z.string(),
  role: z.string(),
  instance: z.number().int().positive(),
  profileId: z.string(),
  status: AgentStatusSchema,
  sessionId: z.string().optional(),
  currentWorkId: z.string().optional(),
  /** What it is doing now, in words ("implementing src/parser.ts"). */
  currentStep: z.string().optional(),
  turns: z.number().int().nonnegative(),
  tokens: z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }),
  costUsd: z.number().nonnegative(),
  /** Epoch ms of the last sign of life from the backend. */
  lastHeartbeat: z.number(),
  createdAt: z.number(),
  lastError: z.string().optional(),
});
export type AgentRecord = z.infer<typeof AgentRecordSchema>;

export function agentIdFor(role: string, instance: number): string {
  return `${role}-${instance}`;
}
