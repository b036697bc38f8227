/**
 * DbStats: the view file (path, size of view.sqlite with its -wal file), its
 * event and issue counts, the WAL head it reflects, the events it took in
 * since its last rebuild (core's rebuild marker; a view never rebuilt counts
 * from its creation), and how many loose git objects the repository holds
 * (the log is packed when they pile up).
 */
import { countLooseObjects, eventsSinceRebuild } from '@grite/core';
import { DbStatsResultT, type DbStats } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';

export async function dbStats(ctx: EngineContext, _cmd: DbStats): Promise<HandlerResult> {
  const s = ctx.store.view.stats();
  const r = new DbStatsResultT();
  r.path = s.path;
  r.sizeBytes = BigInt(s.sizeBytes);
  r.eventCount = s.eventCount;
  r.issueCount = s.issueCount;
  r.walHead = s.walHead ?? '';
  r.eventsSinceRebuild = eventsSinceRebuild(s.path, s.eventCount);
  r.looseObjects = await countLooseObjects(ctx.commonDir);
  return r;
}
