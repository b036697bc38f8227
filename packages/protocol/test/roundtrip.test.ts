/**
 * Every command, result and notification round-trips through encode, frame,
 * verify and decode. Driven by the union enums: the generated members give a
 * fully-filled sample of each (samples.ts), and the hand-written examples
 * below must name every IpcCommand and IpcResult member, so a new command or
 * result without an example fails here.
 */
import { describe, expect, it } from 'vitest';
import {
  AckT,
  AttachmentT,
  CheckStatus,
  ClientKind,
  CommentT,
  DaemonStatusResultT,
  DaemonStatusT,
  DaemonStopT,
  DbStatsResultT,
  DbStatsT,
  decodeNotification,
  decodeRequest,
  decodeResponse,
  DepDirection,
  DepEdgeT,
  DepListResultT,
  DepRefT,
  DepTopoResultT,
  DepType,
  DepWriteResultT,
  DoctorCheckT,
  DoctorResultT,
  DoctorT,
  EditAction,
  encodeFrame,
  encodeRequest,
  encodeResponse,
  EventKind,
  EventT,
  ExportFormat,
  ExportResultT,
  ExportT,
  FrameDecoder,
  HelloResultT,
  HelloT,
  IPC_COMMAND_MEMBERS,
  IPC_RESULT_MEMBERS,
  IpcCommand,
  IpcRequest,
  IpcResponse,
  IpcResult,
  IssueAssignT,
  IssueAttachT,
  IssueCloseT,
  IssueCommentT,
  IssueCreatedT,
  IssueCreateT,
  IssueDepAddT,
  IssueDepListT,
  IssueDepRemoveT,
  IssueDepTopoT,
  IssueDetailT,
  IssueLabelT,
  IssueLinkT,
  IssueListResultT,
  IssueListT,
  IssueReadyT,
  IssueReopenT,
  IssueShowResult,
  IssueShowResultT,
  IssueShowT,
  IssueSort,
  IssueState,
  IssueSummaryT,
  IssueUpdateT,
  IssueWriteResultT,
  LinkT,
  LockAcquireT,
  LockConflictT,
  LockGcResultT,
  LockGcT,
  LockInfoT,
  LockReleaseT,
  LockRenewT,
  LockStatusResultT,
  LockStatusT,
  NotificationKind,
  ProtocolError,
  RebuildResultT,
  RebuildT,
  SnapshotCreateT,
  SnapshotGcResultT,
  SnapshotGcT,
  SnapshotInfoT,
  SnapshotListResultT,
  SnapshotListT,
  StateChangedT,
  StateFilter,
  SubscribeT,
  SyncResultT,
  SyncT,
  unionToEventKind,
  unionToIpcCommand,
  unionToIpcResult,
  unionToNotificationKind,
  verifyMessage,
  type IpcCommandObject,
  type IpcResultObject,
  BatchT,
  BatchResultT,
  CliRunT,
  CliRunResultT,
  ClaimResultT,
  IssueClaimT,
  IpcRequestT,
  IpcResponseT,
} from '../src/index.js';
import { ACTOR, commandSamples, fill, notificationSamples, REPO, resultSamples, type Sample } from './samples.js';

const ID = (seed: number, n = 16): number[] => Array.from({ length: n }, (_, i) => (seed + i * 13) & 0xff);
const TS = 1_732_000_000_000n;

/** Encode -> frame -> split into 3-byte chunks -> decode frames -> verify. */
function throughTheWire(message: Uint8Array): Uint8Array {
  const framed = encodeFrame(message);
  const frames: Uint8Array[] = [];
  const dec = new FrameDecoder({
    onFrame: (f) => frames.push(f),
    onError: (e) => {
      throw e;
    },
  });
  for (let i = 0; i < framed.length; i += 3) dec.push(framed.subarray(i, i + 3));
  expect(dec.end()).toBe(true);
  expect(frames).toHaveLength(1);
  const v = verifyMessage(frames[0]!);
  if (!v.ok) throw v.error;
  return frames[0]!;
}

