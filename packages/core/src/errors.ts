/**
 * Errors raised by core. Each carries a stable `code` from the project's
 * registry (packages/protocol owns the registry and the exit codes; a test
 * checks every code used here is registered there). Codes are added, never
 * renamed or reused.
 */
export type CoreErrorCode =
  | 'invalid_args'
  | 'not_found'
  | 'conflict'
  | 'db_busy'
  | 'not_a_repo'
  | 'config_error'
  | 'io_error'
  | 'git_error'
  | 'wal_error'
  | 'internal_error';

export class GriteError extends Error {
  readonly code: CoreErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(
    code: CoreErrorCode,
    message: string,
    opts: { hint?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GriteError';
    this.code = code;
    this.hint = opts.hint;
    this.details = opts.details ?? {};
  }

  toJSON(): { code: CoreErrorCode; message: string; hint: string | undefined; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

export function isGriteError(e: unknown): e is GriteError {
  return e instanceof GriteError;
}
