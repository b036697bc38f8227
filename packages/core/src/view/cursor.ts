/**
 * Keyset cursors for paged issue lists. A cursor names the last row of the
 * page it ends: the sort it belongs to, that row's sort value and its issue
 * id, as base64url JSON. The next page starts strictly after that key, so
 * rows are neither repeated nor skipped while nothing changes, and a row that
 * changes between pages moves to where its new key puts it.
 */
import { fromHex, toHex } from '../codec/hex.js';
import { GriteError } from '../errors.js';
import type { IssueSort, SortOrder } from './types.js';

export interface CursorKey {
  sort: IssueSort;
  order: SortOrder;
  value: number | string;
  issueId: Uint8Array;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.sort, key.order, key.value, toHex(key.issueId)]), 'utf8').toString('base64url');
}

/** Decodes a cursor made for `sort` and `order`; anything else is invalid_args. */
export function decodeCursor(cursor: string, sort: IssueSort, order: SortOrder): CursorKey {
  const bad = (why: string): never => {
    throw new GriteError('invalid_args', `invalid cursor: ${why}`, {
      hint: 'pass the nextCursor of the previous page of the same query',
      details: { cursor },
    });
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return bad('not a cursor');
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) return bad('not a cursor');
  const [s, o, value, id] = parsed as unknown[];
  if (s !== sort || o !== order) return bad(`made for sort ${String(s)} ${String(o)}, not ${sort} ${order}`);
  const numeric = sort === 'updated' || sort === 'created';
  if (numeric ? !Number.isSafeInteger(value) : typeof value !== 'string') return bad('bad sort value');
  if (typeof id !== 'string' || !/^[0-9a-f]{32}$/.test(id)) return bad('bad issue id');
  return { sort, order, value: value as number | string, issueId: fromHex(id) };
}

/** The cursor of a page of ready issues: the last row's (depth, issue id). */
export function encodeReadyCursor(depth: number, issueId: Uint8Array): string {
  return Buffer.from(JSON.stringify(['ready', depth, toHex(issueId)]), 'utf8').toString('base64url');
}

export function decodeReadyCursor(cursor: string): { depth: number; issueId: Uint8Array } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    parsed[0] !== 'ready' ||
    !Number.isSafeInteger(parsed[1]) ||
    typeof parsed[2] !== 'string' ||
    !/^[0-9a-f]{32}$/.test(parsed[2])
  ) {
    throw new GriteError('invalid_args', 'invalid cursor: not a cursor of ready issues', {
      hint: 'pass the nextCursor of the previous page of the same query',
      details: { cursor },
    });
  }
  return { depth: parsed[1] as number, issueId: fromHex(parsed[2] as string) };
}
