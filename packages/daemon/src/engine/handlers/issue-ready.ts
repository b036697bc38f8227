/**
 * IssueReady: open issues that wait for nothing open and sit on no cycle, in
 * dependency order (depth, id), answered as an IssueListResult. Paging is the
 * view's (`listReady`: an index range from the cursor, not a slice of every
 * ready issue), so a page costs the same at 100 or 100,000 issues.
 */
import type { IssueReady } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { issueListResult } from '../convert.js';
import { pageLimit } from './issue-list.js';

export async function issueReady(ctx: EngineContext, cmd: IssueReady): Promise<HandlerResult> {
  const cursor = cmd.cursor();
  const r = ctx.store.view.listReady({ limit: pageLimit(cmd.limit()), cursor: cursor === '' ? null : cursor });
  return issueListResult(r.issues, r.total, r.nextCursor);
}
