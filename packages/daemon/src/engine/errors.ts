/**
 * Errors the engine raises, and the one place where anything thrown becomes
 * an `IpcError` (DESIGN.md section 6). Every answer carries a registered code
 * (packages/protocol/src/errors.ts):
 * - ProtocolError (the engine's own, and the protocol's): code, hint and
 *   details as they are;
 * - core's GriteError, or any error whose `code` is registered: the same,
 *   with details made typed (bytes as hex, lists as `values`);
 * - anything else: `internal_error` with its message.
 * A code given without a hint gets the registry's generic one for that code,
 * so every error answer says what to do next.
 */
import {
  encodeErrorResponse,
  isErrorCode,
  ProtocolError,
  type ErrorCode,
  type ErrorDetails,
} from '@grite/protocol';

export interface IpcErrorParts {
  code: ErrorCode;
  message: string;
  hint: string;
  details: ErrorDetails;
}

const DEFAULT_HINTS: Record<ErrorCode, string> = {
  invalid_args: 'check the command arguments',
  not_found: '`grite issue list` shows the issues that exist',
  conflict: 'retry, or wait for the other writer or lock holder',
  db_busy: 'retry in a moment',
  not_a_repo: 'run grite inside a git repository',
  config_error: 'check <git dir>/grite/config.toml',
  io_error: 'check the file permissions and free space of the repository',
  git_error: 'check that git works in this repository',
  wal_error: 'run `grite doctor` to inspect the event log',
  ipc_error: 'retry the command, or run it with --no-daemon',
  internal_error: 'this is a bug in grite: please report it with the command that caused it',
};

export function invalidArgs(message: string, opts: { hint?: string; details?: ErrorDetails } = {}): ProtocolError {
  return new ProtocolError('invalid_args', message, opts);
}

export function notFound(message: string, opts: { hint?: string; details?: ErrorDetails } = {}): ProtocolError {
  return new ProtocolError('not_found', message, opts);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function detailText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return hex(v);
  if (typeof v === 'object' && v !== null) {
    try {
      return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? hex(x) : x));
    } catch {
      return String(v);
    }
  }
  return String(v);
}

/** Any details record as typed details: lists stay lists, bytes become hex. */
export function typedDetails(details: unknown): ErrorDetails {
  const out: Record<string, string | readonly string[]> = {};
  if (typeof details !== 'object' || details === null) return out;
  for (const [k, v] of Object.entries(details as Record<string, unknown>)) {
    if (v === undefined || v === null) continue;
    out[k] = Array.isArray(v) ? v.map(detailText) : detailText(v);
  }
  return out;
}

/** What anything thrown means as an IpcError. */
export function toIpcError(error: unknown): IpcErrorParts {
  const e = error as { code?: unknown; message?: unknown; hint?: unknown; details?: unknown } | null;
  if (typeof e === 'object' && e !== null && isErrorCode(e.code)) {
    const code = e.code;
    return {
      code,
      message: typeof e.message === 'string' && e.message !== '' ? e.message : code,
      hint: typeof e.hint === 'string' && e.hint !== '' ? e.hint : DEFAULT_HINTS[code],
      details: typedDetails(e.details),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal_error', message: `internal error: ${message}`, hint: DEFAULT_HINTS.internal_error, details: {} };
}

/** An encoded error response for anything thrown. */
export function errorResponse(requestId: Uint8Array | null, error: unknown): Uint8Array {
  const p = toIpcError(error);
  return encodeErrorResponse(requestId, p.code, p.message, p.hint, p.details);
}
