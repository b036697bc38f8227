/** IssueAssign: one AssigneeAdded or AssigneeRemoved per user, in the order given. */
import type { EventKind as CoreEventKind } from '@grite/core';
import type { IssueAssign } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { buildEvents, writeIssueEvents } from '../write-helpers.js';
import { requireActor, requireList, requireTs, resolveIssue } from '../validate.js';
import { editAction } from './issue-label.js';

export async function issueAssign(ctx: EngineContext, cmd: IssueAssign): Promise<HandlerResult> {
  const actor = requireActor(ctx);
  const ts = requireTs(cmd.ts());
  const action = editAction(cmd.action());
  const users = requireList((i) => cmd.users(i), cmd.usersLength(), 'user');
  const issueId = resolveIssue(ctx, cmd.issue());
  const kinds = users.map((user): CoreEventKind => (action === 'add' ? { type: 'AssigneeAdded', user } : { type: 'AssigneeRemoved', user }));
  return writeIssueEvents(ctx, issueId, buildEvents(issueId, actor, ts, kinds));
}
