// GENERATED FILE: never edit by hand.
// Source: schema/grite.fbs. Regenerate with `pnpm codegen`
// (packages/protocol/scripts/codegen.mjs, flatc version 25.12.19).
// CI fails when this file is stale (`pnpm codegen:check`).

import type * as flatbuffers from 'flatbuffers';
import { Ack, AckT } from './grite/ipc/ack.js';
import { AssigneeAdded, AssigneeAddedT } from './grite/ipc/assignee-added.js';
import { AssigneeRemoved, AssigneeRemovedT } from './grite/ipc/assignee-removed.js';
import { AttachmentAdded, AttachmentAddedT } from './grite/ipc/attachment-added.js';
import { Attachment, AttachmentT } from './grite/ipc/attachment.js';
import { BatchResult, BatchResultT } from './grite/ipc/batch-result.js';
import { Batch, BatchT } from './grite/ipc/batch.js';
import { ClaimResult, ClaimResultT } from './grite/ipc/claim-result.js';
import { CliRunResult, CliRunResultT } from './grite/ipc/cli-run-result.js';
import { CliRun, CliRunT } from './grite/ipc/cli-run.js';
import { CodeSymbol, CodeSymbolT } from './grite/ipc/code-symbol.js';
import { CommentAdded, CommentAddedT } from './grite/ipc/comment-added.js';
import { Comment, CommentT } from './grite/ipc/comment.js';
import { ContextUpdated, ContextUpdatedT } from './grite/ipc/context-updated.js';
import { DaemonStatusResult, DaemonStatusResultT } from './grite/ipc/daemon-status-result.js';
import { DaemonStatus, DaemonStatusT } from './grite/ipc/daemon-status.js';
import { DaemonStop, DaemonStopT } from './grite/ipc/daemon-stop.js';
import { DbStatsResult, DbStatsResultT } from './grite/ipc/db-stats-result.js';
import { DbStats, DbStatsT } from './grite/ipc/db-stats.js';
import { DepEdge, DepEdgeT } from './grite/ipc/dep-edge.js';
import { DepListResult, DepListResultT } from './grite/ipc/dep-list-result.js';
import { DepRef, DepRefT } from './grite/ipc/dep-ref.js';
import { DepTopoResult, DepTopoResultT } from './grite/ipc/dep-topo-result.js';
import { DepWriteResult, DepWriteResultT } from './grite/ipc/dep-write-result.js';
import { DependencyAdded, DependencyAddedT } from './grite/ipc/dependency-added.js';
import { DependencyRemoved, DependencyRemovedT } from './grite/ipc/dependency-removed.js';
import { DoctorCheck, DoctorCheckT } from './grite/ipc/doctor-check.js';
import { DoctorResult, DoctorResultT } from './grite/ipc/doctor-result.js';
import { Doctor, DoctorT } from './grite/ipc/doctor.js';
import { EventApplied, EventAppliedT } from './grite/ipc/event-applied.js';
import { EventKind } from './grite/ipc/event-kind.js';
import { Event, EventT } from './grite/ipc/event.js';
import { ExportResult, ExportResultT } from './grite/ipc/export-result.js';
import { Export, ExportT } from './grite/ipc/export.js';
import { HelloResult, HelloResultT } from './grite/ipc/hello-result.js';
import { Hello, HelloT } from './grite/ipc/hello.js';
import { IpcCommand } from './grite/ipc/ipc-command.js';
import { IpcError, IpcErrorT } from './grite/ipc/ipc-error.js';
import { IpcRequest, IpcRequestT } from './grite/ipc/ipc-request.js';
import { IpcResponse, IpcResponseT } from './grite/ipc/ipc-response.js';
import { IpcResult } from './grite/ipc/ipc-result.js';
import { IssueAssign, IssueAssignT } from './grite/ipc/issue-assign.js';
import { IssueAttach, IssueAttachT } from './grite/ipc/issue-attach.js';
import { IssueClaim, IssueClaimT } from './grite/ipc/issue-claim.js';
import { IssueClose, IssueCloseT } from './grite/ipc/issue-close.js';
import { IssueComment, IssueCommentT } from './grite/ipc/issue-comment.js';
import { IssueCreate, IssueCreateT } from './grite/ipc/issue-create.js';
import { IssueCreated, IssueCreatedT } from './grite/ipc/issue-created.js';
import { IssueDepAdd, IssueDepAddT } from './grite/ipc/issue-dep-add.js';
import { IssueDepList, IssueDepListT } from './grite/ipc/issue-dep-list.js';
import { IssueDepRemove, IssueDepRemoveT } from './grite/ipc/issue-dep-remove.js';
import { IssueDepTopo, IssueDepTopoT } from './grite/ipc/issue-dep-topo.js';
import { IssueDetail, IssueDetailT } from './grite/ipc/issue-detail.js';
import { IssueLabel, IssueLabelT } from './grite/ipc/issue-label.js';
import { IssueLink, IssueLinkT } from './grite/ipc/issue-link.js';
import { IssueListResult, IssueListResultT } from './grite/ipc/issue-list-result.js';
import { IssueList, IssueListT } from './grite/ipc/issue-list.js';
import { IssueReady, IssueReadyT } from './grite/ipc/issue-ready.js';
import { IssueReopen, IssueReopenT } from './grite/ipc/issue-reopen.js';
import { IssueShowResult, IssueShowResultT } from './grite/ipc/issue-show-result.js';
import { IssueShow, IssueShowT } from './grite/ipc/issue-show.js';
import { IssueSummary, IssueSummaryT } from './grite/ipc/issue-summary.js';
import { IssueUpdate, IssueUpdateT } from './grite/ipc/issue-update.js';
import { IssueUpdated, IssueUpdatedT } from './grite/ipc/issue-updated.js';
import { IssueWriteResult, IssueWriteResultT } from './grite/ipc/issue-write-result.js';
import { KeyValue, KeyValueT } from './grite/ipc/key-value.js';
import { LabelAdded, LabelAddedT } from './grite/ipc/label-added.js';
import { LabelRemoved, LabelRemovedT } from './grite/ipc/label-removed.js';
import { LinkAdded, LinkAddedT } from './grite/ipc/link-added.js';
import { Link, LinkT } from './grite/ipc/link.js';
import { LockAcquire, LockAcquireT } from './grite/ipc/lock-acquire.js';
import { LockChanged, LockChangedT } from './grite/ipc/lock-changed.js';
import { LockConflict, LockConflictT } from './grite/ipc/lock-conflict.js';
import { LockGcResult, LockGcResultT } from './grite/ipc/lock-gc-result.js';
import { LockGc, LockGcT } from './grite/ipc/lock-gc.js';
import { LockInfo, LockInfoT } from './grite/ipc/lock-info.js';
import { LockRelease, LockReleaseT } from './grite/ipc/lock-release.js';
import { LockRenew, LockRenewT } from './grite/ipc/lock-renew.js';
import { LockStatusResult, LockStatusResultT } from './grite/ipc/lock-status-result.js';
import { LockStatus, LockStatusT } from './grite/ipc/lock-status.js';
import { MessageBody } from './grite/ipc/message-body.js';
import { Message, MessageT } from './grite/ipc/message.js';
import { NotificationKind } from './grite/ipc/notification-kind.js';
import { Notification, NotificationT } from './grite/ipc/notification.js';
import { ProjectContextUpdated, ProjectContextUpdatedT } from './grite/ipc/project-context-updated.js';
import { RebuildResult, RebuildResultT } from './grite/ipc/rebuild-result.js';
import { Rebuild, RebuildT } from './grite/ipc/rebuild.js';
import { SnapshotCreate, SnapshotCreateT } from './grite/ipc/snapshot-create.js';
import { SnapshotCreated, SnapshotCreatedT } from './grite/ipc/snapshot-created.js';
import { SnapshotGcResult, SnapshotGcResultT } from './grite/ipc/snapshot-gc-result.js';
import { SnapshotGc, SnapshotGcT } from './grite/ipc/snapshot-gc.js';
import { SnapshotInfo, SnapshotInfoT } from './grite/ipc/snapshot-info.js';
import { SnapshotListResult, SnapshotListResultT } from './grite/ipc/snapshot-list-result.js';
import { SnapshotList, SnapshotListT } from './grite/ipc/snapshot-list.js';
import { StateChanged, StateChangedT } from './grite/ipc/state-changed.js';
import { Subscribe, SubscribeT } from './grite/ipc/subscribe.js';
import { SyncResult, SyncResultT } from './grite/ipc/sync-result.js';
import { Sync, SyncT } from './grite/ipc/sync.js';
import { UnknownKind, UnknownKindT } from './grite/ipc/unknown-kind.js';
import { WalSynced, WalSyncedT } from './grite/ipc/wal-synced.js';

