/**
 * Errors are values with a `reason` the code can branch on. They become user words only at the UI
 * edge (CLI line, notification, dashboard banner), where `hint` says what to do next.
 */
export type ErrorReason =
  | 'invalid-input'
  | 'invalid-config'
  | 'stale-version'
  | 'not-found'
  | 'unsafe-path'
  | 'grant-violation'
  | 'unknown-recipient'
  | 'recipient-terminated'
  | 'aborted'
  | 'rate-limited'
  | 'invalid-output'
  | 'backend-unavailable'
  | 'backend-failed'
  | 'io-failed'
  /** Another live run holds the workspace's run lock. */
  | 'workspace-busy';

export class OrchestraError extends Error {
  readonly reason: ErrorReason;
  readonly hint: string | undefined;
  /** True when the same call may succeed if tried again later (429, dropped connection). */
  readonly retryable: boolean;

  constructor(reason: ErrorReason, message: string, options: { hint?: string; retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OrchestraError';
    this.reason = reason;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
  }
}

export function isOrchestraError(value: unknown, reason?: ErrorReason): value is OrchestraError {
  return value instanceof OrchestraError && (reason === undefined || value.reason === reason);
}

/** The message of anything thrown, for logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
