import { z } from 'zod';
import { ArtifactTypeSchema } from '../artifacts/artifactSchema';
import { WORK_KINDS } from '../workflow/workflowTypes';

/*
 * The work an agent is asked for and the answer it gives, as zod schemas: the types every backend
 * implements (agentBackend.ts re-exports them) and the payloads the router checks on every message.
 * Loose objects: a backend may add fields of its own, and they travel through untouched.
 */

export const UsageSchema = z.object({ inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number() });
export type Usage = z.infer<typeof UsageSchema>;

/** An artifact handed to an agent in full (the Organiser never gets these). */
export const ArtifactInputSchema = z.object({
  id: z.string(),
  type: ArtifactTypeSchema,
  summary: z.string(),
  files: z.array(z.string()),
  content: z.string(),
});
export type ArtifactInput = z.infer<typeof ArtifactInputSchema>;

export const WorkRequestKindSchema = z.enum([...WORK_KINDS, 'decide', 'chat']);

export const WorkRequestSchema = z.looseObject({
  workId: z.string().min(1),
  kind: WorkRequestKindSchema,
  /** The instruction text for this piece of work. */
  prompt: z.string(),
  /** Workspace-relative files the agent may create or change; everything else is read-only. */
  grants: z.array(z.string()),
  inputs: z.array(ArtifactInputSchema),
  /** For `decide`: the JSON Schema the answer must follow. */
  responseSchema: z.record(z.string(), z.unknown()).optional(),
  /** Structured detail for backends that script their answers (file path, attempt …). */
  detail: z.record(z.string(), z.unknown()),
  /**
   * The answer must come from this prompt alone: a backend whose sessions remember earlier turns
   * starts a new conversation for it. The Organiser asks this way, so it never builds up history.
   */
  freshConversation: z.boolean().optional(),
});
export type WorkRequest = z.infer<typeof WorkRequestSchema>;

/**
 * A shell command the backend refused to run: a bare command was not allowed (not the project's
 * test command, nor allowed by the user); one with a `reason` was refused for that reason.
 */
export const DeniedCommandSchema = z.union([z.string(), z.object({ command: z.string(), reason: z.string() })]);
export type DeniedCommand = z.infer<typeof DeniedCommandSchema>;

export const AgentReplySchema = z.looseObject({
  /** The parsed JSON answer (an AgentOutput for role work, an action for `decide`), not yet validated. */
  output: z.unknown(),
  /** Workspace-relative files the session actually changed (from the backend, never the agent's claim). */
  changedFiles: z.array(z.string()),
  usage: UsageSchema,
  /** Workspace-relative files the backend refused to let the agent write (outside its grant). */
  deniedWrites: z.array(z.string()).optional(),
  deniedCommands: z.array(DeniedCommandSchema).optional(),
  /** Set on a test turn the agent could not run tests in: why (the project has no test command). */
  testsNotRun: z.string().optional(),
});
export type AgentReply = z.infer<typeof AgentReplySchema>;