/** One member of a union: its type value, name, object-API class and accessor class. */
export interface UnionMember<E extends number, O> {
  readonly type: E;
  readonly name: string;
  readonly objectClass: new () => O;
  readonly accessorClass: new () => { __init(i: number, bb: flatbuffers.ByteBuffer): unknown; unpack(): O };
}

export interface TableClasses {
  readonly objectClass: new () => flatbuffers.IGeneratedObject;
  readonly accessorClass: new () => { __init(i: number, bb: flatbuffers.ByteBuffer): unknown; unpack(): flatbuffers.IGeneratedObject };
}

/** Any object-API member of the EventKind union. */
export type EventKindObject =
  | IssueCreatedT
  | IssueUpdatedT
  | CommentAddedT
  | LabelAddedT
  | LabelRemovedT
  | StateChangedT
  | LinkAddedT
  | AssigneeAddedT
  | AssigneeRemovedT
  | AttachmentAddedT
  | DependencyAddedT
  | DependencyRemovedT
  | ContextUpdatedT
  | ProjectContextUpdatedT
  | UnknownKindT;

/** Every member of the EventKind union, in type-value order. */
export const EVENT_KIND_MEMBERS: readonly UnionMember<EventKind, EventKindObject>[] = [
  { type: EventKind.IssueCreated, name: 'IssueCreated', objectClass: IssueCreatedT, accessorClass: IssueCreated },
  { type: EventKind.IssueUpdated, name: 'IssueUpdated', objectClass: IssueUpdatedT, accessorClass: IssueUpdated },
  { type: EventKind.CommentAdded, name: 'CommentAdded', objectClass: CommentAddedT, accessorClass: CommentAdded },
  { type: EventKind.LabelAdded, name: 'LabelAdded', objectClass: LabelAddedT, accessorClass: LabelAdded },
  { type: EventKind.LabelRemoved, name: 'LabelRemoved', objectClass: LabelRemovedT, accessorClass: LabelRemoved },
  { type: EventKind.StateChanged, name: 'StateChanged', objectClass: StateChangedT, accessorClass: StateChanged },
  { type: EventKind.LinkAdded, name: 'LinkAdded', objectClass: LinkAddedT, accessorClass: LinkAdded },
  { type: EventKind.AssigneeAdded, name: 'AssigneeAdded', objectClass: AssigneeAddedT, accessorClass: AssigneeAdded },
  { type: EventKind.AssigneeRemoved, name: 'AssigneeRemoved', objectClass: AssigneeRemovedT, accessorClass: AssigneeRemoved },
  { type: EventKind.AttachmentAdded, name: 'AttachmentAdded', objectClass: AttachmentAddedT, accessorClass: AttachmentAdded },
  { type: EventKind.DependencyAdded, name: 'DependencyAdded', objectClass: DependencyAddedT, accessorClass: DependencyAdded },
  { type: EventKind.DependencyRemoved, name: 'DependencyRemoved', objectClass: DependencyRemovedT, accessorClass: DependencyRemoved },
  { type: EventKind.ContextUpdated, name: 'ContextUpdated', objectClass: ContextUpdatedT, accessorClass: ContextUpdated },
  { type: EventKind.ProjectContextUpdated, name: 'ProjectContextUpdated', objectClass: ProjectContextUpdatedT, accessorClass: ProjectContextUpdated },
  { type: EventKind.UnknownKind, name: 'UnknownKind', objectClass: UnknownKindT, accessorClass: UnknownKind },
];

