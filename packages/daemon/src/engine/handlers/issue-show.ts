/**
 * IssueShow: the issue's detail and one page of its events in projection
 * order (`event_limit` 0 means DEFAULT_EVENT_PAGE events).
 */
import { toHex } from '@grite/core';
import type { IssueShow } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { issueShowResult } from '../convert.js';
import { notFound } from '../errors.js';
import { pageEvents } from '../event-cursor.js';
import { resolveIssue } from '../validate.js';

export const DEFAULT_EVENT_PAGE = 1000;

export async function issueShow(ctx: EngineContext, cmd: IssueShow): Promise<HandlerResult> {
  const issueId = resolveIssue(ctx, cmd.issue());
  const detail = ctx.store.view.getIssue(issueId);
  if (detail === null) throw notFound(`issue ${toHex(issueId)} does not exist`);
  const cursor = cmd.eventCursor();
  const limit = cmd.eventLimit() === 0 ? DEFAULT_EVENT_PAGE : cmd.eventLimit();
  const page = pageEvents(ctx.store.view.getIssueEvents(issueId), limit, cursor === null || cursor === '' ? null : cursor);
  return issueShowResult(detail, page.events, page.nextCursor);
}