function roundTrip(sample: Sample): unknown {
  const bytes = throughTheWire(sample.bytes);
  if (sample.kind === 'request') {
    const req = decodeRequest(bytes);
    expect(req.repo()).toBe(REPO);
    expect(Array.from(req.actorIdArray()!)).toEqual(Array.from(ACTOR));
    const cmd = unionToIpcCommand(req.commandType(), req.command.bind(req));
    return cmd!.unpack();
  }
  if (sample.kind === 'response') {
    const resp = decodeResponse(bytes);
    expect(resp.ok()).toBe(true);
    expect(resp.requestIdLength()).toBe(16);
    return unionToIpcResult(resp.resultType(), resp.result.bind(resp))!.unpack();
  }
  const n = decodeNotification(bytes);
  return unionToNotificationKind(n.kindType(), n.kind.bind(n))!.unpack();
}

describe('every member, fully filled', () => {
  it.each(commandSamples().map((s) => [s.name, s] as const))('command %s', (_name, s) => {
    expect(roundTrip(s)).toEqual(s.object);
  });
  it.each(resultSamples().map((s) => [s.name, s] as const))('result %s', (_name, s) => {
    expect(roundTrip(s)).toEqual(s.object);
  });
  it.each(notificationSamples().map((s) => [s.name, s] as const))('notification %s', (_name, s) => {
    expect(roundTrip(s)).toEqual(s.object);
  });

  it('every EventKind member round-trips inside IssueShowResult.events', () => {
    const kinds = Object.values(EventKind).filter((v): v is EventKind => typeof v === 'number' && v !== EventKind.NONE);
    expect(kinds).toHaveLength(15);
    for (const kind of kinds) {
      const result = fill('IssueShowResult', { pick: (u) => (u === 'EventKind' ? kind : 1) }) as IssueShowResultT;
      const bytes = throughTheWire(encodeResponse(new Uint8Array(16), result));
      const resp = decodeResponse(bytes);
      const show = unionToIpcResult(resp.resultType(), resp.result.bind(resp)) as IssueShowResult;
      expect(show.events(0)!.kindType()).toBe(kind);
      const ev = show.events(0)!;
      expect(unionToEventKind(ev.kindType(), ev.kind.bind(ev))).not.toBeNull();
      expect(show.unpack()).toEqual(result);
    }
  });
});

// Hand-written, realistic examples: one per command and per result.
const COMMANDS: Record<string, () => IpcCommandObject> = {
  Hello: () => new HelloT(1, '0.1.0+abc', ClientKind.cli),
  IssueCreate: () => new IssueCreateT(ID(1), TS, 'Crash on start', 'Steps:\n1. run', ['bug', 'p1'], ['alice']),
  IssueList: () => new IssueListT(StateFilter.open, ['bug'], 'alice', 'crash', IssueSort.updated_desc, 50, 'c:10'),
  IssueShow: () => new IssueShowT('ab12', 100, null),
  IssueUpdate: () => new IssueUpdateT('ab12', TS, null, ''),
  IssueComment: () => new IssueCommentT('ab12', TS, 'works for me'),
  IssueClose: () => new IssueCloseT('ab12', TS),
  IssueReopen: () => new IssueReopenT('ab12', TS),
  IssueLabel: () => new IssueLabelT('ab12', TS, ['bug', 'ui'], EditAction.remove),
  IssueAssign: () => new IssueAssignT('ab12', TS, ['bob'], EditAction.add),
  IssueLink: () => new IssueLinkT('ab12', TS, 'https://example.invalid/x', null),
  IssueAttach: () => new IssueAttachT('ab12', TS, 'log.txt', ID(9, 32), 'text/plain'),
  IssueDepAdd: () => new IssueDepAddT('ab12', 'cd34', DepType.depends_on, TS),
  IssueDepRemove: () => new IssueDepRemoveT('ab12', 'cd34', DepType.related_to, TS),
  IssueDepList: () => new IssueDepListT('ab12', DepDirection.in_),
  IssueDepTopo: () => new IssueDepTopoT(StateFilter.any),
  IssueReady: () => new IssueReadyT(10, null),
  Sync: () => new SyncT('origin', true, false),
  LockAcquire: () => new LockAcquireT('path:src/', 900_000),
  LockRenew: () => new LockRenewT('path:src/', 900_000),
  LockRelease: () => new LockReleaseT('path:src/'),
  LockStatus: () => new LockStatusT(null),
  LockGc: () => new LockGcT(),
  Doctor: () => new DoctorT(true),
  Rebuild: () => new RebuildT(true),
  SnapshotCreate: () => new SnapshotCreateT(),
  SnapshotList: () => new SnapshotListT(),
  SnapshotGc: () => new SnapshotGcT(3),
  Export: () => new ExportT(ExportFormat.md, TS, null, 0, null),
  DbStats: () => new DbStatsT(),
  DaemonStatus: () => new DaemonStatusT(),
  DaemonStop: () => new DaemonStopT(),
  Subscribe: () => new SubscribeT(),
  Batch: () => new BatchT([new IpcRequestT(1, ID(4), REPO, ID(3), IpcCommand.IssueComment, new IssueCommentT('ab12', TS, 'in a batch'))]),
  IssueClaim: () => new IssueClaimT('ab12', TS, 1_800_000),
  CliRun: () => new CliRunT(['issue', 'list', '--json'], '/work/tree', 'GRITE_HOME=/h\0EMPTY=\0', false),
};

