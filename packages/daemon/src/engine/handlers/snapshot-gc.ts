/**
 * SnapshotGc: deletes every snapshot ref but the newest `keep` (0: all of
 * them). Only snapshot refs: the WAL is never touched.
 */
import { gcSnapshots } from '@grite/core';
import { SnapshotGcResultT, type SnapshotGc } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';

export async function snapshotGc(ctx: EngineContext, cmd: SnapshotGc): Promise<HandlerResult> {
  const r = await gcSnapshots(ctx.commonDir, cmd.keep());
  return new SnapshotGcResultT(r.deleted, r.kept);
}