/** Any object-API member of the IpcCommand union. */
export type IpcCommandObject =
  | HelloT
  | IssueCreateT
  | IssueListT
  | IssueShowT
  | IssueUpdateT
  | IssueCommentT
  | IssueCloseT
  | IssueReopenT
  | IssueLabelT
  | IssueAssignT
  | IssueLinkT
  | IssueAttachT
  | IssueDepAddT
  | IssueDepRemoveT
  | IssueDepListT
  | IssueDepTopoT
  | IssueReadyT
  | SyncT
  | LockAcquireT
  | LockRenewT
  | LockReleaseT
  | LockStatusT
  | LockGcT
  | DoctorT
  | RebuildT
  | SnapshotCreateT
  | SnapshotListT
  | SnapshotGcT
  | ExportT
  | DbStatsT
  | DaemonStatusT
  | DaemonStopT
  | SubscribeT
  | BatchT
  | IssueClaimT
  | CliRunT;

/** Every member of the IpcCommand union, in type-value order. */
export const IPC_COMMAND_MEMBERS: readonly UnionMember<IpcCommand, IpcCommandObject>[] = [
  { type: IpcCommand.Hello, name: 'Hello', objectClass: HelloT, accessorClass: Hello },
  { type: IpcCommand.IssueCreate, name: 'IssueCreate', objectClass: IssueCreateT, accessorClass: IssueCreate },
  { type: IpcCommand.IssueList, name: 'IssueList', objectClass: IssueListT, accessorClass: IssueList },
  { type: IpcCommand.IssueShow, name: 'IssueShow', objectClass: IssueShowT, accessorClass: IssueShow },
  { type: IpcCommand.IssueUpdate, name: 'IssueUpdate', objectClass: IssueUpdateT, accessorClass: IssueUpdate },
  { type: IpcCommand.IssueComment, name: 'IssueComment', objectClass: IssueCommentT, accessorClass: IssueComment },
  { type: IpcCommand.IssueClose, name: 'IssueClose', objectClass: IssueCloseT, accessorClass: IssueClose },
  { type: IpcCommand.IssueReopen, name: 'IssueReopen', objectClass: IssueReopenT, accessorClass: IssueReopen },
  { type: IpcCommand.IssueLabel, name: 'IssueLabel', objectClass: IssueLabelT, accessorClass: IssueLabel },
  { type: IpcCommand.IssueAssign, name: 'IssueAssign', objectClass: IssueAssignT, accessorClass: IssueAssign },
  { type: IpcCommand.IssueLink, name: 'IssueLink', objectClass: IssueLinkT, accessorClass: IssueLink },
  { type: IpcCommand.IssueAttach, name: 'IssueAttach', objectClass: IssueAttachT, accessorClass: IssueAttach },
  { type: IpcCommand.IssueDepAdd, name: 'IssueDepAdd', objectClass: IssueDepAddT, accessorClass: IssueDepAdd },
  { type: IpcCommand.IssueDepRemove, name: 'IssueDepRemove', objectClass: IssueDepRemoveT, accessorClass: IssueDepRemove },
  { type: IpcCommand.IssueDepList, name: 'IssueDepList', objectClass: IssueDepListT, accessorClass: IssueDepList },
  { type: IpcCommand.IssueDepTopo, name: 'IssueDepTopo', objectClass: IssueDepTopoT, accessorClass: IssueDepTopo },
  { type: IpcCommand.IssueReady, name: 'IssueReady', objectClass: IssueReadyT, accessorClass: IssueReady },
  { type: IpcCommand.Sync, name: 'Sync', objectClass: SyncT, accessorClass: Sync },
  { type: IpcCommand.LockAcquire, name: 'LockAcquire', objectClass: LockAcquireT, accessorClass: LockAcquire },
  { type: IpcCommand.LockRenew, name: 'LockRenew', objectClass: LockRenewT, accessorClass: LockRenew },
  { type: IpcCommand.LockRelease, name: 'LockRelease', objectClass: LockReleaseT, accessorClass: LockRelease },
  { type: IpcCommand.LockStatus, name: 'LockStatus', objectClass: LockStatusT, accessorClass: LockStatus },
  { type: IpcCommand.LockGc, name: 'LockGc', objectClass: LockGcT, accessorClass: LockGc },
  { type: IpcCommand.Doctor, name: 'Doctor', objectClass: DoctorT, accessorClass: Doctor },
  { type: IpcCommand.Rebuild, name: 'Rebuild', objectClass: RebuildT, accessorClass: Rebuild },
  { type: IpcCommand.SnapshotCreate, name: 'SnapshotCreate', objectClass: SnapshotCreateT, accessorClass: SnapshotCreate },
  { type: IpcCommand.SnapshotList, name: 'SnapshotList', objectClass: SnapshotListT, accessorClass: SnapshotList },
  { type: IpcCommand.SnapshotGc, name: 'SnapshotGc', objectClass: SnapshotGcT, accessorClass: SnapshotGc },
  { type: IpcCommand.Export, name: 'Export', objectClass: ExportT, accessorClass: Export },
  { type: IpcCommand.DbStats, name: 'DbStats', objectClass: DbStatsT, accessorClass: DbStats },
  { type: IpcCommand.DaemonStatus, name: 'DaemonStatus', objectClass: DaemonStatusT, accessorClass: DaemonStatus },
  { type: IpcCommand.DaemonStop, name: 'DaemonStop', objectClass: DaemonStopT, accessorClass: DaemonStop },
  { type: IpcCommand.Subscribe, name: 'Subscribe', objectClass: SubscribeT, accessorClass: Subscribe },
  { type: IpcCommand.Batch, name: 'Batch', objectClass: BatchT, accessorClass: Batch },
  { type: IpcCommand.IssueClaim, name: 'IssueClaim', objectClass: IssueClaimT, accessorClass: IssueClaim },
  { type: IpcCommand.CliRun, name: 'CliRun', objectClass: CliRunT, accessorClass: CliRun },
];

