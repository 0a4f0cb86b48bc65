import { z } from 'zod';
import { LIMITS } from '../util/limits';

/** Steps of the workflow a person may leave out of a run (and bring back while they are still ahead). */
export const OPTIONAL_STEPS = ['documentation', 'testing'] as const;
export type OptionalStep = (typeof OPTIONAL_STEPS)[number];

const path = z.string().trim().min(1).max(LIMITS.pathChars);
const agentId = z.string().regex(/^[a-z][a-z0-9-]{0,63}-\d{1,2}$/);
const profileId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
const words = (max: number) => z.string().trim().min(1).max(max);

/**
 * The closed set of changes a person (directly, or through the Organiser's chat) may make to a running
 * workflow. The machine decides whether the current state allows each one; the run checks what the
 * machine cannot see first (that a path can be granted, that a profile exists).
 */
export const UserChangeSchema = z.discriminatedUnion('kind', [
  /** A new file for the plan; before the plan is approved it waits and joins the approved plan. */
  z.object({ kind: z.literal('add-file'), path, purpose: words(LIMITS.purposeChars) }),
  /** New instructions for a file not yet approved, handed to whoever works on it next. */
  z.object({ kind: z.literal('change-instructions'), path, instructions: words(LIMITS.purposeChars) }),
  /** An approved file goes back: reviewed again, or fixed with `reason` as the finding. */
  z.object({ kind: z.literal('reopen-file'), path, to: z.enum(['review', 'fix']), reason: words(LIMITS.purposeChars) }),
  z.object({ kind: z.literal('skip-step'), step: z.enum(OPTIONAL_STEPS) }),
  z.object({ kind: z.literal('restore-step'), step: z.enum(OPTIONAL_STEPS) }),
  /** Every agent of `role` works on `profileId` from its next piece of work. */
  z.object({ kind: z.literal('set-role-profile'), role: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/), profileId }),
  /** One agent works on `profileId` from its next piece of work. */
  z.object({ kind: z.literal('set-agent-profile'), agentId, profileId }),
  /** Everything waiting for or running on agent `from` goes to `to`, an agent of the same role (a coder's files too). */
  z.object({ kind: z.literal('move-work'), from: agentId, to: agentId }),
]);
export type UserChange = z.infer<typeof UserChangeSchema>;
