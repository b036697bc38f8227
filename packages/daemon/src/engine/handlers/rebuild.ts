/**
 * Rebuild: empties the view and replays the whole WAL. Always a full replay
 * from the refs: this build does not read snapshots, so `from_snapshot` in
 * the answer is false whatever the request asked.
 */
import { RebuildResultT, type Rebuild } from '@grite/protocol';
import type { EngineContext, HandlerResult } from '../context.js';

export async function rebuild(ctx: EngineContext, _cmd: Rebuild): Promise<HandlerResult> {
  const r = await ctx.store.rebuild();
  ctx.synced(r.walHead);
  return new RebuildResultT(r.walHead ?? '', r.eventCount, false);
}
