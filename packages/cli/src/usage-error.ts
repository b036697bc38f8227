/**
 * Bad input found by the CLI before anything is sent: `invalid_args`, exit 2,
 * and nothing written.
 */
export class UsageError extends Error {
  readonly code = 'invalid_args' as const;
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'UsageError';
    this.hint = hint;
  }
}

export function usageError(message: string, hint?: string): UsageError {
  return new UsageError(message, hint);
}
