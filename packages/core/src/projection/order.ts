/**
 * The orders the projection is defined by (DESIGN.md section 3). Everything
 * here compares bytes, never JS string order, so two replicas in any locale
 * agree.
 */
import { bytesEqual, compareBytes, idKey } from '../codec/hex.js';
import type { Event } from '../event.js';

/**
 * The projection's event order: `(ts_unix_ms, actor bytes, event_id bytes)`.
 * Total on distinct event ids, so sorting a set of events gives one sequence.
 */
export function compareEvents(a: Event, b: Event): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  const byActor = compareBytes(a.actor, b.actor);
  if (byActor !== 0) return byActor;
  return compareBytes(a.eventId, b.eventId);
}

/**
 * A new array of `events` in projection order with each event id once. Equal
 * ids are the same event by construction (the id hashes ts, actor and
 * payload); should a damaged record claim another's id anyway, the first in
 * projection order is kept, so the result still depends on the set alone.
 */
export function sortEvents(events: Iterable<Event>): Event[] {
  const sorted = Array.from(events).sort(compareEvents);
  const out: Event[] = [];
  if (sorted.length <= SMALL) {
    // Few events (most issues): comparing with those kept beats hashing keys.
    next: for (const e of sorted) {
      for (const k of out) if (bytesEqual(k.eventId, e.eventId)) continue next;
      out.push(e);
    }
    return out;
  }
  const seen = new Set<string>();
  for (const e of sorted) {
    const key = idKey(e.eventId);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

/** Up to this many events, sortEvents finds repeated ids by comparing. */
const SMALL = 24;

/**
 * Compares two strings by their UTF-8 bytes, which is code point order.
 * UTF-16 code units order the same way except that surrogates (U+D800..DFFF,
 * which encode code points above U+FFFF) must sort after U+E000..U+FFFF;
 * shifting the two ranges at the first differing unit fixes that.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return shiftSurrogates(x) - shiftSurrogates(y);
  }
  return a.length - b.length;
}

function shiftSurrogates(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
