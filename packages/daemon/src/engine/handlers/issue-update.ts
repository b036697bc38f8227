/**
 * IssueUpdate: one IssueUpdated with the title and/or body given (an absent
 * field is unchanged; a given title must not be blank; a given body may be
 * empty). Neither given is `invalid_args`: there is nothing to write.
 */
import type { IssueUpdate } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { invalidArgs } from '../errors.js';
import { buildEvents, writeIssueEvents } from '../write-helpers.js';
import { requireActor, requireText, requireTs, resolveIssue } from '../validate.js';

export async function issueUpdate(ctx: EngineContext, cmd: IssueUpdate): Promise<HandlerResult> {
  const actor = requireActor(ctx);
  const ts = requireTs(cmd.ts());
  const issueId = resolveIssue(ctx, cmd.issue());
  const rawTitle = cmd.title();
  const body = cmd.body();
  if (rawTitle === null && body === null) {
    throw invalidArgs('nothing to update: give a title, a body or both');
  }
  const title = rawTitle === null ? null : requireText(rawTitle, 'title');
  const events = buildEvents(issueId, actor, ts, [{ type: 'IssueUpdated', title, body }]);
  return writeIssueEvents(ctx, issueId, events);
}
