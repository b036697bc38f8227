/**
 * The dispatch table: one entry per member of the generated `IpcCommand`
 * union. An entry names how the command runs against the store:
 * - `static`: needs no store (Hello, the no-daemon DaemonStatus);
 * - `read`: runs alongside other reads, after any pending catch-up;
 * - `write`: validates alone, then joins the next group commit: for writes
 *   whose checks no other write can undo (the issue exists, the fields are
 *   valid);
 * - `serial-write`: validates and appends alone: close and reopen (the
 *   answer depends on the current state) and dependency edges (the cycle
 *   check depends on every other edge);
 * - `exclusive`: alone, after every queued write landed (rebuild replaces
 *   the whole view);
 * - `unsupported`: answered `ipc_error` "command X is not supported by this
 *   build", with a hint saying where it is served, if anywhere.
 * Every member of the union has an entry (a test walks IPC_COMMAND_MEMBERS);
 * a value without one, from a newer client, answers as unsupported.
 */
import {
  Batch,
  IssueClaim,
  DaemonStatus,
  DbStats,
  Doctor,
  Export,
  Hello,
  IpcCommand,
  IssueAssign,
  IssueAttach,
  IssueClose,
  IssueComment,
  IssueCreate,
  IssueDepAdd,
  IssueDepList,
  IssueDepRemove,
  IssueDepTopo,
  IssueLabel,
  IssueLink,
  IssueList,
  IssueReady,
  IssueReopen,
  IssueShow,
  IssueUpdate,
  LockAcquire,
  LockGc,
  LockRelease,
  LockRenew,
  LockStatus,
  Rebuild,
  SnapshotCreate,
  SnapshotGc,
  SnapshotList,
  Sync,
} from '@grite/protocol';
import type { Handler } from './context.js';
import { batch } from './handlers/batch.js';
import { issueClaim } from './handlers/issue-claim.js';
import { daemonStatus } from './handlers/daemon-status.js';
import { dbStats } from './handlers/db-stats.js';
import { doctor } from './handlers/doctor.js';
import { exportIssues } from './handlers/export.js';
import { hello } from './handlers/hello.js';
import { issueAssign } from './handlers/issue-assign.js';
import { issueAttach } from './handlers/issue-attach.js';
import { issueClose } from './handlers/issue-close.js';
import { issueComment } from './handlers/issue-comment.js';
import { issueCreate } from './handlers/issue-create.js';
import { issueDepAdd } from './handlers/issue-dep-add.js';
import { issueDepList } from './handlers/issue-dep-list.js';
import { issueDepRemove } from './handlers/issue-dep-remove.js';
import { issueDepTopo } from './handlers/issue-dep-topo.js';
import { issueLabel } from './handlers/issue-label.js';
import { issueLink } from './handlers/issue-link.js';
import { issueList } from './handlers/issue-list.js';
import { issueReady } from './handlers/issue-ready.js';
import { issueReopen } from './handlers/issue-reopen.js';
import { issueShow } from './handlers/issue-show.js';
import { issueUpdate } from './handlers/issue-update.js';
import { lockAcquire } from './handlers/lock-acquire.js';
import { lockGc } from './handlers/lock-gc.js';
import { lockRelease } from './handlers/lock-release.js';
import { lockRenew } from './handlers/lock-renew.js';
import { lockStatus } from './handlers/lock-status.js';
import { rebuild } from './handlers/rebuild.js';
import { snapshotCreate } from './handlers/snapshot-create.js';
import { snapshotGc } from './handlers/snapshot-gc.js';
import { snapshotList } from './handlers/snapshot-list.js';
import { sync } from './handlers/sync.js';

/** A command's accessor class, as `request.command(new Accessor())` takes it. */
type Accessor<C> = new () => C;

export type ServedEntry = {
  readonly mode: 'static' | 'read' | 'write' | 'serial-write' | 'exclusive';
  readonly accessor: Accessor<unknown>;
  readonly handler: Handler<unknown>;
};

export type UnsupportedEntry = {
  readonly mode: 'unsupported';
  readonly hint: string;
};

export type DispatchEntry = ServedEntry | UnsupportedEntry;

function served<C>(mode: ServedEntry['mode'], accessor: Accessor<C>, handler: Handler<C>): ServedEntry {
  return { mode, accessor, handler: handler as Handler<unknown> };
}

