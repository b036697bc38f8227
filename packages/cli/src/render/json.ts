/**
 * IpcResponse -> the data of the `--json` envelope (DESIGN.md section 8).
 *
 * Reads straight from the response buffer through the generated accessors
 * (no unpacking into objects first). Ids are lowercase hex, times unix ms as
 * numbers, enums by their on-git / JSON spelling. Both the daemon path and the
 * in-process path produce the same IpcResponse bytes, so this is the one place
 * the JSON contract is written.
 */
import {
  Attachment,
  Comment,
  DaemonStatusResult,
  DbStatsResult,
  DepEdge,
  DepListResult,
  DepRef,
  DepTopoResult,
  DepType,
  DepWriteResult,
  EditAction,
  Event,
  EventKind,
  IpcResponse,
  IpcResult,
  IssueDetail,
  IssueListResult,
  IssueShowResult,
  IssueState,
  IssueSummary,
  IssueWriteResult,
  Link,
  RebuildResult,
  HelloResult,
  DepDirection,
  bytesToHex,
} from '@grite/protocol';
import { eventKindJson } from './event-kind.js';
import { syncLockResultJson } from './json-sync.js';
import { maintenanceResultJson } from './json-maintenance.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const hex = (b: Uint8Array | null): string => bytesToHex(b);
const hexOrNull = (b: Uint8Array | null): string | null => (b && b.length > 0 ? bytesToHex(b) : null);
const num = (v: bigint): number => Number(v);

export const STATE_NAMES: Record<IssueState, string> = { [IssueState.open]: 'open', [IssueState.closed]: 'closed' };
export const DEP_TYPE_NAMES: Record<DepType, string> = {
  [DepType.blocks]: 'blocks',
  [DepType.depends_on]: 'depends_on',
  [DepType.related_to]: 'related_to',
};
const ACTION_NAMES: Record<EditAction, string> = { [EditAction.add]: 'added', [EditAction.remove]: 'removed' };
const DIRECTION_NAMES: Record<DepDirection, string> = { [DepDirection.out]: 'out', [DepDirection.in_]: 'in' };

function strings(n: number, at: (i: number) => string): string[] {
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = at(i);
  return out;
}

export function summaryJson(s: IssueSummary | IssueDetail): { [key: string]: Json } {
  return {
    issue_id: hex(s.issueIdArray()),
    title: s.title() ?? '',
    state: STATE_NAMES[s.state()],
    labels: strings(s.labelsLength(), (i) => s.labels(i)),
    assignees: strings(s.assigneesLength(), (i) => s.assignees(i)),
    updated_ts: num(s.updatedTs()),
    comment_count: s.commentCount(),
  };
}

function listJson(r: IssueListResult): { [key: string]: Json } {
  const n = r.issuesLength();
  const issues = new Array<Json>(n);
  const row = new IssueSummary();
  for (let i = 0; i < n; i++) issues[i] = summaryJson(r.issues(i, row)!);
  const out: { [key: string]: Json } = { issues, total: r.total() };
  const next = r.nextCursor();
  if (next) out.next_cursor = next;
  return out;
}

export function eventJson(e: Event): { [key: string]: Json } {
  return {
    event_id: hex(e.eventIdArray()),
    issue_id: hex(e.issueIdArray()),
    actor: hex(e.actorArray()),
    ts_unix_ms: num(e.ts()),
    parent: hexOrNull(e.parentArray()),
    kind: eventKindJson(e),
  };
}

export function detailJson(d: IssueDetail): { [key: string]: Json } {
  const links: Json[] = [];
  for (let i = 0; i < d.linksLength(); i++) {
    const l = d.links(i, new Link())!;
    links.push({ url: l.url() ?? '', note: l.note(), event_id: hex(l.eventIdArray()), actor: hex(l.actorArray()), ts_unix_ms: num(l.ts()) });
  }
  const attachments: Json[] = [];
  for (let i = 0; i < d.attachmentsLength(); i++) {
    const a = d.attachments(i, new Attachment())!;
    attachments.push({
      name: a.name() ?? '',
      sha256: hex(a.sha256Array()),
      mime: a.mime() ?? '',
      event_id: hex(a.eventIdArray()),
      actor: hex(a.actorArray()),
      ts_unix_ms: num(a.ts()),
    });
  }
  const dependencies: Json[] = [];
  for (let i = 0; i < d.dependenciesLength(); i++) {
    const e = d.dependencies(i, new DepEdge())!;
    dependencies.push({ target: hex(e.targetArray()), dep_type: DEP_TYPE_NAMES[e.depType()] });
  }
  const comments: Json[] = [];
  for (let i = 0; i < d.commentsLength(); i++) {
    const c = d.comments(i, new Comment())!;
    comments.push({ event_id: hex(c.eventIdArray()), actor: hex(c.actorArray()), ts_unix_ms: num(c.ts()), body: c.body() ?? '' });
  }
  return {
    ...summaryJson(d),
    body: d.body() ?? '',
    created_ts: num(d.createdTs()),
    links,
    attachments,
    dependencies,
    comments,
  };
}

