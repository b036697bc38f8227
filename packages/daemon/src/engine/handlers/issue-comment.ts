/** IssueComment: one CommentAdded; a blank body is `invalid_args`. */
import type { IssueComment } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { buildEvents, writeIssueEvents } from '../write-helpers.js';
import { requireActor, requireText, requireTs, resolveIssue } from '../validate.js';

export async function issueComment(ctx: EngineContext, cmd: IssueComment): Promise<HandlerResult> {
  const actor = requireActor(ctx);
  const ts = requireTs(cmd.ts());
  const issueId = resolveIssue(ctx, cmd.issue());
  const body = requireText(cmd.body(), 'comment body');
  const events = buildEvents(issueId, actor, ts, [{ type: 'CommentAdded', body }]);
  return writeIssueEvents(ctx, issueId, events);
}
