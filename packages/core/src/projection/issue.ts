/**
 * One issue's state as a pure function of the set of its events (DESIGN.md
 * section 3). Fold the events in projection order `(ts, actor bytes,
 * event_id bytes)`, each event id once:
 *
 * - title, body, state: last writer wins. The first IssueCreated in that
 *   order writes the title and body, sets the state to open and adds its
 *   labels; a later IssueCreated for the same issue is ignored. Writes that
 *   sort before the IssueCreated (skewed clocks) are overwritten by it.
 * - labels, assignees, dependency edges `(target, dep_type)`: an element is
 *   present when its last add/remove in that order is an add.
 * - comments, links, attachments: each event once, in that order.
 * - ContextUpdated, ProjectContextUpdated and kinds we do not know are
 *   carried, never applied: they change no field, `updatedTs` included.
 * - `updatedTs` is the largest ts among the applied events (tags 1 to 12).
 *
 * An issue exists once its IssueCreated does: without one there is no
 * projection, and its other events wait (the caller keeps them) until it
 * arrives. Output lists are sorted by bytes so equal sets give equal values.
 */
import { compareBytes, toHex } from '../codec/hex.js';
import type { DepType, Event, IssueState } from '../event.js';
import { compareUtf8, sortEvents } from './order.js';

export interface IssueComment {
  eventId: Uint8Array;
  actor: Uint8Array;
  ts: number;
  body: string;
}

export interface IssueLink {
  eventId: Uint8Array;
  actor: Uint8Array;
  ts: number;
  url: string;
  note: string | null;
}

export interface IssueAttachment {
  eventId: Uint8Array;
  actor: Uint8Array;
  ts: number;
  name: string;
  sha256: Uint8Array;
  mime: string;
}

/** An outgoing dependency edge of an issue: `<this issue> <depType> <target>`. */
export interface IssueDependency {
  target: Uint8Array;
  depType: DepType;
}

export interface IssueProjection {
  issueId: Uint8Array;
  title: string;
  body: string;
  state: IssueState;
  /** Sorted by UTF-8 bytes. */
  labels: string[];
  /** Sorted by UTF-8 bytes. */
  assignees: string[];
  /** ts of the IssueCreated. */
  createdTs: number;
  /** Actor of the IssueCreated. */
  createdBy: Uint8Array;
  updatedTs: number;
  comments: IssueComment[];
  links: IssueLink[];
  attachments: IssueAttachment[];
  /** Sorted by (target bytes, dep type). */
  dependencies: IssueDependency[];
  /** Distinct events of this issue, carried ones included. */
  eventCount: number;
}

/**
 * Projects one issue from its events (all of them must carry `issueId`; the
 * caller groups). Returns null while no IssueCreated is among them.
 */
export function projectIssue(issueId: Uint8Array, events: Iterable<Event>): IssueProjection | null {
  const sorted = sortEvents(events);
  let created: Event | null = null;
  let title = '';
  let body = '';
  let state: IssueState = 'open';
  let updatedTs = Number.NEGATIVE_INFINITY;
  // Last add (true) or remove (false) per element, in fold order.
  const labels = new Map<string, boolean>();
  const assignees = new Map<string, boolean>();
  const deps = new Map<string, { dep: IssueDependency; present: boolean }>();
  const comments: IssueComment[] = [];
  const links: IssueLink[] = [];
  const attachments: IssueAttachment[] = [];

  for (const e of sorted) {
    const k = e.kind;
    switch (k.type) {
      case 'IssueCreated':
        if (created !== null) break;
        created = e;
        title = k.title;
        body = k.body;
        state = 'open';
        for (const l of k.labels) labels.set(l, true);
        break;
      case 'IssueUpdated':
        if (k.title !== null) title = k.title;
        if (k.body !== null) body = k.body;
        break;
      case 'CommentAdded':
        comments.push({ eventId: e.eventId, actor: e.actor, ts: e.ts, body: k.body });
        break;
      case 'LabelAdded':
        labels.set(k.label, true);
        break;
      case 'LabelRemoved':
        labels.set(k.label, false);
        break;
      case 'StateChanged':
        state = k.state;
        break;
      case 'LinkAdded':
        links.push({ eventId: e.eventId, actor: e.actor, ts: e.ts, url: k.url, note: k.note });
        break;
      case 'AssigneeAdded':
        assignees.set(k.user, true);
        break;
      case 'AssigneeRemoved':
        assignees.set(k.user, false);
        break;
      case 'AttachmentAdded':
        attachments.push({ eventId: e.eventId, actor: e.actor, ts: e.ts, name: k.name, sha256: k.sha256, mime: k.mime });
        break;
      case 'DependencyAdded':
      case 'DependencyRemoved': {
        const key = `${toHex(k.target)}/${k.depType}`;
        deps.set(key, { dep: { target: k.target, depType: k.depType }, present: k.type === 'DependencyAdded' });
        break;
      }
      case 'ContextUpdated':
      case 'ProjectContextUpdated':
      case 'Unknown':
        continue; // carried, never applied: no field changes, updatedTs included
    }
    if (e.ts > updatedTs) updatedTs = e.ts;
  }
  if (created === null) return null;

  return {
    issueId,
    title,
    body,
    state,
    labels: present(labels),
    assignees: present(assignees),
    createdTs: created.ts,
    createdBy: created.actor,
    updatedTs,
    comments,
    links,
    attachments,
    dependencies: [...deps.values()]
      .filter((d) => d.present)
      .map((d) => d.dep)
      .sort((a, b) => compareBytes(a.target, b.target) || compareUtf8(a.depType, b.depType)),
    eventCount: sorted.length,
  };
}

function present(m: Map<string, boolean>): string[] {
  const out: string[] = [];
  for (const [k, v] of m) if (v) out.push(k);
  return out.sort(compareUtf8);
}