/** Any object-API member of the IpcResult union. */
export type IpcResultObject =
  | HelloResultT
  | IssueListResultT
  | IssueWriteResultT
  | IssueShowResultT
  | DepWriteResultT
  | DepListResultT
  | DepTopoResultT
  | SyncResultT
  | LockInfoT
  | LockStatusResultT
  | LockGcResultT
  | DoctorResultT
  | RebuildResultT
  | SnapshotInfoT
  | SnapshotListResultT
  | SnapshotGcResultT
  | ExportResultT
  | DbStatsResultT
  | DaemonStatusResultT
  | AckT
  | BatchResultT
  | ClaimResultT
  | CliRunResultT;

/** Every member of the IpcResult union, in type-value order. */
export const IPC_RESULT_MEMBERS: readonly UnionMember<IpcResult, IpcResultObject>[] = [
  { type: IpcResult.HelloResult, name: 'HelloResult', objectClass: HelloResultT, accessorClass: HelloResult },
  { type: IpcResult.IssueListResult, name: 'IssueListResult', objectClass: IssueListResultT, accessorClass: IssueListResult },
  { type: IpcResult.IssueWriteResult, name: 'IssueWriteResult', objectClass: IssueWriteResultT, accessorClass: IssueWriteResult },
  { type: IpcResult.IssueShowResult, name: 'IssueShowResult', objectClass: IssueShowResultT, accessorClass: IssueShowResult },
  { type: IpcResult.DepWriteResult, name: 'DepWriteResult', objectClass: DepWriteResultT, accessorClass: DepWriteResult },
  { type: IpcResult.DepListResult, name: 'DepListResult', objectClass: DepListResultT, accessorClass: DepListResult },
  { type: IpcResult.DepTopoResult, name: 'DepTopoResult', objectClass: DepTopoResultT, accessorClass: DepTopoResult },
  { type: IpcResult.SyncResult, name: 'SyncResult', objectClass: SyncResultT, accessorClass: SyncResult },
  { type: IpcResult.LockInfo, name: 'LockInfo', objectClass: LockInfoT, accessorClass: LockInfo },
  { type: IpcResult.LockStatusResult, name: 'LockStatusResult', objectClass: LockStatusResultT, accessorClass: LockStatusResult },
  { type: IpcResult.LockGcResult, name: 'LockGcResult', objectClass: LockGcResultT, accessorClass: LockGcResult },
  { type: IpcResult.DoctorResult, name: 'DoctorResult', objectClass: DoctorResultT, accessorClass: DoctorResult },
  { type: IpcResult.RebuildResult, name: 'RebuildResult', objectClass: RebuildResultT, accessorClass: RebuildResult },
  { type: IpcResult.SnapshotInfo, name: 'SnapshotInfo', objectClass: SnapshotInfoT, accessorClass: SnapshotInfo },
  { type: IpcResult.SnapshotListResult, name: 'SnapshotListResult', objectClass: SnapshotListResultT, accessorClass: SnapshotListResult },
  { type: IpcResult.SnapshotGcResult, name: 'SnapshotGcResult', objectClass: SnapshotGcResultT, accessorClass: SnapshotGcResult },
  { type: IpcResult.ExportResult, name: 'ExportResult', objectClass: ExportResultT, accessorClass: ExportResult },
  { type: IpcResult.DbStatsResult, name: 'DbStatsResult', objectClass: DbStatsResultT, accessorClass: DbStatsResult },
  { type: IpcResult.DaemonStatusResult, name: 'DaemonStatusResult', objectClass: DaemonStatusResultT, accessorClass: DaemonStatusResult },
  { type: IpcResult.Ack, name: 'Ack', objectClass: AckT, accessorClass: Ack },
  { type: IpcResult.BatchResult, name: 'BatchResult', objectClass: BatchResultT, accessorClass: BatchResult },
  { type: IpcResult.ClaimResult, name: 'ClaimResult', objectClass: ClaimResultT, accessorClass: ClaimResult },
  { type: IpcResult.CliRunResult, name: 'CliRunResult', objectClass: CliRunResultT, accessorClass: CliRunResult },
];

