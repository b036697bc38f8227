/**
 * SnapshotList: every snapshot ref, newest first. One whose snapshot.json
 * cannot be read is listed with an empty wal_head and 0 events (doctor says
 * why; rebuild skips it).
 */
import { listSnapshots } from '@grite/core';
import { SnapshotInfoT, SnapshotListResultT, type SnapshotList } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';

export async function snapshotList(ctx: EngineContext, _cmd: SnapshotList): Promise<HandlerResult> {
  const snaps = await listSnapshots(ctx.commonDir, { catFile: ctx.store.wal.catFile });
  return new SnapshotListResultT(snaps.map((s) => new SnapshotInfoT(s.ref, BigInt(s.createdTs), s.walHead, s.eventCount)));
}
