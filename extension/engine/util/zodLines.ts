import type { z } from 'zod';

/**
 * A zod error as one line for a message or a log: the first problem with where it is, and how many
 * more there are (prettifyError spans a line per issue).
 */
export function oneLine(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue ? issue.path.map((key) => (typeof key === 'symbol' ? '(symbol)' : String(key))).join('.') : '';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${where || '(top level)'}: ${(issue?.message ?? 'invalid').replace(/\s+/g, ' ')}${more}`;
}