/** Any object-API member of the MessageBody union. */
export type MessageBodyObject =
  | IpcRequestT
  | IpcResponseT
  | NotificationT;

/** Every member of the MessageBody union, in type-value order. */
export const MESSAGE_BODY_MEMBERS: readonly UnionMember<MessageBody, MessageBodyObject>[] = [
  { type: MessageBody.IpcRequest, name: 'IpcRequest', objectClass: IpcRequestT, accessorClass: IpcRequest },
  { type: MessageBody.IpcResponse, name: 'IpcResponse', objectClass: IpcResponseT, accessorClass: IpcResponse },
  { type: MessageBody.Notification, name: 'Notification', objectClass: NotificationT, accessorClass: Notification },
];

/** Any object-API member of the NotificationKind union. */
export type NotificationKindObject =
  | EventAppliedT
  | WalSyncedT
  | LockChangedT
  | SnapshotCreatedT;

/** Every member of the NotificationKind union, in type-value order. */
export const NOTIFICATION_KIND_MEMBERS: readonly UnionMember<NotificationKind, NotificationKindObject>[] = [
  { type: NotificationKind.EventApplied, name: 'EventApplied', objectClass: EventAppliedT, accessorClass: EventApplied },
  { type: NotificationKind.WalSynced, name: 'WalSynced', objectClass: WalSyncedT, accessorClass: WalSynced },
  { type: NotificationKind.LockChanged, name: 'LockChanged', objectClass: LockChangedT, accessorClass: LockChanged },
  { type: NotificationKind.SnapshotCreated, name: 'SnapshotCreated', objectClass: SnapshotCreatedT, accessorClass: SnapshotCreated },
];

