/**
 * IssueCreate: one IssueCreated (title, body, labels) and one AssigneeAdded
 * per assignee, all with the client's issue_id, actor and ts.
 *
 * The issue_id must be new. A retry of a create that was written (or is
 * queued) builds the same IssueCreated id and is answered as the first time;
 * an issue_id that exists, or is queued, with another IssueCreated is a
 * `conflict` (a client reused an id).
 */
import { ISSUE_ID_BYTES, toHex, type EventKind as CoreEventKind } from '@grite/core';
import { ProtocolError, type IssueCreate } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';
import { alreadyWritten, buildEvents, writeIssueEvents } from '../write-helpers.js';
import { optionalList, requireActor, requireBytes, requireText, requireTs } from '../validate.js';

export async function issueCreate(ctx: EngineContext, cmd: IssueCreate): Promise<HandlerResult> {
  const actor = requireActor(ctx);
  const issueId = requireBytes(cmd.issueIdArray(), ISSUE_ID_BYTES, 'issue_id');
  const ts = requireTs(cmd.ts());
  const title = requireText(cmd.title(), 'title');
  const body = cmd.body() ?? '';
  const labels = optionalList((i) => cmd.labels(i), cmd.labelsLength(), 'label');
  const assignees = optionalList((i) => cmd.assignees(i), cmd.assigneesLength(), 'assignee');

  const kinds: CoreEventKind[] = [{ type: 'IssueCreated', title, body, labels }];
  for (const user of assignees) kinds.push({ type: 'AssigneeAdded', user });
  const events = buildEvents(issueId, actor, ts, kinds);

  const pending = ctx.pendingCreate(issueId);
  const exists = ctx.store.view.getIssue(issueId) !== null || (pending !== null && pending !== toHex(events[0]!.eventId));
  if (exists && !alreadyWritten(ctx, events)) {
    throw new ProtocolError('conflict', `issue ${toHex(issueId)} already exists`, {
      hint: 'a new issue needs a fresh random issue_id',
      details: { issue_id: toHex(issueId) },
    });
  }
  return writeIssueEvents(ctx, issueId, events);
}
