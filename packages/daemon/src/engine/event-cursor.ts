/**
 * Pages through one issue's events in projection order `(ts, actor bytes,
 * event_id bytes)`. A cursor names the last event of the page it ends, as
 * base64url of `e1:<ts>:<actor hex>:<event_id hex>`; the next page starts
 * strictly after that key, so an event that arrives between pages (sync) shows
 * on a later page if it sorts after the key, and nothing repeats.
 */
import { compareEvents, fromHex, toHex, type Event as CoreEvent } from '@grite/core';
import { invalidArgs } from './errors.js';

type EventKey = Pick<CoreEvent, 'ts' | 'actor' | 'eventId'>;

export function encodeEventCursor(e: EventKey): string {
  return Buffer.from(`e1:${e.ts}:${toHex(e.actor)}:${toHex(e.eventId)}`, 'utf8').toString('base64url');
}

export function decodeEventCursor(cursor: string): EventKey {
  const m = /^e1:(\d{1,16}):([0-9a-f]{32}):([0-9a-f]{64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const ts = m === null ? NaN : Number(m[1]);
  if (m === null || !Number.isSafeInteger(ts)) {
    throw invalidArgs('invalid event cursor', {
      hint: 'pass the next_event_cursor of the previous page of the same issue',
      details: { cursor },
    });
  }
  return { ts, actor: fromHex(m[2]!), eventId: fromHex(m[3]!) };
}

/** One page of `events` (already in projection order) after `cursor`. */
export function pageEvents(
  events: readonly CoreEvent[],
  limit: number,
  cursor: string | null,
): { events: CoreEvent[]; nextCursor: string | null } {
  let start = 0;
  if (cursor !== null) {
    const key = decodeEventCursor(cursor) as CoreEvent;
    while (start < events.length && compareEvents(events[start]!, key) <= 0) start++;
  }
  const page = events.slice(start, start + limit);
  const more = start + limit < events.length;
  return { events: page, nextCursor: more && page.length > 0 ? encodeEventCursor(page[page.length - 1]!) : null };
}
