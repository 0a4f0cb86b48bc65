import type { z } from 'zod';

/** The part of VS Code's `Memento` the config manager uses; tests pass an in-memory fake. */
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

/** A stored value that failed validation: where its raw value was kept, and why it failed. */
export interface CorruptValue {
  key: string;
  backupKey: string;
  problem: string;
  /** The raw value as JSON, to recognise it when it is read again before the key is cleared. */
  rawJson: string;
}

/**
 * Reads a validated value from a memento. A value that does not validate is copied, untouched,
 * under `<key>.corrupt.<epoch ms>` (so nothing the user stored is lost), the key is cleared, and the
 * default is returned with a note of what happened. Never throws.
 */
export function readValidated<T>(
  memento: MementoLike,
  key: string,
  schema: z.ZodType<T>,
  fallback: () => T,
  now: () => number,
  onWriteError: (error: unknown) => void,
  alreadyBackedUp?: CorruptValue,
): { value: T; corrupt?: CorruptValue } {
  const raw = memento.get<unknown>(key);
  if (raw === undefined) return { value: fallback() };
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { value: parsed.data };
  const rawJson = safeJson(raw);
  if (alreadyBackedUp && alreadyBackedUp.rawJson === rawJson) return { value: fallback(), corrupt: alreadyBackedUp };
  const backupKey = `${key}.corrupt.${now()}`;
  const issue = parsed.error.issues[0];
  const problem = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
  // Back up first, clear only once the backup is written: a failed backup leaves the value where it was.
  Promise.resolve(memento.update(backupKey, raw))
    .then(() => memento.update(key, undefined))
    .catch(onWriteError);
  return { value: fallback(), corrupt: { key, backupKey, problem, rawJson } };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
