import { z } from 'zod';

/**
 * What every role agent returns at the end of a piece of work: the contract between the engine and
 * any backend. The Kilo backend asks for it as structured output (a JSON Schema generated from this).
 */
export const FindingSchema = z.object({
  file: z.string().optional(),
  severity: z.enum(['info', 'minor', 'major', 'critical']),
  message: z.string().min(1),
});
export type Finding = z.infer<typeof FindingSchema>;

export const PlannedFileSchema = z.object({
  path: z.string().min(1),
  purpose: z.string().default(''),
});
export type PlannedFile = z.infer<typeof PlannedFileSchema>;

export const TestFailureSchema = z.object({
  file: z.string().optional(),
  test: z.string().default(''),
  message: z.string().min(1),
});
export type TestFailure = z.infer<typeof TestFailureSchema>;

export const SpawnRequestSchema = z.object({
  role: z.string().min(1),
  reason: z.string().min(1),
});
export type SpawnRequest = z.infer<typeof SpawnRequestSchema>;

export const AgentOutputSchema = z.object({
  /** One or two sentences for the Organiser. */
  summary: z.string().min(1),
  /** The full artifact: plan text, review text, documentation, test report. */
  content: z.string().default(''),
  /** Plan: the files to create. Structure, implement, fix, document: the files touched. */
  files: z.array(PlannedFileSchema).default([]),
  /** Reviews only: the verdict. */
  approved: z.boolean().optional(),
  findings: z.array(FindingSchema).default([]),
  /** Test runs only. */
  tests: z
    .object({
      passed: z.number().int().nonnegative(),
      failed: z.number().int().nonnegative(),
      failures: z.array(TestFailureSchema).default([]),
    })
    .optional(),
  /** Any agent may ask for another role to join; the Organiser grants or refuses. */
  spawnRequests: z.array(SpawnRequestSchema).default([]),
});
export type AgentOutput = z.infer<typeof AgentOutputSchema>;
