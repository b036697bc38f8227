/**
 * The projection of a whole event set (DESIGN.md section 3): a pure function
 * of the SET of events. Any order, any grouping into commits and any number
 * of copies of the same event give the same value.
 */
import { compareBytes, toHex } from '../codec/hex.js';
import type { Event } from '../event.js';
import { projectIssue, type IssueProjection } from './issue.js';
import { sortEvents } from './order.js';

export interface Projection {
  /** Issues whose IssueCreated is present, sorted by issue id bytes. */
  issues: IssueProjection[];
  /**
   * Events of issue ids with no IssueCreated yet, in projection order. They
   * are kept, not dropped: they show once their IssueCreated arrives.
   */
  pending: Event[];
  /** Distinct events in the set. */
  eventCount: number;
}

export function project(events: Iterable<Event>): Projection {
  const byIssue = new Map<string, { issueId: Uint8Array; events: Event[] }>();
  for (const e of events) {
    const key = toHex(e.issueId);
    let group = byIssue.get(key);
    if (group === undefined) {
      group = { issueId: e.issueId, events: [] };
      byIssue.set(key, group);
    }
    group.events.push(e);
  }
  const issues: IssueProjection[] = [];
  const pending: Event[] = [];
  let eventCount = 0;
  for (const group of byIssue.values()) {
    const sorted = sortEvents(group.events);
    eventCount += sorted.length;
    const issue = projectIssue(group.issueId, sorted);
    if (issue === null) pending.push(...sorted);
    else issues.push(issue);
  }
  issues.sort((a, b) => compareBytes(a.issueId, b.issueId));
  return { issues, pending: sortEvents(pending), eventCount };
}