const summary = (seed: number): IssueSummaryT =>
  new IssueSummaryT(ID(seed), `Issue ${seed}`, IssueState.open, ['bug'], [], TS, TS - 5n, 2);
const lock = (): LockInfoT => new LockInfoT('repo:', ID(3), '1b4e28ba-2fa1-41d2-883f-0016d3cca427', TS + 60_000n);

const RESULTS: Record<string, () => IpcResultObject> = {
  HelloResult: () => new HelloResultT(1, '0.1.0+abc', 4242),
  IssueListResult: () => new IssueListResultT([summary(1), summary(2)], 7, 'c:2'),
  IssueWriteResult: () => new IssueWriteResultT(ID(1), ID(2, 32), 'a'.repeat(40), IssueState.closed),
  IssueShowResult: () =>
    new IssueShowResultT(
      new IssueDetailT(
        ID(1), 'Crash', IssueState.open, ['bug'], ['alice'], TS, TS - 9n, 1, 'body',
        [new LinkT('https://example.invalid', null, ID(4, 32), ID(3), TS)],
        [new AttachmentT('a.log', ID(5, 32), 'text/plain', ID(6, 32), ID(3), TS)],
        [new DepEdgeT(ID(7), DepType.blocks)],
        [new CommentT(ID(8, 32), ID(3), TS, 'hi')],
      ),
      [
        new EventT(ID(2, 32), ID(1), ID(3), TS - 9n, [], EventKind.IssueCreated, new IssueCreatedT('Crash', 'body', ['bug'])),
        new EventT(ID(9, 32), ID(1), ID(3), TS, ID(2, 32), EventKind.StateChanged, new StateChangedT(IssueState.open)),
      ],
      null,
    ),
  DepWriteResult: () => new DepWriteResultT(ID(2, 32), ID(1), ID(7), DepType.blocks, EditAction.add, 'b'.repeat(40)),
  DepListResult: () =>
    new DepListResultT(ID(1), DepDirection.out, [new DepRefT(ID(7), DepType.blocks, 'Other', IssueState.closed)]),
  DepTopoResult: () => new DepTopoResultT([summary(3), summary(4)], 'topological'),
  SyncResult: () => new SyncResultT(true, true, 10, 2, 'c'.repeat(40), 'c'.repeat(40), 'origin'),
  LockInfo: lock,
  LockStatusResult: () => new LockStatusResultT([lock()], [new LockConflictT('path:src/a', lock())]),
  LockGcResult: () => new LockGcResultT(4),
  DoctorResult: () =>
    new DoctorResultT([new DoctorCheckT('wal_reachable', CheckStatus.warn, 'dangling chunk', ['rebuild'])], []),
  RebuildResult: () => new RebuildResultT('d'.repeat(40), 1234, false),
  SnapshotInfo: () => new SnapshotInfoT('refs/grite/snapshots/1732000000000', TS, 'e'.repeat(40), 1000),
  SnapshotListResult: () => new SnapshotListResultT([new SnapshotInfoT('refs/grite/snapshots/1', 1n, 'f'.repeat(40), 1)]),
  SnapshotGcResult: () => new SnapshotGcResultT(['refs/grite/snapshots/1'], 2),
  ExportResult: () => new ExportResultT(ExportFormat.md, '# Issues\n', [], [], 'a'.repeat(40), null),
  DbStatsResult: () => new DbStatsResultT('/r/.git/grite/view.sqlite', 4096n, 10, 2, 'a'.repeat(40), 3, 12),
  DaemonStatusResult: () => new DaemonStatusResultT(true, 4242, '/tmp/grite-0/x.sock', TS, '0.1.0', 1, 99n, 50_000_000n),
  Ack: () => new AckT(),
  BatchResult: () =>
    new BatchResultT(true, 'a'.repeat(40), [
      new IpcResponseT(1, ID(4), true, null, IpcResult.IssueWriteResult, new IssueWriteResultT(ID(1), ID(2, 32), 'a'.repeat(40), null)),
    ]),
  ClaimResult: () => new ClaimResultT(summary(1), lock(), false, ID(2, 32), 'a'.repeat(40), 'ab'.repeat(16)),
  CliRunResult: () => new CliRunResultT(true, '{"ok":true}\n', 'ünï\n', 3),
};

