import { z } from 'zod';

/**
 * What kind of problem a finding is: a write outside the grant, a hostile or wildcard path, a path
 * through a symlink that leaves the workspace, a write to a control file (`.kilo/`, `kilo.json` …),
 * a plan the Architect must redo, a shell command the permissions refused, a turn that stalled, a
 * budget that stopped work, an agent whose work kept failing, a problem with the event log, an
 * answer over the size limits (cut, see util/limits.ts), tests that could not be run, or a diagnostics checker that could not run.
 */
export const FINDING_KINDS = [
  'grant-violation',
  'unsafe-path',
  'symlink',
  'control-file',
  'plan-problem',
  'refused-command',
  'stalled',
  'budget',
  'circuit-breaker',
  'event-log',
  'oversized-output',
  'tests-not-run',
  'checker-failed',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** A problem reported rather than thrown: the run goes on, and the report lists it. */
export const RecordedFindingSchema = z.object({
  kind: z.enum(FINDING_KINDS),
  message: z.string(),
  workId: z.string().optional(),
  agentId: z.string().optional(),
});
export type RecordedFinding = z.infer<typeof RecordedFindingSchema>;
