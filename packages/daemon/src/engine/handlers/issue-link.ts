/** IssueLink: one LinkAdded; the url must not be blank, an absent note is null on git. */
import type { IssueLink } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { buildEvents, writeIssueEvents } from '../write-helpers.js';
import { requireActor, requireText, requireTs, resolveIssue } from '../validate.js';

export async function issueLink(ctx: EngineContext, cmd: IssueLink): Promise<HandlerResult> {
  const actor = requireActor(ctx);
  const ts = requireTs(cmd.ts());
  const url = requireText(cmd.url(), 'url');
  const note = cmd.note();
  const issueId = resolveIssue(ctx, cmd.issue());
  return writeIssueEvents(ctx, issueId, buildEvents(issueId, actor, ts, [{ type: 'LinkAdded', url, note }]));
}
