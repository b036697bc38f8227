/**
 * Export: the issues (as the view projects them) and their events, whole or
 * from a point on, in pages of issues.
 *
 * - Issues are paged in id order (`limit` issues a page, 0 = all, with the
 *   view's cursor), so pages never overlap or skip when the log grows
 *   meanwhile: an issue created later sorts wherever its id falls and is in
 *   the export when its page is read.
 * - `sinceTs`: only events with `ts > sinceTs`. `sinceEvent` (a hex prefix of
 *   an event id, at least 4 characters): only events after that event in the
 *   projection's order `(ts, actor, event_id)`, the order that is the same on
 *   every replica. With either, only issues with such an event are exported
 *   (each shown in full, as it is now).
 * - Events whose IssueCreated has not arrived are not exported (nor shown
 *   anywhere): the export holds issues and their events.
 * Events of a page are in the projection's order.
 */
import { GriteError } from '../errors.js';
import type { Event } from '../event.js';
import { compareEvents } from '../projection/order.js';
import { toHex } from '../codec/hex.js';
import type { IssueDetail, View } from '../view/index.js';

export interface ExportOptions {
  /** Only events after this unix ms. */
  sinceTs?: number | null;
  /** Only events after the event with this id (a unique hex prefix, 4 to 64 characters). */
  sinceEvent?: string | null;
  /** Issues per page; 0 or undefined: all. */
  limit?: number;
  /** The nextCursor of the previous page. */
  cursor?: string | null;
}

export interface ExportPage {
  issues: IssueDetail[];
  /** The exported issues' events (after the point, when one is given), in projection order. */
  events: Event[];
  /** The WAL head the view reflects. */
  walHead: string | null;
  /** null on the last page. */
  nextCursor: string | null;
  /** The event `sinceEvent` named (null when not given). */
  since: Event | null;
  /** The point, in words ("after 2024-01-01T00:00:00.000Z", "after event 1a2b..."); null when none. */
  sinceLabel: string | null;
}

const MAX_AMBIGUOUS = 10;

/** Finds the one event whose id starts with `prefix` among the view's issues' events. */
function findEvent(view: View, prefix: string): Event {
  const hex = prefix.trim().toLowerCase();
  if (!/^[0-9a-f]{4,64}$/.test(hex)) {
    throw new GriteError('invalid_args', `not an event id: ${JSON.stringify(prefix)}`, {
      hint: 'give an event id in hex, or a unique prefix of at least 4 characters',
      details: { since: prefix },
    });
  }
  const found: Event[] = [];
  for (const s of view.listIssues({ sort: 'id' }).issues) {
    for (const e of view.getIssueEvents(s.issueId)) if (toHex(e.eventId).startsWith(hex)) found.push(e);
    if (found.length > MAX_AMBIGUOUS) break;
  }
  if (found.length === 0) {
    throw new GriteError('not_found', `no event matches ${hex}`, { hint: 'grite issue show <id> lists an issue\'s events', details: { since: prefix } });
  }
  if (found.length > 1) {
    throw new GriteError('invalid_args', `event id prefix ${hex} is ambiguous`, {
      hint: 'give more characters of the event id',
      details: { since: prefix, candidates: found.slice(0, MAX_AMBIGUOUS).map((e) => toHex(e.eventId)) },
    });
  }
  return found[0]!;
}

/** One page of the export (see the file comment). */
export function exportPage(view: View, opts: ExportOptions = {}): ExportPage {
  const sinceTs = opts.sinceTs ?? null;
  if (sinceTs !== null && (!Number.isSafeInteger(sinceTs) || sinceTs < 0)) {
    throw new GriteError('invalid_args', `since must be a unix time in ms, got ${String(sinceTs)}`);
  }
  const since = opts.sinceEvent === undefined || opts.sinceEvent === null || opts.sinceEvent === '' ? null : findEvent(view, opts.sinceEvent);
  const after = (e: Event): boolean => (sinceTs === null || e.ts > sinceTs) && (since === null || compareEvents(e, since) > 0);
  const filtered = sinceTs !== null || since !== null;
  const walHead = view.walHead();
  const list = view.listIssues({ sort: 'id', limit: opts.limit ?? 0, cursor: opts.cursor ?? null });
  const issues: IssueDetail[] = [];
  const events: Event[] = [];
  for (const s of list.issues) {
    const mine = view.getIssueEvents(s.issueId).filter(after);
    if (filtered && mine.length === 0) continue;
    const detail = view.getIssue(s.issueId);
    if (detail === null) continue; // gone between the list and the read: a rebuild in between
    issues.push(detail);
    for (const e of mine) events.push(e);
  }
  events.sort(compareEvents);
  const labels: string[] = [];
  if (sinceTs !== null) labels.push(`after ${new Date(sinceTs).toISOString()}`);
  if (since !== null) labels.push(`after event ${toHex(since.eventId).slice(0, 12)}`);
  return { issues, events, walHead, nextCursor: list.nextCursor, since, sinceLabel: labels.length ? labels.join(' and ') : null };
}