function showJson(r: IssueShowResult): { [key: string]: Json } {
  const events: Json[] = [];
  const ev = new Event();
  for (let i = 0; i < r.eventsLength(); i++) events.push(eventJson(r.events(i, ev)!));
  const out: { [key: string]: Json } = { issue: detailJson(r.issue(new IssueDetail())!), events };
  const next = r.nextEventCursor();
  if (next) out.next_event_cursor = next;
  return out;
}

function writeJson(r: IssueWriteResult): { [key: string]: Json } {
  const out: { [key: string]: Json } = {
    issue_id: hex(r.issueIdArray()),
    event_id: hexOrNull(r.eventIdArray()),
    wal_head: r.walHead(),
  };
  const state = r.state();
  if (state !== null) out.state = STATE_NAMES[state];
  return out;
}

function depWriteJson(r: DepWriteResult): { [key: string]: Json } {
  return {
    event_id: hexOrNull(r.eventIdArray()),
    issue_id: hex(r.issueIdArray()),
    target: hex(r.targetArray()),
    dep_type: DEP_TYPE_NAMES[r.depType()],
    action: ACTION_NAMES[r.action()],
  };
}

function depListJson(r: DepListResult): { [key: string]: Json } {
  const deps: Json[] = [];
  const ref = new DepRef();
  for (let i = 0; i < r.depsLength(); i++) {
    const d = r.deps(i, ref)!;
    deps.push({ issue_id: hex(d.issueIdArray()), dep_type: DEP_TYPE_NAMES[d.depType()], title: d.title() ?? '', state: STATE_NAMES[d.state()] });
  }
  return { issue_id: hex(r.issueIdArray()), direction: DIRECTION_NAMES[r.direction()], deps };
}

function topoJson(r: DepTopoResult): { [key: string]: Json } {
  const issues: Json[] = [];
  const row = new IssueSummary();
  for (let i = 0; i < r.issuesLength(); i++) issues.push(summaryJson(r.issues(i, row)!));
  return { issues, order: r.order() ?? 'topological' };
}

function dbStatsJson(r: DbStatsResult): { [key: string]: Json } {
  return {
    path: r.path() ?? '',
    size_bytes: num(r.sizeBytes()),
    event_count: r.eventCount(),
    issue_count: r.issueCount(),
    wal_head: r.walHead(),
    events_since_rebuild: r.eventsSinceRebuild(),
    loose_objects: r.looseObjects(),
  };
}

function daemonStatusJson(r: DaemonStatusResult): { [key: string]: Json } {
  return {
    daemon: {
      running: r.running(),
      pid: r.running() ? r.pid() : null,
      socket: r.socket(),
      started_ts: r.running() ? num(r.startedTs()) : null,
      build: r.build(),
      schema_version: r.schemaVersion(),
      requests: num(r.requests()),
      rss_bytes: num(r.rssBytes()),
    },
  };
}

/** The `data` of a successful response. */
export function resultJson(resp: IpcResponse): Json {
  switch (resp.resultType()) {
    case IpcResult.IssueListResult:
      return listJson(resp.result(new IssueListResult()) as IssueListResult);
    case IpcResult.IssueShowResult:
      return showJson(resp.result(new IssueShowResult()) as IssueShowResult);
    case IpcResult.IssueWriteResult:
      return writeJson(resp.result(new IssueWriteResult()) as IssueWriteResult);
    case IpcResult.DepWriteResult:
      return depWriteJson(resp.result(new DepWriteResult()) as DepWriteResult);
    case IpcResult.DepListResult:
      return depListJson(resp.result(new DepListResult()) as DepListResult);
    case IpcResult.DepTopoResult:
      return topoJson(resp.result(new DepTopoResult()) as DepTopoResult);
    case IpcResult.DbStatsResult:
      return dbStatsJson(resp.result(new DbStatsResult()) as DbStatsResult);
    case IpcResult.RebuildResult: {
      const r = resp.result(new RebuildResult()) as RebuildResult;
      return { wal_head: r.walHead(), event_count: r.eventCount(), from_snapshot: r.fromSnapshot() };
    }
    case IpcResult.DaemonStatusResult:
      return daemonStatusJson(resp.result(new DaemonStatusResult()) as DaemonStatusResult);
    case IpcResult.HelloResult: {
      const r = resp.result(new HelloResult()) as HelloResult;
      return { schema_version: r.schemaVersion(), build: r.build(), pid: r.pid() };
    }
    case IpcResult.Ack:
    case IpcResult.NONE:
      return {};
    default:
      return syncLockResultJson(resp) ?? maintenanceResultJson(resp) ?? { result_type: IpcResult[resp.resultType()] ?? resp.resultType() };
  }
}

export { DIRECTION_NAMES, ACTION_NAMES, EventKind };
