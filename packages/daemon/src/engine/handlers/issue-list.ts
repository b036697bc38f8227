/**
 * IssueList: filters (state, every label, assignee, full text), a sort, and
 * pages. `limit` 0 means the server page of DEFAULT_PAGE issues; `total`
 * counts every match over all pages; `next_cursor` is absent on the last page.
 */
import type { IssueQuery, IssueSort as CoreSort, SortOrder } from '@grite/core';
import { IssueSort, StateFilter, type IssueList } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { issueListResult } from '../convert.js';
import { invalidArgs } from '../errors.js';

/** Issues in one page when the request says 0. */
export const DEFAULT_PAGE = 1000;

export function stateFilter(s: StateFilter): 'open' | 'closed' | undefined {
  switch (s) {
    case StateFilter.any:
      return undefined;
    case StateFilter.open:
      return 'open';
    case StateFilter.closed:
      return 'closed';
    default:
      throw invalidArgs(`unknown state filter ${String(s)}`, { hint: 'use any, open or closed' });
  }
}

const SORTS: Record<IssueSort, [CoreSort, SortOrder]> = {
  [IssueSort.id]: ['id', 'asc'],
  [IssueSort.updated_desc]: ['updated', 'desc'],
  [IssueSort.updated_asc]: ['updated', 'asc'],
  [IssueSort.created_desc]: ['created', 'desc'],
  [IssueSort.created_asc]: ['created', 'asc'],
};

export function pageLimit(limit: number): number {
  return limit === 0 ? DEFAULT_PAGE : limit;
}

export async function issueList(ctx: EngineContext, cmd: IssueList): Promise<HandlerResult> {
  const sort = SORTS[cmd.sort()];
  if (sort === undefined) throw invalidArgs(`unknown sort ${String(cmd.sort())}`);
  const q: IssueQuery = { sort: sort[0], order: sort[1], limit: pageLimit(cmd.limit()) };
  const state = stateFilter(cmd.state());
  if (state !== undefined) q.state = state;
  if (cmd.labelsLength() > 0) {
    q.labels = [];
    for (let i = 0; i < cmd.labelsLength(); i++) q.labels.push(cmd.labels(i));
  }
  const assignee = cmd.assignee();
  if (assignee !== null) q.assignee = assignee;
  const text = cmd.text();
  if (text !== null) q.text = text;
  const cursor = cmd.cursor();
  if (cursor !== null && cursor !== '') q.cursor = cursor;
  const r = ctx.store.view.listIssues(q);
  return issueListResult(r.issues, r.total, r.nextCursor);
}
