import { z } from 'zod';
import { LIMITS, capText } from '../util/limits';

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

/** The shape of a role id (as `RoleIdSchema`; not imported, so the output contract stays standalone). */
const ROLE_ID = /^[a-z][a-z0-9-]{1,39}$/;

/** An agent's output within the limits of `LIMITS`, and what had to be cut (empty when nothing). */
export interface CappedOutput {
  output: AgentOutput;
  cuts: string[];
}

/**
 * `output` with every field within its limit: long text cut with a marker, long lists cut to their
 * first entries. Applied before anything is stored or quoted to another agent, so no single answer
 * can grow the prompts that follow it.
 */
export function capAgentOutput(output: AgentOutput, maxPlannedFiles: number = LIMITS.plannedFiles): CappedOutput {
  const cuts: string[] = [];
  const text = (value: string, max: number, what: string, single = false): string => {
    if (value.length > max) cuts.push(`${what} of ${value.length.toLocaleString('en')} characters cut to ${max.toLocaleString('en')}`);
    return capText(value, max, single);
  };
  const list = <T>(values: T[], max: number, what: string): T[] => {
    if (values.length > max) cuts.push(`${values.length} ${what}, only the first ${max} kept`);
    return values.slice(0, max);
  };
  const files = list(output.files, maxPlannedFiles, 'files').filter((file) => {
    if (file.path.length <= LIMITS.pathChars) return true;
    cuts.push(`a file path of ${file.path.length.toLocaleString('en')} characters left out`);
    return false;
  });
  const capped: AgentOutput = {
    ...output,
    summary: text(output.summary, LIMITS.summaryChars, 'the summary', true),
    content: text(output.content, LIMITS.contentChars, 'the content'),
    files: files.map((file) => ({ path: file.path, purpose: text(file.purpose, LIMITS.purposeChars, `the purpose of ${file.path.slice(0, 80)}`, true) })),
    findings: list(output.findings, LIMITS.findings, 'findings').map((finding, i) => ({
      severity: finding.severity,
      message: text(finding.message, LIMITS.findingChars, `finding ${i + 1}`, true),
      ...(finding.file !== undefined ? { file: capText(finding.file, LIMITS.pathChars, true) } : {}),
    })),
    // A spawn request must name a role by its id; anything else is words, not a role, and is left out.
    spawnRequests: list(output.spawnRequests.filter((request) => {
      if (ROLE_ID.test(request.role)) return true;
      cuts.push(`a spawn request for "${request.role.slice(0, 40)}", which is not a role id, left out`);
      return false;
    }), LIMITS.spawnRequests, 'spawn requests').map((request) => ({
      role: request.role,
      reason: text(request.reason, LIMITS.spawnReasonChars, `the reason for a ${request.role.slice(0, 40)} spawn`, true),
    })),
  };
  if (output.tests) {
    capped.tests = {
      passed: output.tests.passed,
      failed: output.tests.failed,
      failures: list(output.tests.failures, LIMITS.testFailures, 'test failures').map((failure, i) => ({
        test: text(failure.test, LIMITS.failureChars, `the name of test failure ${i + 1}`, true),
        message: text(failure.message, LIMITS.failureChars, `test failure ${i + 1}`, true),
        ...(failure.file !== undefined ? { file: capText(failure.file, LIMITS.pathChars, true) } : {}),
      })),
    };
  }
  return { output: capped, cuts };
}
