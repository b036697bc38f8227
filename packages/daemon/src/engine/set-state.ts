/**
 * Close and reopen. Both write one StateChanged, except when the issue is
 * already in the wanted state: then nothing is written, and the answer
 * carries the current WAL head and the event that put the issue in that state
 * (the last StateChanged to it in projection order, or the IssueCreated for
 * an issue that was never closed). A retry of a close or reopen that was
 * written is answered as the first attempt was: its event is that last one.
 */
import { toHex, type Event as CoreEvent, type IssueState as CoreIssueState } from '@grite/core';
import type { IssueWriteResultT } from '@grite/protocol';
import type { EngineContext } from './context.js';
import { notFound } from './errors.js';
import { alreadyWritten, buildEvents, issueWriteResult, writeIssueEvents } from './write-helpers.js';
import { requireActor, requireTs, resolveIssue } from './validate.js';

/**
 * The event that set the issue's current state, given its events in
 * projection order: the later of the last StateChanged and the first
 * IssueCreated (which opens the issue, and overrides StateChanged events
 * that sort before it; later IssueCreated events are ignored).
 */
function lastStateEvent(events: readonly CoreEvent[]): CoreEvent | null {
  const created = events.findIndex((e) => e.kind.type === 'IssueCreated');
  for (let i = events.length - 1; i > created; i--) {
    if (events[i]!.kind.type === 'StateChanged') return events[i]!;
  }
  return created >= 0 ? events[created]! : null;
}

export async function setState(
  ctx: EngineContext,
  issueRef: string | null,
  tsField: bigint,
  state: CoreIssueState,
): Promise<IssueWriteResultT> {
  const actor = requireActor(ctx);
  const ts = requireTs(tsField);
  const issueId = resolveIssue(ctx, issueRef);
  const events = buildEvents(issueId, actor, ts, [{ type: 'StateChanged', state }]);
  if (alreadyWritten(ctx, events)) return writeIssueEvents(ctx, issueId, events, state);

  const detail = ctx.store.view.getIssue(issueId);
  if (detail === null) throw notFound(`issue ${toHex(issueId)} does not exist`);
  if (detail.state !== state) return writeIssueEvents(ctx, issueId, events, state);

  const setter = lastStateEvent(ctx.store.view.getIssueEvents(issueId));
  const head = ctx.store.view.walHead() ?? '';
  return issueWriteResult(issueId, setter === null ? events[0]!.eventId : setter.eventId, head, state);
}
