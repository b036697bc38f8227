/**
 * Building the events of a write and the answer to it. Every event of one
 * request gets the request's actor and the client's `ts`, so a retried
 * request builds the same event ids (DESIGN.md section 5, step 2), and the
 * store writes an id already in the log only once.
 */
import { createEvent, type Event as CoreEvent, type EventKind as CoreEventKind, type IssueState as CoreIssueState } from '@grite/core';
import { IssueWriteResultT } from '@grite/protocol';
import type { EngineContext } from './context.js';
import { byteList, stateToWire } from './convert.js';

export function buildEvents(issueId: Uint8Array, actor: Uint8Array, ts: number, kinds: readonly CoreEventKind[]): CoreEvent[] {
  return kinds.map((kind) => createEvent({ issueId, actor, ts, kind }));
}

/**
 * True when every event is already in the log or queued for it: the
 * request is a retry of one that was (or is being) written. Such a request is answered as the first was, without
 * re-checking conditions its own first attempt changed (an edge now present,
 * a state now set).
 */
export function alreadyWritten(ctx: EngineContext, events: readonly CoreEvent[]): boolean {
  return events.length > 0 && events.every((e) => ctx.known(e.eventId));
}

export function issueWriteResult(
  issueId: Uint8Array,
  eventId: Uint8Array,
  walHead: string,
  state: CoreIssueState | null = null,
): IssueWriteResultT {
  return new IssueWriteResultT(byteList(issueId), byteList(eventId), walHead, state === null ? null : stateToWire(state));
}

/** Writes `events` for one issue and answers with the last one's id. */
export async function writeIssueEvents(
  ctx: EngineContext,
  issueId: Uint8Array,
  events: readonly CoreEvent[],
  state: CoreIssueState | null = null,
): Promise<IssueWriteResultT> {
  const { walHead } = await ctx.write(events);
  return issueWriteResult(issueId, events[events.length - 1]!.eventId, walHead, state);
}
