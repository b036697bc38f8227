import { describe, expect, it } from 'vitest';
import {
  ALL_ERROR_CODES,
  decodeResponse,
  encodeErrorResponse,
  encodeErrorResponseFrom,
  ERROR_CODES,
  exitCodeFor,
  isErrorCode,
  ProtocolError,
  responseError,
  toErrorDetails,
} from '../src/index.js';

describe('error registry', () => {
  it('keeps every code it ever had, in order (codes are added, never renamed or reused)', () => {
    const first = [
      'invalid_args', 'not_found', 'conflict', 'db_busy', 'not_a_repo', 'config_error',
      'io_error', 'git_error', 'wal_error', 'ipc_error', 'internal_error',
    ];
    expect(ALL_ERROR_CODES.slice(0, first.length)).toEqual(first);
  });

  it('maps each code to its documented exit code', () => {
    const expected: Record<string, number> = {
      invalid_args: 2, not_found: 3, conflict: 4, db_busy: 5, not_a_repo: 5, config_error: 5,
      io_error: 1, git_error: 1, wal_error: 1, ipc_error: 1, internal_error: 1,
    };
    for (const [code, exit] of Object.entries(expected)) expect(exitCodeFor(code), code).toBe(exit);
  });

  it('walks the registry: snake_case codes, exits 1..5, a summary each, round-trips on the wire', () => {
    for (const code of ALL_ERROR_CODES) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(isErrorCode(code)).toBe(true);
      const entry = ERROR_CODES[code];
      expect([1, 2, 3, 4, 5]).toContain(entry.exit);
      expect(entry.summary.length).toBeGreaterThan(0);
      const err = new ProtocolError(code, `msg ${code}`, { hint: 'do this', details: { a: 'b', list: ['x', 'y'], empty: [] } });
      expect(err.exitCode).toBe(entry.exit);
      const back = responseError(decodeResponse(encodeErrorResponseFrom(new Uint8Array(16), err)))!;
      expect(back).toBeInstanceOf(ProtocolError);
      expect(back.toJSON()).toEqual(err.toJSON());
    }
  });

  it('exits 1 for a code it does not know', () => {
    expect(exitCodeFor('from_the_future')).toBe(1);
    expect(isErrorCode('toString')).toBe(false);
  });

  it('toJSON carries code, message, hint and details', () => {
    const e = new ProtocolError('not_found', 'no issue abcd', { hint: 'list issues with grite issue list' });
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      code: 'not_found', message: 'no issue abcd', hint: 'list issues with grite issue list', details: {},
    });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ProtocolError');
  });

  it('keeps an unknown remote code in details', () => {
    const e = responseError(decodeResponse(encodeErrorResponse(new Uint8Array(16), 'not_found', 'x')))!;
    expect(e.code).toBe('not_found');
    const bytes = encodeErrorResponse(new Uint8Array(16), 'future_code' as never, 'later');
    const f = responseError(decodeResponse(bytes))!;
    expect(f.code).toBe('internal_error');
    expect(f.details.remote_code).toBe('future_code');
  });

  it('encodes errors that merely carry a registered code (like core GriteError), and anything else as internal_error', () => {
    const coreLike = Object.assign(new Error('ambiguous prefix ab'), {
      code: 'invalid_args', hint: 'use more characters', details: { candidates: ['ab12', 'ab34'], count: 2 },
    });
    const e = responseError(decodeResponse(encodeErrorResponseFrom(new Uint8Array(16), coreLike)))!;
    expect(e.toJSON()).toEqual({
      code: 'invalid_args', message: 'ambiguous prefix ab', hint: 'use more characters',
      details: { candidates: ['ab12', 'ab34'], count: '2' },
    });
    const other = responseError(decodeResponse(encodeErrorResponseFrom(null, new TypeError('boom'))))!;
    expect(other.code).toBe('internal_error');
    expect(other.message).toMatch(/boom/);
    expect(toErrorDetails({ a: undefined, b: null, c: new Uint8Array([1, 255]), d: true })).toEqual({ c: '01ff', d: 'true' });
  });
});