const LATER = 'this build cannot serve it: use a grite build that supports it';
const DAEMON_ONLY = 'the daemon answers it itself; start one with `grite daemon start`';

function unsupported(hint: string): UnsupportedEntry {
  return { mode: 'unsupported', hint };
}

export const DISPATCH = {
  [IpcCommand.NONE]: unsupported('the request carries no command'),
  [IpcCommand.Hello]: served('static', Hello, hello),
  [IpcCommand.IssueCreate]: served('write', IssueCreate, issueCreate),
  [IpcCommand.IssueList]: served('read', IssueList, issueList),
  [IpcCommand.IssueShow]: served('read', IssueShow, issueShow),
  [IpcCommand.IssueUpdate]: served('write', IssueUpdate, issueUpdate),
  [IpcCommand.IssueComment]: served('write', IssueComment, issueComment),
  [IpcCommand.IssueClose]: served('serial-write', IssueClose, issueClose),
  [IpcCommand.IssueReopen]: served('serial-write', IssueReopen, issueReopen),
  [IpcCommand.IssueLabel]: served('write', IssueLabel, issueLabel),
  [IpcCommand.IssueAssign]: served('write', IssueAssign, issueAssign),
  [IpcCommand.IssueLink]: served('write', IssueLink, issueLink),
  [IpcCommand.IssueAttach]: served('write', IssueAttach, issueAttach),
  [IpcCommand.IssueDepAdd]: served('serial-write', IssueDepAdd, issueDepAdd),
  [IpcCommand.IssueDepRemove]: served('serial-write', IssueDepRemove, issueDepRemove),
  [IpcCommand.IssueDepList]: served('read', IssueDepList, issueDepList),
  [IpcCommand.IssueDepTopo]: served('read', IssueDepTopo, issueDepTopo),
  [IpcCommand.IssueReady]: served('read', IssueReady, issueReady),
  // Sync moves the WAL: a serial write. Lock commands move lock refs only,
  // never the WAL; they read the view to resolve issue: prefixes.
  [IpcCommand.Sync]: served('serial-write', Sync, sync),
  [IpcCommand.LockAcquire]: served('read', LockAcquire, lockAcquire),
  [IpcCommand.LockRenew]: served('read', LockRenew, lockRenew),
  [IpcCommand.LockRelease]: served('read', LockRelease, lockRelease),
  [IpcCommand.LockStatus]: served('read', LockStatus, lockStatus),
  [IpcCommand.LockGc]: served('read', LockGc, lockGc),
  // Doctor runs before any catch-up, so that it sees the view as it is; its
  // repairs go through the store's own queue and git's compare-and-swap.
  [IpcCommand.Doctor]: served('static', Doctor, doctor),
  [IpcCommand.Rebuild]: served('exclusive', Rebuild, rebuild),
  // Snapshots and export read the log or the view and never move the WAL.
  [IpcCommand.SnapshotCreate]: served('read', SnapshotCreate, snapshotCreate),
  [IpcCommand.SnapshotList]: served('read', SnapshotList, snapshotList),
  [IpcCommand.SnapshotGc]: served('read', SnapshotGc, snapshotGc),
  [IpcCommand.Export]: served('read', Export, exportIssues),
  [IpcCommand.DbStats]: served('read', DbStats, dbStats),
  [IpcCommand.DaemonStatus]: served('static', DaemonStatus, daemonStatus),
  [IpcCommand.DaemonStop]: unsupported(DAEMON_ONLY),
  [IpcCommand.Subscribe]: unsupported(DAEMON_ONLY),
  [IpcCommand.CliRun]: unsupported(DAEMON_ONLY),
  [IpcCommand.Batch]: served('serial-write', Batch, batch),
  // A claim validates alone (like any write) and takes its lock before its assignee event is queued.
  [IpcCommand.IssueClaim]: served('write', IssueClaim, issueClaim),
} as const satisfies Partial<Record<IpcCommand, DispatchEntry>>;

/** The entry for a command type; an unknown value (a newer client) is unsupported. */
export function dispatchEntry(type: IpcCommand): DispatchEntry {
  return (DISPATCH as Record<number, DispatchEntry>)[type] ?? unsupported('the command is newer than this build: upgrade grite');
}

/** The command's name in the schema, or its number when this build does not know it. */
export function commandName(type: IpcCommand): string {
  return IpcCommand[type] ?? `#${String(type)}`;
}
