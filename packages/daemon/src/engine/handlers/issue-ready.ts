/**
 * IssueReady: open issues that wait for nothing open and sit on no cycle, in
 * dependency order (depth, id), answered as an IssueListResult. Pages: the
 * cursor names the last issue shown and its position; the next page starts
 * after that issue, or at the position when it is no longer ready.
 */
import { fromHex, toHex, type IssueSummary as CoreIssueSummary } from '@grite/core';
import type { IssueReady } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { issueListResult } from '../convert.js';
import { invalidArgs } from '../errors.js';
import { pageLimit } from './issue-list.js';

interface ReadyCursor {
  position: number;
  last: string;
}

function encodeReadyCursor(c: ReadyCursor): string {
  return Buffer.from(`r1:${c.position}:${c.last}`, 'utf8').toString('base64url');
}

function decodeReadyCursor(cursor: string): ReadyCursor {
  const m = /^r1:(\d{1,9}):([0-9a-f]{32})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (m === null) {
    throw invalidArgs('invalid cursor for issue ready', {
      hint: 'pass the next_cursor of the previous page of issue ready',
      details: { cursor },
    });
  }
  return { position: Number(m[1]), last: m[2]! };
}

function startOf(all: readonly CoreIssueSummary[], c: ReadyCursor): number {
  const last = fromHex(c.last);
  const at = all.findIndex((s) => toHex(s.issueId) === toHex(last));
  return at >= 0 ? at + 1 : Math.min(c.position, all.length);
}

export async function issueReady(ctx: EngineContext, cmd: IssueReady): Promise<HandlerResult> {
  const limit = pageLimit(cmd.limit());
  const cursor = cmd.cursor();
  const all = ctx.store.view.ready(0);
  const start = cursor === null || cursor === '' ? 0 : startOf(all, decodeReadyCursor(cursor));
  const page = all.slice(start, start + limit);
  const end = start + page.length;
  const next = end < all.length && page.length > 0 ? encodeReadyCursor({ position: end, last: toHex(page[page.length - 1]!.issueId) }) : null;
  return issueListResult(page, all.length, next);
}
