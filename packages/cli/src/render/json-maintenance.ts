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
  CheckStatus,
  DoctorCheck,
  DoctorResult,
  Event,
  ExportFormat,
  ExportResult,
  IpcResult,
  IssueDetail,
  SnapshotGcResult,
  SnapshotInfo,
  SnapshotListResult,
  type IpcResponse,
} from '@grite/protocol';
import { detailJson, eventJson, type Json } from './json.js';

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
function exportJson(r: ExportResult): Obj {
  const format = FORMAT_NAMES[r.format()] ?? 'json';
  const out: Obj = { format, wal_head: r.walHead() || null, next_cursor: r.nextCursor() || null };
  if (r.format() === ExportFormat.md) {
    out.text = r.text() ?? '';
    return out;
  }
  const issues: Json[] = [];
  const d = new IssueDetail();
  for (let i = 0; i < r.issuesLength(); i++) issues.push(detailJson(r.issues(i, d)!));
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
