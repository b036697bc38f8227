/**
 * Core's values -> the wire's typed tables (schema/grite.fbs). Ids go out as
 * raw bytes, times as uint64, enums as the schema's enums; never JSON text.
 *
 * Small results use the generated object API (`...T` classes). The two that
 * can be long, issue lists and event lists, are written with the builder API
 * (`built`): byte vectors in one copy instead of one call per byte, and an
 * event's `parent` left absent when it has none, as the schema says (the
 * object API would write an empty vector).
 */
import type {
  DepType as CoreDepType,
  Event as CoreEvent,
  EventKind as CoreEventKind,
  IssueDetail as CoreIssueDetail,
  IssueState as CoreIssueState,
  IssueSummary as CoreIssueSummary,
} from '@grite/core';
import {
  AssigneeAddedT,
  AssigneeRemovedT,
  AttachmentAddedT,
  AttachmentT,
  built,
  CodeSymbolT,
  CommentAddedT,
  CommentT,
  ContextUpdatedT,
  DepEdgeT,
  DependencyAddedT,
  DependencyRemovedT,
  DepType,
  Event,
  EventKind,
  flatbuffers,
  IpcResult,
  IssueCreatedT,
  IssueDetailT,
  IssueListResult,
  IssueShowResult,
  IssueState,
  IssueSummary,
  IssueUpdatedT,
  LabelAddedT,
  LabelRemovedT,
  LinkAddedT,
  LinkT,
  ProjectContextUpdatedT,
  StateChangedT,
  UnknownKindT,
  type Built,
  type EventKindObject,
} from '@grite/protocol';
import { invalidArgs } from './errors.js';

/** Bytes for an object-API vector field. */
export function byteList(bytes: Uint8Array): number[] {
  return Array.from(bytes);
}

export function u64(n: number): bigint {
  return BigInt(n);
}

export function stateToWire(state: CoreIssueState): IssueState {
  return state === 'closed' ? IssueState.closed : IssueState.open;
}

const DEP_TO_WIRE: Record<CoreDepType, DepType> = {
  blocks: DepType.blocks,
  depends_on: DepType.depends_on,
  related_to: DepType.related_to,
};

export function depTypeToWire(t: CoreDepType): DepType {
  return DEP_TO_WIRE[t];
}

/** A dependency type from a request; a value this build does not know is invalid_args. */
export function depTypeFromWire(t: DepType): CoreDepType {
  switch (t) {
    case DepType.blocks:
      return 'blocks';
    case DepType.depends_on:
      return 'depends_on';
    case DepType.related_to:
      return 'related_to';
    default:
      throw invalidArgs(`unknown dependency type ${String(t)}`, { hint: 'use blocks, depends_on or related_to' });
  }
}

// ---------------------------------------------------------------- summaries

function stringVector(b: flatbuffers.Builder, items: readonly string[], create: (b: flatbuffers.Builder, data: flatbuffers.Offset[]) => flatbuffers.Offset): flatbuffers.Offset {
  return create(b, items.map((s) => b.createString(s)));
}

export function writeSummary(b: flatbuffers.Builder, s: CoreIssueSummary): flatbuffers.Offset {
  const id = b.createByteVector(s.issueId);
  const title = b.createString(s.title);
  const labels = stringVector(b, s.labels, IssueSummary.createLabelsVector);
  const assignees = stringVector(b, s.assignees, IssueSummary.createAssigneesVector);
  return IssueSummary.createIssueSummary(b, id, title, stateToWire(s.state), labels, assignees, u64(s.updatedTs), u64(s.createdTs), s.commentCount);
}

/** An IssueListResult (issue list, issue ready). */
export function issueListResult(issues: readonly CoreIssueSummary[], total: number, nextCursor: string | null): Built<IpcResult> {
  return built(IpcResult.IssueListResult, (b) => {
    const offsets = issues.map((s) => writeSummary(b, s));
    const vec = IssueListResult.createIssuesVector(b, offsets);
    const cursor = nextCursor === null ? 0 : b.createString(nextCursor);
    IssueListResult.startIssueListResult(b);
    IssueListResult.addIssues(b, vec);
    IssueListResult.addTotal(b, total);
    if (cursor !== 0) IssueListResult.addNextCursor(b, cursor);
    return IssueListResult.endIssueListResult(b);
  });
}

// ---------------------------------------------------------------- events

