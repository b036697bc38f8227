/**
 * The registry of stable error codes and the exit code each maps to
 * (DESIGN.md section 8). Codes are added, never renamed or reused: a client
 * matches on them, and the CLI's `--json` envelope carries them verbatim.
 * Exit codes: 0 success, 1 runtime failures, 2 bad arguments, 3 not found,
 * 4 conflict (lock or concurrent update), 5 environment (busy database, not
 * a repository, bad config).
 */
export const ERROR_CODES = {
  invalid_args: { exit: 2, summary: 'the request or its arguments are invalid' },
  not_found: { exit: 3, summary: 'an issue, ref or resource does not exist' },
  conflict: { exit: 4, summary: 'a lock or a concurrent update conflicts' },
  db_busy: { exit: 5, summary: 'the materialized view is locked by another writer' },
  not_a_repo: { exit: 5, summary: 'not inside a git repository' },
  config_error: { exit: 5, summary: 'missing or invalid configuration' },
  io_error: { exit: 1, summary: 'a file system operation failed' },
  git_error: { exit: 1, summary: 'a git operation failed' },
  wal_error: { exit: 1, summary: 'the event log is unreadable or inconsistent' },
  ipc_error: { exit: 1, summary: 'the daemon connection or a message failed' },
  internal_error: { exit: 1, summary: 'a bug: the program reached a state it should not' },
} as const satisfies Record<string, { exit: number; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Every registered code, in registry order. */
export const ALL_ERROR_CODES: readonly ErrorCode[] = Object.keys(ERROR_CODES) as ErrorCode[];

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}

/**
 * The process exit code for an error code. A code this build does not know
 * (e.g. from a newer daemon) exits 1, like any runtime failure.
 */
export function exitCodeFor(code: string): number {
  return isErrorCode(code) ? ERROR_CODES[code].exit : 1;
}

/**
 * Typed error details. A text detail is a string; a list detail (e.g. the
 * candidates of an ambiguous issue prefix) is an array of strings. On the
 * wire each entry is one `KeyValue`.
 */
export type ErrorDetails = Readonly<Record<string, string | readonly string[]>>;

export interface ProtocolErrorJSON {
  code: ErrorCode;
  message: string;
  hint: string | undefined;
  details: ErrorDetails;
}

/**
 * An error with a registered code, a message that says what happened, and an
 * optional one-line hint that says what to do next.
 */
export class ProtocolError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: ErrorDetails;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { hint?: string | undefined; details?: ErrorDetails | undefined; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ProtocolError';
    this.code = code;
    this.hint = opts.hint;
    this.details = opts.details ?? {};
  }

  get exitCode(): number {
    return exitCodeFor(this.code);
  }

  toJSON(): ProtocolErrorJSON {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

export function isProtocolError(e: unknown): e is ProtocolError {
  return e instanceof ProtocolError;
}