describe('hand-written examples', () => {
  it('name every IpcCommand and IpcResult member', () => {
    const commands = Object.keys(IpcCommand).filter((k) => Number.isNaN(Number(k)) && k !== 'NONE');
    const results = Object.keys(IpcResult).filter((k) => Number.isNaN(Number(k)) && k !== 'NONE');
    expect(Object.keys(COMMANDS).sort()).toEqual(commands.sort());
    expect(Object.keys(RESULTS).sort()).toEqual(results.sort());
    expect(IPC_COMMAND_MEMBERS.map((m) => m.name).sort()).toEqual(commands.sort());
    expect(IPC_RESULT_MEMBERS.map((m) => m.name).sort()).toEqual(results.sort());
  });

  it.each(Object.entries(COMMANDS))('command %s', (name, make) => {
    const command = make();
    const bytes = throughTheWire(encodeRequest({ repo: REPO, actorId: ACTOR, command }));
    const req: IpcRequest = decodeRequest(bytes);
    expect(IpcCommand[req.commandType()]).toBe(name);
    expect(req.requestIdLength()).toBe(16);
    expect(unionToIpcCommand(req.commandType(), req.command.bind(req))!.unpack()).toEqual(command);
  });

  it.each(Object.entries(RESULTS))('result %s', (name, make) => {
    const result = make();
    const bytes = throughTheWire(encodeResponse(new Uint8Array(ID(5)), result));
    const resp: IpcResponse = decodeResponse(bytes);
    expect(IpcResult[resp.resultType()]).toBe(name);
    expect(unionToIpcResult(resp.resultType(), resp.result.bind(resp))!.unpack()).toEqual(result);
  });

  it('absent strings stay absent and empty strings stay empty (IssueUpdate)', () => {
    const req = decodeRequest(encodeRequest({ repo: REPO, command: new IssueUpdateT('ab12', TS, null, '') }));
    const upd = unionToIpcCommand(req.commandType(), req.command.bind(req)) as unknown as { title(): string | null; body(): string | null };
    expect(upd.title()).toBeNull();
    expect(upd.body()).toBe('');
    expect(req.actorIdArray()).toBeNull();
  });

  it('refuses a command object that is not a union member', () => {
    expect(() => encodeRequest({ repo: REPO, command: new LinkT() as unknown as IpcCommandObject })).toThrow(ProtocolError);
  });

  it('EventKind values equal the on-git kind tags', () => {
    expect(EventKind.IssueCreated).toBe(1);
    expect(EventKind.DependencyRemoved).toBe(12);
    expect(EventKind.ProjectContextUpdated).toBe(14);
    expect(NotificationKind.EventApplied).toBe(1);
  });
});
