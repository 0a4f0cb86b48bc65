import { z } from 'zod';
import { OrchestraError, describeError } from '../engine/util/errors';
import type { OrchestraScriptOptions } from './orchestraScript';

/**
 * `KILO_ORCHESTRA_SCRIPTED_OPTIONS`: JSON options of the orchestra script for a run whose script is
 * built out of the test's reach (the built CLI's offline run), e.g.
 * `{"typeErrorFirst":["src/fines.ts"],"rejectOnce":{"role":"security-auditor","files":["src/loans.js"]}}`.
 * They go over the run's own defaults; the behaviours that take code (hostile writes aside) stay
 * for in-process tests.
 */
export const SCRIPTED_OPTIONS_ENV = 'KILO_ORCHESTRA_SCRIPTED_OPTIONS';

const FileList = z.array(z.string().min(1));

const EnvOptionsSchema = z.strictObject({
  planFiles: z.array(z.strictObject({ path: z.string().min(1), purpose: z.string() })).min(1).optional(),
  rejectFirstPlan: z.boolean().optional(),
  rejectFilesOnce: FileList.optional(),
  rejectOnce: z.strictObject({ role: z.string().min(1), files: FileList }).optional(),
  typeErrorFirst: FileList.optional(),
  neverCompletes: z.string().min(1).optional(),
  inject: z.string().optional(),
  debuggerCommands: z.array(z.string()).optional(),
}) satisfies z.ZodType<Partial<OrchestraScriptOptions>>;

/** The options the environment sets ({} when the variable is unset or empty); a bad value throws naming the field. */
export function scriptOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<OrchestraScriptOptions> {
  const text = env[SCRIPTED_OPTIONS_ENV]?.trim();
  if (!text) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OrchestraError('invalid-config', `${SCRIPTED_OPTIONS_ENV} is not JSON: ${describeError(error)}`, { hint: `Set it to a JSON object such as {"typeErrorFirst":["src/fines.ts"]}, or unset it.` });
  }
  const parsed = EnvOptionsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new OrchestraError('invalid-config', `${SCRIPTED_OPTIONS_ENV} at ${issue.path.join('.') || '(root)'}: ${issue.message}`, { hint: 'Fix or unset the variable; its fields are the orchestra script options (planFiles, rejectOnce, typeErrorFirst …).' });
  }
  return parsed.data;
}