function kindT(kind: CoreEventKind): [EventKind, EventKindObject] {
  switch (kind.type) {
    case 'IssueCreated':
      return [EventKind.IssueCreated, new IssueCreatedT(kind.title, kind.body, [...kind.labels])];
    case 'IssueUpdated':
      return [EventKind.IssueUpdated, new IssueUpdatedT(kind.title, kind.body)];
    case 'CommentAdded':
      return [EventKind.CommentAdded, new CommentAddedT(kind.body)];
    case 'LabelAdded':
      return [EventKind.LabelAdded, new LabelAddedT(kind.label)];
    case 'LabelRemoved':
      return [EventKind.LabelRemoved, new LabelRemovedT(kind.label)];
    case 'StateChanged':
      return [EventKind.StateChanged, new StateChangedT(stateToWire(kind.state))];
    case 'LinkAdded':
      return [EventKind.LinkAdded, new LinkAddedT(kind.url, kind.note)];
    case 'AssigneeAdded':
      return [EventKind.AssigneeAdded, new AssigneeAddedT(kind.user)];
    case 'AssigneeRemoved':
      return [EventKind.AssigneeRemoved, new AssigneeRemovedT(kind.user)];
    case 'AttachmentAdded':
      return [EventKind.AttachmentAdded, new AttachmentAddedT(kind.name, byteList(kind.sha256), kind.mime)];
    case 'DependencyAdded':
      return [EventKind.DependencyAdded, new DependencyAddedT(byteList(kind.target), depTypeToWire(kind.depType))];
    case 'DependencyRemoved':
      return [EventKind.DependencyRemoved, new DependencyRemovedT(byteList(kind.target), depTypeToWire(kind.depType))];
    case 'ContextUpdated':
      return [
        EventKind.ContextUpdated,
        new ContextUpdatedT(
          kind.path,
          kind.language,
          kind.symbols.map((s) => new CodeSymbolT(s.name, s.kind, s.lineStart, s.lineEnd)),
          kind.summary,
          byteList(kind.contentHash),
        ),
      ];
    case 'ProjectContextUpdated':
      return [EventKind.ProjectContextUpdated, new ProjectContextUpdatedT(kind.key, kind.value)];
    case 'Unknown':
      return [EventKind.UnknownKind, new UnknownKindT(kind.tag, byteList(kind.payloadCbor))];
  }
}

export function writeEvent(b: flatbuffers.Builder, e: CoreEvent): flatbuffers.Offset {
  const [kindType, kindObj] = kindT(e.kind);
  const kind = kindObj.pack(b);
  const eventId = b.createByteVector(e.eventId);
  const issueId = b.createByteVector(e.issueId);
  const actor = b.createByteVector(e.actor);
  const parent = e.parent === null ? 0 : b.createByteVector(e.parent);
  Event.startEvent(b);
  Event.addEventId(b, eventId);
  Event.addIssueId(b, issueId);
  Event.addActor(b, actor);
  Event.addTs(b, u64(e.ts));
  if (parent !== 0) Event.addParent(b, parent);
  Event.addKindType(b, kindType);
  Event.addKind(b, kind);
  return Event.endEvent(b);
}

// ---------------------------------------------------------------- issue detail

export function detailT(d: CoreIssueDetail): IssueDetailT {
  return new IssueDetailT(
    byteList(d.issueId),
    d.title,
    stateToWire(d.state),
    [...d.labels],
    [...d.assignees],
    u64(d.updatedTs),
    u64(d.createdTs),
    d.commentCount,
    d.body,
    d.links.map((l) => new LinkT(l.url, l.note, byteList(l.eventId), byteList(l.actor), u64(l.ts))),
    d.attachments.map(
      (a) => new AttachmentT(a.name, byteList(a.sha256), a.mime, byteList(a.eventId), byteList(a.actor), u64(a.ts)),
    ),
    d.dependencies.map((x) => new DepEdgeT(byteList(x.target), depTypeToWire(x.depType))),
    d.comments.map((c) => new CommentT(byteList(c.eventId), byteList(c.actor), u64(c.ts), c.body)),
  );
}

/** An IssueShowResult: the detail, one page of events and the cursor of the next. */
export function issueShowResult(detail: CoreIssueDetail, events: readonly CoreEvent[], nextCursor: string | null): Built<IpcResult> {
  return built(IpcResult.IssueShowResult, (b) => {
    const issue = detailT(detail).pack(b);
    const vec = IssueShowResult.createEventsVector(b, events.map((e) => writeEvent(b, e)));
    const cursor = nextCursor === null ? 0 : b.createString(nextCursor);
    IssueShowResult.startIssueShowResult(b);
    IssueShowResult.addIssue(b, issue);
    IssueShowResult.addEvents(b, vec);
    if (cursor !== 0) IssueShowResult.addNextEventCursor(b, cursor);
    return IssueShowResult.endIssueShowResult(b);
  });
}
