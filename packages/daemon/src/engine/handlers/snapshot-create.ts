/**
 * SnapshotCreate: a snapshot of the log at the current WAL head
 * (refs/grite/snapshots/<unix_ms>), built from the newest snapshot that fits
 * plus the commits after it. An empty log answers not_found.
 */
import { createSnapshot } from '@grite/core';
import { SnapshotInfoT, type SnapshotCreate } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';

export async function snapshotCreate(ctx: EngineContext, _cmd: SnapshotCreate): Promise<HandlerResult> {
  const { snapshot } = await createSnapshot(ctx.store.wal);
  return new SnapshotInfoT(snapshot.ref, BigInt(snapshot.createdTs), snapshot.walHead, snapshot.eventCount);
}
