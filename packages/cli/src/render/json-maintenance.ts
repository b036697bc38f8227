/**
 * IpcResponse -> `--json` data for the maintenance commands (DESIGN.md
 * section 8), read straight from the response buffer as render/json.ts does:
 * - doctor: `{checks: [{id, status: ok|warn|error, message, plan: [...]}], applied: [...]}`;
 * - snapshot: `{ref, created_ts, wal_head, event_count}`;
 * - snapshot list: `{snapshots: [snapshot], total}` (newest first);
 * - snapshot gc: `{deleted: [ref], kept}`;
 * - export (one page): `{format: json|md, wal_head, next_cursor}` plus
 *   `issues` (issue detail, as `issue show` gives it) and `events` for json,
 *   `text` for md.
 * Anything else: undefined (render/json.ts handles it).
 */
import {
  Attachment,
  CheckStatus,
  Comment,
  DepEdge,
  DoctorCheck,
  DoctorResult,
  Event,
  ExportFormat,
  ExportResult,
  IpcResult,
  IssueDetail,
  Link,
  SnapshotGcResult,
  SnapshotInfo,
  SnapshotListResult,
  bytesToHex,
  type IpcResponse,
} from '@grite/protocol';
import { DEP_TYPE_NAMES, eventJson, summaryJson, type Json } from './json.js';

type Obj = { [key: string]: Json };

const STATUS_NAMES: Record<CheckStatus, string> = { [CheckStatus.ok]: 'ok', [CheckStatus.warn]: 'warn', [CheckStatus.error]: 'error' };
const FORMAT_NAMES: Record<ExportFormat, string> = { [ExportFormat.json]: 'json', [ExportFormat.md]: 'md' };

function strings(n: number, at: (i: number) => string): string[] {
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = at(i);
  return out;
}

function doctorJson(r: DoctorResult): Obj {
  const checks: Json[] = [];
  const c = new DoctorCheck();
  for (let i = 0; i < r.checksLength(); i++) {
    r.checks(i, c);
    checks.push({
      id: c.id() ?? '',
      status: STATUS_NAMES[c.status()] ?? 'error',
      message: c.message() ?? '',
      plan: strings(c.planLength(), (j) => c.plan(j)),
    });
  }
  return { checks, applied: strings(r.appliedLength(), (i) => r.applied(i)) };
}

export function snapshotInfoJson(s: SnapshotInfo): Obj {
  return { ref: s.ref() ?? '', created_ts: Number(s.createdTs()), wal_head: s.walHead() || null, event_count: s.eventCount() };
}

function snapshotListJson(r: SnapshotListResult): Obj {
  const snapshots: Json[] = [];
  const s = new SnapshotInfo();
  for (let i = 0; i < r.snapshotsLength(); i++) snapshots.push(snapshotInfoJson(r.snapshots(i, s)!));
  return { snapshots, total: snapshots.length };
}

function snapshotGcJson(r: SnapshotGcResult): Obj {
  return { deleted: strings(r.deletedLength(), (i) => r.deleted(i)), kept: r.kept() };
}

/** An issue in full, the shape of `issue show`'s `issue`. */
export function issueDetailJson(d: IssueDetail): Obj {
  const links: Json[] = [];
  for (let i = 0; i < d.linksLength(); i++) {
    const l = d.links(i, new Link())!;
    links.push({ url: l.url() ?? '', note: l.note(), event_id: bytesToHex(l.eventIdArray()), actor: bytesToHex(l.actorArray()), ts_unix_ms: Number(l.ts()) });
  }
  const attachments: Json[] = [];
  for (let i = 0; i < d.attachmentsLength(); i++) {
    const a = d.attachments(i, new Attachment())!;
    attachments.push({
      name: a.name() ?? '',
      sha256: bytesToHex(a.sha256Array()),
      mime: a.mime() ?? '',
      event_id: bytesToHex(a.eventIdArray()),
      actor: bytesToHex(a.actorArray()),
      ts_unix_ms: Number(a.ts()),
    });
  }
  const dependencies: Json[] = [];
  for (let i = 0; i < d.dependenciesLength(); i++) {
    const e = d.dependencies(i, new DepEdge())!;
    dependencies.push({ target: bytesToHex(e.targetArray()), dep_type: DEP_TYPE_NAMES[e.depType()] });
  }
  const comments: Json[] = [];
  for (let i = 0; i < d.commentsLength(); i++) {
    const c = d.comments(i, new Comment())!;
    comments.push({ event_id: bytesToHex(c.eventIdArray()), actor: bytesToHex(c.actorArray()), ts_unix_ms: Number(c.ts()), body: c.body() ?? '' });
  }
  return { ...summaryJson(d), body: d.body() ?? '', created_ts: Number(d.createdTs()), links, attachments, dependencies, comments };
}

function exportJson(r: ExportResult): Obj {
  const format = FORMAT_NAMES[r.format()] ?? 'json';
  const out: Obj = { format, wal_head: r.walHead() || null, next_cursor: r.nextCursor() || null };
  if (r.format() === ExportFormat.md) {
    out.text = r.text() ?? '';
    return out;
  }
  const issues: Json[] = [];
  const d = new IssueDetail();
  for (let i = 0; i < r.issuesLength(); i++) issues.push(issueDetailJson(r.issues(i, d)!));
  const events: Json[] = [];
  const e = new Event();
  for (let i = 0; i < r.eventsLength(); i++) events.push(eventJson(r.events(i, e)!));
  out.issues = issues;
  out.events = events;
  return out;
}

/** The `data` of a maintenance command's successful response; undefined for other results. */
export function maintenanceResultJson(resp: IpcResponse): Json | undefined {
  switch (resp.resultType()) {
    case IpcResult.DoctorResult:
      return doctorJson(resp.result(new DoctorResult()) as DoctorResult);
    case IpcResult.SnapshotInfo:
      return snapshotInfoJson(resp.result(new SnapshotInfo()) as SnapshotInfo);
    case IpcResult.SnapshotListResult:
      return snapshotListJson(resp.result(new SnapshotListResult()) as SnapshotListResult);
    case IpcResult.SnapshotGcResult:
      return snapshotGcJson(resp.result(new SnapshotGcResult()) as SnapshotGcResult);
    case IpcResult.ExportResult:
      return exportJson(resp.result(new ExportResult()) as ExportResult);
    default:
      return undefined;
  }
}