/** Every table of the schema: its object-API and accessor classes, by name. */
export const TABLE_CLASSES: Readonly<Record<string, TableClasses>> = {
  Ack: { objectClass: AckT, accessorClass: Ack },
  AssigneeAdded: { objectClass: AssigneeAddedT, accessorClass: AssigneeAdded },
  AssigneeRemoved: { objectClass: AssigneeRemovedT, accessorClass: AssigneeRemoved },
  Attachment: { objectClass: AttachmentT, accessorClass: Attachment },
  AttachmentAdded: { objectClass: AttachmentAddedT, accessorClass: AttachmentAdded },
  Batch: { objectClass: BatchT, accessorClass: Batch },
  BatchResult: { objectClass: BatchResultT, accessorClass: BatchResult },
  ClaimResult: { objectClass: ClaimResultT, accessorClass: ClaimResult },
  CliRun: { objectClass: CliRunT, accessorClass: CliRun },
  CliRunResult: { objectClass: CliRunResultT, accessorClass: CliRunResult },
  CodeSymbol: { objectClass: CodeSymbolT, accessorClass: CodeSymbol },
  Comment: { objectClass: CommentT, accessorClass: Comment },
  CommentAdded: { objectClass: CommentAddedT, accessorClass: CommentAdded },
  ContextUpdated: { objectClass: ContextUpdatedT, accessorClass: ContextUpdated },
  DaemonStatus: { objectClass: DaemonStatusT, accessorClass: DaemonStatus },
  DaemonStatusResult: { objectClass: DaemonStatusResultT, accessorClass: DaemonStatusResult },
  DaemonStop: { objectClass: DaemonStopT, accessorClass: DaemonStop },
  DbStats: { objectClass: DbStatsT, accessorClass: DbStats },
  DbStatsResult: { objectClass: DbStatsResultT, accessorClass: DbStatsResult },
  DepEdge: { objectClass: DepEdgeT, accessorClass: DepEdge },
  DepListResult: { objectClass: DepListResultT, accessorClass: DepListResult },
  DepRef: { objectClass: DepRefT, accessorClass: DepRef },
  DepTopoResult: { objectClass: DepTopoResultT, accessorClass: DepTopoResult },
  DepWriteResult: { objectClass: DepWriteResultT, accessorClass: DepWriteResult },
  DependencyAdded: { objectClass: DependencyAddedT, accessorClass: DependencyAdded },
  DependencyRemoved: { objectClass: DependencyRemovedT, accessorClass: DependencyRemoved },
  Doctor: { objectClass: DoctorT, accessorClass: Doctor },
  DoctorCheck: { objectClass: DoctorCheckT, accessorClass: DoctorCheck },
  DoctorResult: { objectClass: DoctorResultT, accessorClass: DoctorResult },
  Event: { objectClass: EventT, accessorClass: Event },
  EventApplied: { objectClass: EventAppliedT, accessorClass: EventApplied },
  Export: { objectClass: ExportT, accessorClass: Export },
  ExportResult: { objectClass: ExportResultT, accessorClass: ExportResult },
  Hello: { objectClass: HelloT, accessorClass: Hello },
  HelloResult: { objectClass: HelloResultT, accessorClass: HelloResult },
  IpcError: { objectClass: IpcErrorT, accessorClass: IpcError },
  IpcRequest: { objectClass: IpcRequestT, accessorClass: IpcRequest },
  IpcResponse: { objectClass: IpcResponseT, accessorClass: IpcResponse },
  IssueAssign: { objectClass: IssueAssignT, accessorClass: IssueAssign },
  IssueAttach: { objectClass: IssueAttachT, accessorClass: IssueAttach },
  IssueClaim: { objectClass: IssueClaimT, accessorClass: IssueClaim },
  IssueClose: { objectClass: IssueCloseT, accessorClass: IssueClose },
  IssueComment: { objectClass: IssueCommentT, accessorClass: IssueComment },
  IssueCreate: { objectClass: IssueCreateT, accessorClass: IssueCreate },
  IssueCreated: { objectClass: IssueCreatedT, accessorClass: IssueCreated },
  IssueDepAdd: { objectClass: IssueDepAddT, accessorClass: IssueDepAdd },
  IssueDepList: { objectClass: IssueDepListT, accessorClass: IssueDepList },
  IssueDepRemove: { objectClass: IssueDepRemoveT, accessorClass: IssueDepRemove },
  IssueDepTopo: { objectClass: IssueDepTopoT, accessorClass: IssueDepTopo },
  IssueDetail: { objectClass: IssueDetailT, accessorClass: IssueDetail },
  IssueLabel: { objectClass: IssueLabelT, accessorClass: IssueLabel },
  IssueLink: { objectClass: IssueLinkT, accessorClass: IssueLink },
  IssueList: { objectClass: IssueListT, accessorClass: IssueList },
  IssueListResult: { objectClass: IssueListResultT, accessorClass: IssueListResult },
  IssueReady: { objectClass: IssueReadyT, accessorClass: IssueReady },
  IssueReopen: { objectClass: IssueReopenT, accessorClass: IssueReopen },
  IssueShow: { objectClass: IssueShowT, accessorClass: IssueShow },
  IssueShowResult: { objectClass: IssueShowResultT, accessorClass: IssueShowResult },
  IssueSummary: { objectClass: IssueSummaryT, accessorClass: IssueSummary },
  IssueUpdate: { objectClass: IssueUpdateT, accessorClass: IssueUpdate },
  IssueUpdated: { objectClass: IssueUpdatedT, accessorClass: IssueUpdated },
  IssueWriteResult: { objectClass: IssueWriteResultT, accessorClass: IssueWriteResult },
  KeyValue: { objectClass: KeyValueT, accessorClass: KeyValue },
  LabelAdded: { objectClass: LabelAddedT, accessorClass: LabelAdded },
  LabelRemoved: { objectClass: LabelRemovedT, accessorClass: LabelRemoved },
  Link: { objectClass: LinkT, accessorClass: Link },
  LinkAdded: { objectClass: LinkAddedT, accessorClass: LinkAdded },
  LockAcquire: { objectClass: LockAcquireT, accessorClass: LockAcquire },
  LockChanged: { objectClass: LockChangedT, accessorClass: LockChanged },
  LockConflict: { objectClass: LockConflictT, accessorClass: LockConflict },
  LockGc: { objectClass: LockGcT, accessorClass: LockGc },
  LockGcResult: { objectClass: LockGcResultT, accessorClass: LockGcResult },
  LockInfo: { objectClass: LockInfoT, accessorClass: LockInfo },
  LockRelease: { objectClass: LockReleaseT, accessorClass: LockRelease },
  LockRenew: { objectClass: LockRenewT, accessorClass: LockRenew },
  LockStatus: { objectClass: LockStatusT, accessorClass: LockStatus },
  LockStatusResult: { objectClass: LockStatusResultT, accessorClass: LockStatusResult },
  Message: { objectClass: MessageT, accessorClass: Message },
  Notification: { objectClass: NotificationT, accessorClass: Notification },
  ProjectContextUpdated: { objectClass: ProjectContextUpdatedT, accessorClass: ProjectContextUpdated },
  Rebuild: { objectClass: RebuildT, accessorClass: Rebuild },
  RebuildResult: { objectClass: RebuildResultT, accessorClass: RebuildResult },
  SnapshotCreate: { objectClass: SnapshotCreateT, accessorClass: SnapshotCreate },
  SnapshotCreated: { objectClass: SnapshotCreatedT, accessorClass: SnapshotCreated },
  SnapshotGc: { objectClass: SnapshotGcT, accessorClass: SnapshotGc },
  SnapshotGcResult: { objectClass: SnapshotGcResultT, accessorClass: SnapshotGcResult },
  SnapshotInfo: { objectClass: SnapshotInfoT, accessorClass: SnapshotInfo },
  SnapshotList: { objectClass: SnapshotListT, accessorClass: SnapshotList },
  SnapshotListResult: { objectClass: SnapshotListResultT, accessorClass: SnapshotListResult },
  StateChanged: { objectClass: StateChangedT, accessorClass: StateChanged },
  Subscribe: { objectClass: SubscribeT, accessorClass: Subscribe },
  Sync: { objectClass: SyncT, accessorClass: Sync },
  SyncResult: { objectClass: SyncResultT, accessorClass: SyncResult },
  UnknownKind: { objectClass: UnknownKindT, accessorClass: UnknownKind },
  WalSynced: { objectClass: WalSyncedT, accessorClass: WalSynced },
};
