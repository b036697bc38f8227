/**
 * The CLI's JSON data (the `--json` envelope's `data`) -> the compact shapes
 * the MCP tools answer. Agents pay for every token: a list row carries the
 * id, title, state, and labels and assignees when there are any; `detail`
 * adds times and the comment count. Ids stay whole (any unique prefix works
 * as input, but a prefix that is unique today may not be tomorrow).
 */
import type { JsonData } from '../ops/op.js';

type Rec = Record<string, unknown>;

export interface Row {
  id: string;
  title: string;
  state: string;
  labels?: string[];
  assignees?: string[];
  updated_ts?: number;
  comment_count?: number;
}

const nonEmpty = (v: unknown): v is unknown[] => Array.isArray(v) && v.length > 0;

export function row(s: Rec, detail: boolean): Row {
  const out: Row = { id: String(s.issue_id), title: String(s.title), state: String(s.state) };
  if (nonEmpty(s.labels)) out.labels = s.labels as string[];
  if (nonEmpty(s.assignees)) out.assignees = s.assignees as string[];
  if (detail) {
    out.updated_ts = Number(s.updated_ts);
    out.comment_count = Number(s.comment_count);
  }
  return out;
}

export function list(d: JsonData, detail: boolean): Rec {
  const out: Rec = { issues: ((d.issues as Rec[]) ?? []).map((s) => row(s, detail)), total: d.total };
  if (typeof d.next_cursor === 'string') out.next_cursor = d.next_cursor;
  return out;
}

/** `issue show` data -> {issue, events?}: empty parts left out, actors as their first 8 hex characters. */
export function shown(d: JsonData, events: boolean): Rec {
  const i = d.issue as Rec;
  const issue: Rec = { ...row(i, true), body: i.body, created_ts: i.created_ts };
  const comments = (i.comments as Rec[]) ?? [];
  if (comments.length > 0) issue.comments = comments.map((c) => ({ actor: String(c.actor).slice(0, 8), ts: c.ts_unix_ms, body: c.body }));
  const deps = (i.dependencies as Rec[]) ?? [];
  if (deps.length > 0) issue.deps = deps.map((x) => ({ target: x.target, type: x.dep_type }));
  const links = (i.links as Rec[]) ?? [];
  if (links.length > 0) issue.links = links.map((l) => (l.note ? { url: l.url, note: l.note } : { url: l.url }));
  const att = (i.attachments as Rec[]) ?? [];
  if (att.length > 0) issue.attachments = att.map((a) => ({ name: a.name, mime: a.mime, sha256: a.sha256 }));
  const out: Rec = { issue };
  if (events) {
    out.events = d.events;
    if (typeof d.next_event_cursor === 'string') out.next_event_cursor = d.next_event_cursor;
  }
  return out;
}

/** A claim answer -> {issues, total, claim}: the claimed issue as a row (none when nothing was ready). */
export function claimed(d: JsonData): { issues: Row[]; total: number; claim: Rec | null } {
  const issue = d.issue as Rec | null;
  const lock = d.lock as Rec | null;
  return {
    issues: issue === null ? [] : [row(issue, false)],
    total: issue === null ? 0 : 1,
    claim:
      issue === null || lock === null
        ? null
        : { id: issue.issue_id, title: issue.title, owner: lock.owner, expires_unix_ms: lock.expires_unix_ms, already_held: d.already_held },
  };
}
